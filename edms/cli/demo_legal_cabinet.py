"""The demo's legal entity and its cabinet (seed 000): the portal's citizen is the head of «Энский хлебозавод»; his
registration of the company's cabinet is approved by the ministry's executor, which makes him the cabinet's
administrator, and he adds the company's accountant (the portal's `accountant`) with «view» and «send» — she sees
the company's applications and files them on its behalf.

The head's qualified signature under the registration is given as the facts a verification would establish (the
demo PKI issues no certificate naming the company), as the citizen's SMS confirmation is in `demo_services`. The
accountant is added by the system-level seeding path (`seed_legal_cabinet_member`, no SMS code or signature: the demo
loader is not a request of the head's), and the cabinet's journal says so (`confirmation: seed`).

So that the head can confirm staff changes by SMS out of the box, his account gets a confirmed mobile phone
(`HEAD_PHONE`, the contact phone of his demo applications) seeded directly as system data: no code was sent to it.
With `make run` (no SMS gateway) the staff change's code arrives as an in-app notification.
"""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from edms.auth.models import User
from edms.citizen_services.catalogue.definition import Channel
from edms.citizen_services.models import Application
from edms.citizen_services.operations import approve, file_application
from edms.citizen_services.operations.interagency import send_needed_requests
from edms.citizen_services.operations.interagency_register import add_egrul_entry
from edms.citizen_services.operations.legal_cabinets_staff import seed_legal_cabinet_member
from edms.citizen_services.queries.interagency import active_interagency_provider
from edms.citizen_services.queries.legal_cabinets import legal_cabinets_of
from edms.citizen_services.rules.facts import QUALIFIED, SignatureFacts
from edms.cli.demo import inn10_with_check, ogrn_with_check
from edms.core.access import SYSTEM
from edms.core.clock import utcnow

#: The head's confirmed mobile phone (E.164), the contact phone of the demo citizen's applications.
HEAD_PHONE = '+79123456789'
#: The accountant of the company: a portal account with her СНИЛС and personal ИНН.
ACCOUNTANT = ('accountant', 'Счётова', 'Нина', 'Сергеевна')
ACCOUNTANT_SNILS, ACCOUNTANT_INN = '08765430300', '773400211252'
COMPANY = {
    'name': 'Общество с ограниченной ответственностью «Энский хлебозавод»',
    'legal_form': 'Общество с ограниченной ответственностью',
    'ogrn': ogrn_with_check('102770099887'),
    'inn': inn10_with_check('770799887'),
    'kpp': '770701001',
    'registration_date': '15.03.2012',
    'legal_address': {
        'postal_code': '123456',
        'region': 'Энская область',
        'locality': 'г. Энск',
        'street': 'ул. Заводская',
        'house': '3',
    },
}


def load_legal_cabinet(executor: User, head: User) -> None:
    """The head's registration filed and approved (the cabinet created), the accountant added with view and send."""
    application = file_application(
        head, 'legal_entity_cabinet', registration(head), channel=Channel.portal.value, signatures=[_head_signs(head)]
    )
    _compare_with_egrul(application)
    approve(executor, application, comment='Сведения совпадают с ЕГРЮЛ.')
    [(cabinet, me)] = legal_cabinets_of(head)
    raw = {'snils': ACCOUNTANT_SNILS, 'role': 'accountant', 'rights': ['view', 'send']}
    seed_legal_cabinet_member(head, cabinet, me, raw)
    # System data of the demo, not the head's «Мой телефон» flow: no code is sent to a demo number.
    head.phone, head.phone_confirmed_at = HEAD_PHONE, utcnow()


def _compare_with_egrul(application: Application) -> None:
    """The tax service's register holds the company as the application states it (the head's СНИЛС and ИНН are not
    ЕГРЮЛ data); the ЕГРЮЛ request goes now and is answered by the register after the demo's commit, so the
    application's page shows the comparison."""
    provider = active_interagency_provider('egrul')
    if provider is None:
        return
    record = copy.deepcopy(application.values)
    for key in ('snils', 'inn', 'passport'):
        record.get('head', {}).pop(key, None)
    add_egrul_entry(SYSTEM, provider.organization, record)
    send_needed_requests(application)


def registration(head: User) -> dict[str, Any]:
    return {
        'organization': COMPANY,
        'head': {
            'last_name': head.last_name,
            'first_name': head.first_name,
            'middle_name': head.middle_name,
            'position': 'Генеральный директор',
            'inn': head.inn,
            'snils': head.snils,
            'passport': {'series': '4510', 'number': '123456', 'issue_date': '20.05.2010', 'issuer': 'ОВД г. Энска'},
        },
    }


def _head_signs(head: User) -> SignatureFacts:
    """The head's qualified signature naming the company and him, signed now, the certificate valid a year around."""
    now = utcnow()
    return SignatureFacts(
        'application',
        QUALIFIED,
        'valid',
        now,
        signing_time=now - timedelta(minutes=5),
        qualified=True,
        not_before=now - timedelta(days=180),
        not_after=now + timedelta(days=185),
        ogrn=COMPANY['ogrn'],
        inn_le=COMPANY['inn'],
        inn=head.inn,
        snils=head.snils,
    )
