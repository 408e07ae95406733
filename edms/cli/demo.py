"""Demo data for the embedded default: five organizations, users for every role, journals, case files, cards, and
the ministry's execution of incoming letters: drafts for the manager, assignments overdue and due soon, a controlled
resolution with a report awaiting the controller's decision; the demo PKI (`demo_pki`: qualified certificates of the
ministry's and the migration service's managers) and a signed letter sent by МЭДО (`demo_letter`); the public
services portal with its citizen, the MFC operator, the providers of the services and two applications
(`demo_services`)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any
from unittest import mock

from sqlalchemy import select

from edms.auth.models import Role, User, UserRole
from edms.auth.passwords import hash_password
from edms.cli.demo_pki import DemoSigner, load_demo_pki, signer_of
from edms.core.access import SYSTEM
from edms.core.calendar import business_calendar
from edms.core.clock import local_today
from edms.core.tx import on_commit
from edms.directory.models import Organization, OrganizationKind
from edms.directory.operations import create_department, create_organization, create_position
from edms.registry.models import Card, CardKind
from edms.registry.operations import create_card, create_case_file, create_journal
from edms.resolutions import deadlines
from edms.resolutions.operations import draft_resolution, issue_resolution, submit_report

DEMO_PASSWORD = 'Demo2026pass'


@dataclass(frozen=True)
class DemoOrg:
    key: str
    name: str
    short_name: str
    kind: OrganizationKind
    ogrn_base: str
    inn_base: str
    kpp: str


ORGS = (
    DemoOrg(
        'min',
        'Министерство цифрового развития Энской области',
        'Минцифры Энской обл.',
        OrganizationKind.ministry,
        '102770013219',
        '770708389',
        '773601001',
    ),
    DemoOrg(
        'mig',
        'Управление по вопросам миграции МВД по Энской области',
        'УВМ МВД Энской обл.',
        OrganizationKind.agency,
        '103770045678',
        '770512345',
        '770501001',
    ),
    DemoOrg(
        'tax',
        'Управление Федеральной налоговой службы по Энской области',
        'УФНС Энской обл.',
        OrganizationKind.agency,
        '104770067890',
        '770698765',
        '770601001',
    ),
    DemoOrg(
        'mfc',
        'Многофункциональный центр предоставления государственных услуг Энской области',
        'МФЦ Энской обл.',
        OrganizationKind.mfc,
        '105770011223',
        '770811223',
        '770801001',
    ),
    DemoOrg(
        'bank',
        'Публичное акционерное общество «Банк Пример»',
        'ПАО «Банк Пример»',
        OrganizationKind.partner,
        '106770033445',
        '770933445',
        '770901001',
    ),
)

#: The public services portal: holds the applicants' accounts (no staff, no journals, not an МЭДО participant).
PORTAL = DemoOrg(
    'portal',
    'Портал государственных услуг Энской области',
    'Портал госуслуг Энской обл.',
    OrganizationKind.portal,
    '107770055667',
    '771055667',
    '771001001',
)
#: (login, last name, first name, middle name, roles) of the ministry's staff.
MINISTRY_USERS = (
    ('admin', 'Администраторов', 'Алексей', 'Петрович', (Role.administrator,)),
    ('clerk', 'Регистраторова', 'Мария', 'Ивановна', (Role.clerk,)),
    ('manager', 'Руководителев', 'Игорь', 'Сергеевич', (Role.manager,)),
    ('assistant', 'Помощникова', 'Анна', 'Викторовна', (Role.assistant,)),
    ('executor', 'Исполнителев', 'Пётр', 'Андреевич', (Role.executor,)),
    ('controller', 'Контролёрова', 'Елена', 'Олеговна', (Role.controller,)),
    ('coexecutor', 'Соисполнителев', 'Олег', 'Николаевич', (Role.executor,)),
)
#: Staff of the other organizations beyond their `admin` and `clerk`: the migration service's manager signs.
OTHER_STAFF = {
    'mig': (('manager', 'Начальников', 'Виктор', 'Павлович', (Role.manager,)),),
    'mfc': (('mfc', 'Операторова', 'Ольга', 'Сергеевна', (Role.mfc_operator,)),),
}
#: The portal's applicants: the citizen of `demo_services` (with its СНИЛС and ИНН; also the head of the demo's
#: company) and the company's accountant in its cabinet (`demo_legal_cabinet`).
PORTAL_USERS = (
    ('citizen', 'Петров', 'Пётр', 'Петрович', (Role.applicant,)),
    ('accountant', 'Счётова', 'Нина', 'Сергеевна', (Role.applicant,)),
)
#: What the printed list of demo logins says beside some accounts.
LOGIN_NOTES = {
    ('min', 'manager'): 'квалифицированная подпись (демо-УЦ), пароль контейнера тот же',
    ('mig', 'clerk'): 'регистрирует письмо Минцифры, пришедшее по МЭДО («На регистрацию»); «Заявления граждан»',
    ('mig', 'manager'): 'квалифицированная подпись (демо-УЦ), пароль контейнера тот же; «Заявления граждан»: '
    'регистрация по месту пребывания из МФЦ',
    ('tax', 'clerk'): '«Заявления граждан»: подключение к кабинету налогоплательщика с портала',
    ('mfc', 'mfc'): '«Одно окно»: заявление от имени посетителя; поданные — в «Заявления МФЦ»',
    ('portal', 'citizen'): '«Мои заявления»: кабинет налогоплательщика (СМС) и регистрация, поданная в МФЦ; '
    '«Кабинет организации» «Энский хлебозавод»: руководитель, администратор',
    ('portal', 'accountant'): '«Кабинет организации» «Энский хлебозавод»: бухгалтер (просмотр и отправка), '
    'заявления от имени организации',
}
JOURNALS = (
    (CardKind.incoming, 'Журнал входящих документов', 'Вх-{seq:05d}/{yy}'),
    (CardKind.outgoing, 'Журнал исходящих документов', 'Исх-{seq:05d}/{yy}'),
    (CardKind.internal, 'Журнал внутренних документов', 'Вн-{seq}-{dept}'),
    (CardKind.citizen_appeal, 'Журнал обращений граждан', 'ОГ-{seq:05d}/{yy}'),
)


def ogrn_with_check(base12: str) -> str:
    return base12 + str(int(base12) % 11 % 10)


def inn10_with_check(base9: str) -> str:
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    return base9 + str(sum(int(d) * w for d, w in zip(base9, weights, strict=True)) % 11 % 10)


def is_loaded() -> bool:
    from edms.core.db import db

    first = ogrn_with_check(ORGS[0].ogrn_base)
    return db.session.execute(select(Organization.id).where(Organization.ogrn == first)).first() is not None


def _staff(key: str) -> tuple[tuple[str, str, str, str, tuple[Role, ...]], ...]:
    if key == PORTAL.key:
        return PORTAL_USERS
    return MINISTRY_USERS if key == 'min' else MINISTRY_USERS[:2] + OTHER_STAFF.get(key, ())


def demo_logins() -> list[tuple[str, str, str, str]]:
    """(organization, login, password, roles) of every demo account, as printed after loading."""
    return [
        (spec.short_name, login, DEMO_PASSWORD, _roles_text(spec.key, login, roles))
        for spec in (*ORGS, PORTAL)
        for login, *_, roles in _staff(spec.key)
    ]


def load_demo() -> list[tuple[str, str, str, str]]:
    """Create the demo data; returns (organization, login, password, roles) for every demo account."""
    year = local_today().year
    orgs: dict[str, Organization] = {}
    users: dict[tuple[str, str], User] = {}
    for spec in ORGS:
        org = orgs[spec.key] = _demo_organization(spec)
        dept = create_department(SYSTEM, org.id, {'name': 'Общий отдел', 'code': 'ОО'})
        create_department(SYSTEM, org.id, {'name': 'Отдел исполнения', 'code': 'ОИ', 'parent_id': dept.id})
        create_position(SYSTEM, org.id, {'title': 'Специалист'})
        for kind, name, template in JOURNALS:
            create_journal(SYSTEM, org.id, {'kind': kind.value, 'year': year, 'name': name, 'template': template})
        create_case_file(
            SYSTEM,
            org.id,
            {
                'year': year,
                'index': '01-05',
                'title': 'Переписка с органами власти',
                'retention_years': 5,
                'retention_article': 'ст. 70',
            },
        )
        create_case_file(
            SYSTEM,
            org.id,
            {
                'year': year,
                'index': '01-10',
                'title': 'Обращения граждан',
                'retention_years': 5,
                'retention_article': 'ст. 154',
            },
        )
        for login, last, first, middle, roles in _staff(spec.key):
            users[spec.key, login] = _demo_user(
                org,
                dept.id,
                login,
                last,
                first,
                middle,
                roles,
                system_admin=(spec.key == 'min' and login == 'admin'),
                signer=signer_of(spec.key, login),
            )
    _demo_cards(orgs)
    _demo_resolutions(orgs)
    demo_exchange_participants()
    _demo_routing(orgs)
    pki = load_demo_pki(users, DEMO_PASSWORD)
    # The letter is signed and sent, the MFC's application filed once this is committed: a signature is verified
    # against the committed trust store. Their modules load pyhanko (0.5 s) for the PDFs, so they are imported here.
    from edms.cli.demo_letter import send_demo_letter
    from edms.cli.demo_services import file_demo_registration, load_services

    load_services(orgs, _demo_citizen())
    certificate = pki.certificates['min', 'manager']
    on_commit(send_demo_letter, orgs['min'].id, orgs['mig'].id, certificate.id, DEMO_PASSWORD)
    on_commit(file_demo_registration, orgs['mfc'].id, pki.owner)
    return demo_logins()


def _demo_organization(spec: DemoOrg) -> Organization:
    raw = {
        'name': spec.name,
        'short_name': spec.short_name,
        'kind': spec.kind.value,
        'ogrn': ogrn_with_check(spec.ogrn_base),
        'inn': inn10_with_check(spec.inn_base),
        'kpp': spec.kpp,
        'address': 'г. Энск, ул. Центральная, д. 1',
        'email': f'{spec.key}@example.gov.ru',
    }
    return create_organization(SYSTEM, raw)


def _demo_citizen() -> User:
    """The portal and its applicants: the citizen, whose СНИЛС and ИНН are those of the demo's applications (returned),
    and the accountant of his company's cabinet."""
    from edms.cli.demo_legal_cabinet import ACCOUNTANT_INN, ACCOUNTANT_SNILS
    from edms.cli.demo_services import CITIZEN_INN, CITIZEN_SNILS

    portal = _demo_organization(PORTAL)
    identities = {
        'citizen': {'snils': CITIZEN_SNILS, 'inn': CITIZEN_INN},
        'accountant': {'snils': ACCOUNTANT_SNILS, 'inn': ACCOUNTANT_INN},
    }
    users = {
        login: _demo_user(portal, None, login, last, first, middle, roles, system_admin=False, **identities[login])
        for login, last, first, middle, roles in PORTAL_USERS
    }
    return users['citizen']


