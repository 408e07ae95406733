"""Demo data for the embedded default: five organizations, users for every role, journals, case files, cards."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from edms.auth.models import Role, User, UserRole
from edms.auth.passwords import hash_password
from edms.core.access import SYSTEM
from edms.core.clock import local_today
from edms.directory.models import Organization, OrganizationKind
from edms.directory.operations import create_department, create_organization, create_position
from edms.registry.models import CardKind
from edms.registry.operations import create_card, create_case_file, create_journal

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

#: (login, last name, first name, middle name, roles) of the ministry's staff.
MINISTRY_USERS = (
    ('admin', 'Администраторов', 'Алексей', 'Петрович', (Role.administrator,)),
    ('clerk', 'Регистраторова', 'Мария', 'Ивановна', (Role.clerk,)),
    ('manager', 'Руководителев', 'Игорь', 'Сергеевич', (Role.manager,)),
    ('assistant', 'Помощникова', 'Анна', 'Викторовна', (Role.assistant,)),
    ('executor', 'Исполнителев', 'Пётр', 'Андреевич', (Role.executor,)),
    ('controller', 'Контролёрова', 'Елена', 'Олеговна', (Role.controller,)),
)
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


def load_demo() -> list[tuple[str, str, str, str]]:
    """Create the demo data; returns (organization, login, password, roles) for every demo account."""
    year = local_today().year
    logins: list[tuple[str, str, str, str]] = []
    orgs: dict[str, Organization] = {}
    for spec in ORGS:
        org = create_organization(
            SYSTEM,
            {
                'name': spec.name,
                'short_name': spec.short_name,
                'kind': spec.kind.value,
                'ogrn': ogrn_with_check(spec.ogrn_base),
                'inn': inn10_with_check(spec.inn_base),
                'kpp': spec.kpp,
                'address': 'г. Энск, ул. Центральная, д. 1',
                'email': f'{spec.key}@example.gov.ru',
            },
        )
        orgs[spec.key] = org
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
        staff = MINISTRY_USERS if spec.key == 'min' else MINISTRY_USERS[:2]
        for login, last, first, middle, roles in staff:
            _demo_user(
                org, dept.id, login, last, first, middle, roles, system_admin=(spec.key == 'min' and login == 'admin')
            )
            logins.append((org.short_name, login, DEMO_PASSWORD, ', '.join(r.value for r in roles)))
    _demo_cards(orgs)
    return logins


def _demo_user(
    org: Organization,
    dept_id: int,
    login: str,
    last: str,
    first: str,
    middle: str,
    roles: tuple[Role, ...],
    *,
    system_admin: bool,
) -> User:
    from edms.audit.operations import record
    from edms.core.db import db

    user = User(
        organization_id=org.id,
        department_id=dept_id,
        login=login,
        last_name=last,
        first_name=first,
        middle_name=middle,
        password_hash=hash_password(DEMO_PASSWORD),
        must_change_password=False,
        is_system_admin=system_admin,
        can_access_restricted=login in ('manager', 'clerk'),
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
