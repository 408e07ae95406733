"""The demo's public services: the provider of each catalogue service (temporary registration — the migration
service, the taxpayer's cabinet — the tax service, the legal entity's cabinet — the ministry, its catalogue agency
«portal_operator»), a routing rule by service code in each provider, and two filed applications:

- the portal's citizen connects to the taxpayer's cabinet himself, confirming with an SMS code (in the load's own
  transaction);
- the MFC operator files the same citizen's temporary registration on his behalf with a passport scan, the property
  register's extract and the flat owner's consent signed with her qualified certificate of the demo PKI. The
  signature is verified against the committed trust store, so this one is filed after the commit
  (`file_demo_registration`, as the letter is sent).

Both land, registered and routed, in the agencies' «Заявления граждан» and in the citizen's «Мои заявления» (his
СНИЛС links the MFC's application to his portal account). The citizen's company gets its cabinet with him as
administrator and its accountant (`demo_legal_cabinet`).
"""

from __future__ import annotations

import io
import struct
import zlib
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from edms.auth.models import User
from edms.citizen_services.catalogue.definition import Channel
from edms.citizen_services.operations import UploadedFile, create_provider, file_application
from edms.citizen_services.rules.facts import SignatureFacts
from edms.cli.demo_interagency import load_interagency
from edms.cli.demo_legal_cabinet import load_legal_cabinet
from edms.cli.demo_pdf import Letter, letter_pdf
from edms.cli.demo_pki import CONSENT_OWNER, PersonKey
from edms.core.access import SYSTEM
from edms.core.clock import local_today, utcnow
from edms.core.db import db
from edms.core.tx import atomic
from edms.directory.models import Department, Organization
from edms.routing.operations import create_rule

#: The citizen of the demo: the portal's applicant, the visitor of the MFC (the tests' sample identifiers).
CITIZEN = ('Петров', 'Пётр', 'Петрович')
CITIZEN_SNILS, CITIZEN_INN, CITIZEN_BIRTH = '11223344595', '500100732259', '15.04.1990'
CITIZEN_EMAIL = 'petrov@example.ru'
#: service code -> (demo organization key, routing rule name, executor's login or None for the department only).
PROVIDERS = {
    'temporary_registration': ('mig', 'Регистрация по месту пребывания — начальнику управления', 'manager'),
    'taxpayer_cabinet': ('tax', 'Кабинет налогоплательщика — отделу исполнения', None),
    'legal_entity_cabinet': ('min', 'Кабинет юридического лица — исполнителю отдела исполнения', 'executor'),
}
CONSENT_FILENAME = 'Согласие собственника.pdf'


def load_services(orgs: dict[str, Organization], citizen: User) -> None:
    """The providers with their routing rules, and the citizen's taxpayer-cabinet application (SMS-confirmed)."""
    for code, (key, name, executor) in PROVIDERS.items():
        organization = orgs[key]
        create_provider(SYSTEM, {'service_code': code, 'organization_id': organization.id})
        create_rule(SYSTEM, organization.id, _rule(organization, code, name, executor))
    load_interagency(orgs)
    data = {'inn': CITIZEN_INN, 'snils': CITIZEN_SNILS, 'birth_date': CITIZEN_BIRTH, 'email': CITIZEN_EMAIL}
    # The loader states the fact a confirmed code would give (edms.notifications.sms.send_code and confirm_code are
    # the user's way); no code is sent to the demo citizen's phone.
    confirmed = SignatureFacts.sms('application', utcnow())
    file_application(citizen, 'taxpayer_cabinet', data, channel=Channel.portal.value, signatures=[confirmed])
    load_legal_cabinet(_user(orgs['min'].id, 'executor'), citizen)


def _rule(organization: Organization, code: str, name: str, executor: str | None) -> dict[str, Any]:
    """The service's applications to the execution department (ОИ), to its executor when one is named."""
    query = select(Department.id).where(Department.organization_id == organization.id, Department.code == 'ОИ')
    raw: dict[str, Any] = {'name': name, 'service_code': code, 'department_id': db.session.execute(query).scalar_one()}
    if executor is not None:
        raw['executor_id'] = _user(organization.id, executor).id
    return raw


def _user(organization_id: int, login: str) -> User:
    query = select(User).where(User.organization_id == organization_id, User.login == login)
    return db.session.execute(query).scalar_one()