def _roles_text(organization: str, login: str, roles: tuple[Role, ...]) -> str:
    text = ', '.join(role.value for role in roles)
    note = LOGIN_NOTES.get((organization, login))
    return f'{text} — {note}' if note else text


@cache
def _demo_password_hash() -> str:
    """The demo password's argon2 hash, computed once per process: each hash takes about half a second, and the
    password is published anyway (an account that changes it gets its own hash)."""
    return hash_password(DEMO_PASSWORD)


def _demo_user(
    org: Organization,
    dept_id: int | None,
    login: str,
    last: str,
    first: str,
    middle: str,
    roles: tuple[Role, ...],
    *,
    system_admin: bool,
    signer: DemoSigner | None = None,
    snils: str | None = None,
    inn: str | None = None,
) -> User:
    """A demo account; a demo signer's account carries the СНИЛС and ИНН of their qualified certificate."""
    from edms.audit.operations import record
    from edms.core.db import db

    user = User(
        organization_id=org.id,
        department_id=dept_id,
        login=login,
        last_name=last,
        first_name=first,
        middle_name=middle,
        password_hash=_demo_password_hash(),
        must_change_password=False,
        is_system_admin=system_admin,
        can_access_restricted=login in ('manager', 'clerk'),
        snils=signer.snils if signer else snils,
        inn=signer.inn if signer else inn,
    )
    user.role_rows = [UserRole(role=role) for role in roles]
    db.session.add(user)
    db.session.flush()
    record(SYSTEM, 'user.create', user, {'login': login, 'demo': True}, organization_id=org.id)
    return user


def _demo_cards(orgs: dict[str, Organization]) -> None:
    from edms.core.db import db

    clerk = db.session.execute(
        select(User).where(User.organization_id == orgs['min'].id, User.login == 'clerk')
    ).scalar_one()
    samples = (
        (
            'incoming',
            'Письмо',
            'О предоставлении сведений о подключении организаций к межведомственной системе',
            orgs['tax'].id,
            '',
            '03-12/4512',
        ),
        (
            'incoming',
            'Письмо',
            'О согласовании регламента предоставления услуги временной регистрации',
            orgs['mig'].id,
            '',
            '12/8-1044',
        ),
        (
            'citizen_appeal',
            'Обращение',
            'О благоустройстве территории у дома № 5 по ул. Садовой',
            None,
            'Иванов Иван Иванович',
            None,
        ),
        ('outgoing', 'Письмо', 'О направлении списка пользователей для подключения к системе', None, '', None),
        ('internal', 'Служебная записка', 'О проведении обучения руководителей работе в кабинете', None, '', None),
    )
    for kind, doc_kind, summary, corr_org, corr_name, sender_number in samples:
        raw = {
            'kind': kind,
            'document_kind': doc_kind,
            'summary': summary,
            'delivery_method': 'medo' if corr_org else None,
            'correspondent_organization_id': corr_org,
            'correspondent_name': corr_name,
            'pages': 2,
            'sender_number': sender_number,
            'sender_date': local_today().isoformat() if sender_number else None,
        }
        if kind == 'outgoing':
            raw['addressees'] = [{'name': '', 'organization_id': orgs['mfc'].id}]
        create_card(clerk, raw, register=True)