def file_demo_registration(mfc_id: int, owner: PersonKey) -> int:
    """The MFC operator files the citizen's temporary registration (in its own transaction, after the demo's commit:
    the owner's signature is verified against the committed trust store); returns the application's id."""
    with atomic():
        operator = _user(mfc_id, 'mfc')
        consent = letter_pdf(_consent())
        files = [
            UploadedFile('identity_document', 'Паспорт.png', io.BytesIO(tiny_png())),
            UploadedFile('residence_right', 'Выписка из ЕГРН.pdf', io.BytesIO(letter_pdf(_extract()))),
            UploadedFile('owner_consent', CONSENT_FILENAME, io.BytesIO(consent)),
        ]
        application = file_application(
            operator,
            'temporary_registration',
            registration_data(),
            files,
            channel=Channel.mfc.value,
            detached={'owner_consent': owner.sign(consent)},
            on_behalf={'name': ' '.join(CITIZEN), 'snils': CITIZEN_SNILS},
        )
        return application.id


ADDRESS = {
    'postal_code': '123456',
    'region': 'Энская область',
    'locality': 'г. Энск',
    'street': 'ул. Садовая',
    'house': '5',
    'apartment': '12',
}
ADDRESS_TEXT = '123456, Энская область, г. Энск, ул. Садовая, д. 5, кв. 12'


def registration_data() -> dict[str, Any]:
    """A Russian adult, not the owner, filing himself: 90 days of stay from three days ahead."""
    start = local_today() + timedelta(days=3)
    last, first, middle = CITIZEN
    return {
        'applicant': {
            'last_name': last,
            'first_name': first,
            'middle_name': middle,
            'birth_date': CITIZEN_BIRTH,
            'citizenship': 'russian',
            'passport': {'series': '4510', 'number': '123456', 'issue_date': '20.05.2010', 'issuer': 'ОВД г. Энска'},
            'inn': CITIZEN_INN,
            'snils': CITIZEN_SNILS,
        },
        'contacts': {'phone': '+7 912 345-67-89', 'email': CITIZEN_EMAIL},
        'stay': {
            'address': ADDRESS,
            'start_date': f'{start:%d.%m.%Y}',
            'end_date': f'{start + timedelta(days=89):%d.%m.%Y}',
            'reason': 'work',
            'applicant_is_owner': 'false',
        },
        'filed_by': 'self',
        'owner': {
            'last_name': CONSENT_OWNER.surname,
            'first_name': CONSENT_OWNER.given_name.split()[0],
            'middle_name': CONSENT_OWNER.given_name.split()[1],
            'passport': {'series': '4612', 'number': '654321', 'issue_date': '01.02.2015'},
        },
    }


def _consent() -> Letter:
    owner = f'{CONSENT_OWNER.surname} {CONSENT_OWNER.given_name}'
    return Letter(
        organization=owner,
        address=ADDRESS_TEXT,
        number=f'{local_today():%d.%m.%Y}',
        addressee='В подразделение по вопросам миграции',
        subject='Согласие собственника жилого помещения',
        paragraphs=(
            f'Я, {owner}, собственник жилого помещения по адресу: {ADDRESS_TEXT}, согласна на регистрацию '
            f'{" ".join(CITIZEN)} по месту пребывания в этом помещении сроком на 90 дней.',
        ),
        post='Собственник',
        signatory=owner,
        note='Демонстрационный документ МСЭД: подписан сертификатом демонстрационного УЦ, юридической силы не имеет.',
    )


def _extract() -> Letter:
    return Letter(
        organization='Управление Росреестра по Энской области',
        address='г. Энск',
        number=f'№ 99/2026/000001 от {local_today():%d.%m.%Y}',
        addressee='',
        subject='Выписка из ЕГРН об основных характеристиках объекта недвижимости',
        paragraphs=(f'Квартира, {ADDRESS_TEXT}. Правообладатель: {CONSENT_OWNER.surname} {CONSENT_OWNER.given_name}.',),
        post='',
        signatory='',
        note='Демонстрационный документ МСЭД: юридической силы не имеет.',
    )


def tiny_png() -> bytes:
    """A 1×1 grey PNG: the passport «scan» of the demo."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))

    header = struct.pack('>IIBBBBB', 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b'\x00\x80')
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', header) + chunk(b'IDAT', pixels) + chunk(b'IEND', b'')