#: Incoming letters of the ministry worked on by resolutions: (summary, correspondent key, sender's number).
EXECUTION_LETTERS = (
    ('О включении мероприятий в план цифровой трансформации на следующий год', 'tax', '03-12/4620'),
    ('О рассмотрении проекта соглашения об информационном взаимодействии', 'mig', '12/8-1101'),
    ('О представлении отчёта о подключении подведомственных учреждений', 'tax', '03-12/4711'),
    ('О проведении совещания по вопросам межведомственного электронного взаимодействия', 'mfc', '07-01/233'),
    ('О направлении сведений о пользователях системы электронного документооборота', 'mig', '12/8-1150'),
)
DRAFT_TEXTS = ('Подготовить предложения в план', 'Рассмотреть проект, подготовить замечания')
REPORT_PDF = b'%PDF-1.4\n1 0 obj << /Title (Spravka) >> endobj\ntrailer <<>>\n%%EOF\n'


def _demo_resolutions(orgs: dict[str, Organization]) -> None:
    """Through the operations: two drafts for the manager («На рассмотрение»), the executor's assignments overdue
    and due soon, and a resolution under the controller's control with the executor's report awaiting decision."""
    staff = _ministry_staff(orgs['min'])
    cards = [_letter(staff['clerk'], orgs[key], summary, number) for summary, key, number in EXECUTION_LETTERS]
    cal = business_calendar()
    today = deadlines.today()
    for card, text in zip(cards[:2], DRAFT_TEXTS, strict=True):
        draft = _resolution_input(text, staff, cal.add_working_days(today, 10).date, author_id=staff['manager'].id)
        draft_resolution(staff['assistant'], card, draft)
    overdue = cal.previous_working_day(today - timedelta(days=3))
    issued = cal.previous_working_day(overdue - timedelta(days=7))
    with _issued_on(issued):
        late = issue_resolution(staff['manager'], cards[2], _resolution_input('Подготовить отчёт', staff, overdue))
    late.issued_at = late.signed_at = datetime.combine(issued, time(10), tzinfo=UTC)  # not part of the signed content
    # Due soon: two working days from the registration (today), counted by the calendar.
    issue_resolution(staff['manager'], cards[3], _resolution_input('Подготовить предложения', staff, 2))
    controlled = _resolution_input(
        'Направить сведения; доложить', staff, cal.add_working_days(today, 10).date, controller=staff['controller']
    )
    resolution = issue_resolution(staff['manager'], cards[4], controlled)
    report = {'text': 'Сведения направлены письмом, справка прилагается.'}
    submit_report(staff['executor'], resolution.responsible, report, [(io.BytesIO(REPORT_PDF), 'Справка.pdf')])


def _ministry_staff(ministry: Organization) -> dict[str, User]:
    from edms.core.db import db

    users = db.session.execute(select(User).where(User.organization_id == ministry.id)).scalars()
    return {user.login: user for user in users}


def _letter(clerk: User, sender: Organization, summary: str, number: str) -> Card:
    raw = {
        'kind': 'incoming',
        'document_kind': 'Письмо',
        'summary': summary,
        'delivery_method': 'medo',
        'correspondent_organization_id': sender.id,
        'pages': 3,
        'sender_number': number,
        'sender_date': local_today().isoformat(),
    }
    return create_card(clerk, raw, register=True)


def _resolution_input(
    text: str, staff: dict[str, User], deadline: date | int, *, controller: User | None = None, **extra: Any
) -> dict[str, Any]:
    """The executor as responsible (the co-executor beside him when there is no controller) with one deadline: a
    date, or a number of working days from the card's registration."""
    due = {'deadline': deadline.isoformat()} if isinstance(deadline, date) else {'deadline_days': deadline}
    executors = [{'user_id': staff['executor'].id, 'responsible': True, **due}]
    if controller is None:
        executors.append({'user_id': staff['coexecutor'].id, 'responsible': False, **due})
    control = {'is_controlled': True, 'controller_id': controller.id} if controller is not None else {}
    return {'text': text, 'executors': executors, **control, **extra}


@contextmanager
def _issued_on(day: date) -> Iterator[None]:
    """Issue as if today were `day` (a deadline in the past is refused today): the demo's overdue assignment."""
    with mock.patch.object(deadlines, 'today', return_value=day):
        yield


def _demo_routing(orgs: dict[str, Organization]) -> None:
    """The ministry's routing rules: letters of the tax service to the executor of the execution department, other
    documents received by МЭДО to that department, citizen appeals to the general department."""
    from edms.core.db import db
    from edms.directory.models import Department
    from edms.routing.operations import create_rule

    ministry = orgs['min']
    query = select(Department).where(Department.organization_id == ministry.id)
    departments = {department.code: department.id for department in db.session.execute(query).scalars()}
    general, execution = departments['ОО'], departments['ОИ']
    executor = _ministry_staff(ministry)['executor']
    rules = (
        {
            'name': 'Письма УФНС — исполнителю отдела исполнения',
            'card_kind': 'incoming',
            'document_kind': 'Письмо',
            'correspondent_organization_id': orgs['tax'].id,
            'department_id': execution,
            'executor_id': executor.id,
        },
        {'name': 'Прочее по МЭДО — в отдел исполнения', 'delivery_method': 'medo', 'department_id': execution},
        {'name': 'Обращения граждан — общему отделу', 'card_kind': 'citizen_appeal', 'department_id': general},
    )
    for raw in rules:
        create_rule(SYSTEM, ministry.id, raw)


#: МЭДО mailboxes of the demo organizations; the bank is a partner system reached over HTTP.
DEMO_MAILBOXES = {'min': 'MINCIFRY_S', 'mig': 'UVM_ENSK_S', 'tax': 'UFNS_ENSK_S', 'mfc': 'MFC_ENSK_S', 'bank': 'BANK_S'}
DEMO_PARTNER_ENDPOINT = 'http://127.0.0.1:5001/api/v1/exchange/packets'


def demo_exchange_participants() -> int:
    """The demo organizations in the directory of exchange participants (their GUIDs derived from the ОГРН, so the
    same on every installation); organizations already in it are left alone. Returns how many were added."""
    import uuid

    from edms.core.db import db
    from edms.exchange.models import ExchangeParticipant
    from edms.exchange.operations import create_participant

    added = 0
    for spec in ORGS:
        ogrn = ogrn_with_check(spec.ogrn_base)
        org = db.session.execute(select(Organization).where(Organization.ogrn == ogrn)).scalar_one_or_none()
        if org is None or db.session.execute(select(ExchangeParticipant.id).filter_by(organization_id=org.id)).first():
            continue
        partner = spec.kind == OrganizationKind.partner
        raw = {
            'organization_id': org.id,
            'guid': str(uuid.uuid5(uuid.NAMESPACE_URL, f'urn:edms:demo:medo:{ogrn}')),
            'medo_address': DEMO_MAILBOXES[spec.key],
            'endpoint_url': DEMO_PARTNER_ENDPOINT if partner else '',
            'is_local': not partner,
        }
        create_participant(SYSTEM, raw)
        added += 1
    return added
