"""Data of the sending tests: the ministry of the test PKI (its signer bound to a qualified certificate), a second
organization served by the same system (the agency) and a partner reached over HTTP, all in the directory of
exchange participants; a registered outgoing card of the ministry addressed to the agency, the partner and a person,
with a PDF signed by the ministry's signer and an annex."""

from __future__ import annotations

import io
from dataclasses import dataclass

from edms.auth.models import User
from edms.core.access import SYSTEM
from edms.core.tx import atomic
from edms.directory.models import Organization
from edms.exchange.models import ExchangeParticipant
from edms.exchange.operations import create_participant
from edms.registry.models import Attachment, Card
from edms.registry.operations import add_attachment
from edms.signatures.operations import import_certificate
from edms.signatures.operations.signing import sign_attachment
from scripts.make_test_pki import MINISTRY, TestPki
from tests.exchange.inbox_setup import ANNEX, PDF
from tests.factories import make_card, make_organization, make_user
from tests.signatures.store_setup import install_trust, p12

PASSWORD = 'test123'
MINISTRY_GUID = '11111111-2222-4333-8444-555555555555'
AGENCY_GUID = '22222222-3333-4444-8555-666666666666'
PARTNER_GUID = '33333333-4444-4555-8666-777777777777'


@dataclass
class Sending:
    ministry: Organization
    agency: Organization
    partner: Organization
    ministry_node: ExchangeParticipant
    agency_node: ExchangeParticipant
    partner_node: ExchangeParticipant
    clerk: User
    signer: User
    agency_clerk: User
    card: Card
    main: Attachment
    annex: Attachment
    certificate_id: int


def make_sending(pki: TestPki, *, sign: bool = True) -> Sending:
    install_trust(pki)
    with atomic():
        ministry = make_organization('Минцифры', ogrn=MINISTRY['ogrn'], inn=MINISTRY['inn_le'])
        agency = make_organization('Агентство связи')
        partner = make_organization('Партнёр', kind='partner')
        nodes = [
            create_participant(
                SYSTEM, {'organization_id': ministry.id, 'guid': MINISTRY_GUID, 'medo_address': 'MIN_S'}
            ),
            create_participant(SYSTEM, {'organization_id': agency.id, 'guid': AGENCY_GUID, 'medo_address': 'AGENCY_S'}),
            create_participant(
                SYSTEM,
                {
                    'organization_id': partner.id,
                    'guid': PARTNER_GUID,
                    'medo_address': 'PARTNER_S',
                    'endpoint_url': 'https://partner.example/api/v1/exchange/packets',
                    'is_local': False,
                },
            ),
        ]
        clerk = make_user(ministry, 'clerk')
        signer = make_user(ministry, 'manager', snils=pki.users['rsa'].profile['snils'])
        agency_clerk = make_user(agency, 'clerk', can_access_restricted=True)
        certificate = import_certificate(signer, signer, p12(pki, 'rsa'), PASSWORD)
        card = make_card(
            clerk,
            kind='outgoing',
            summary='О согласовании регламента обмена',
            correspondent_name='',
            sender_number='',
            sender_date='',
            signer='Иванов Иван Иванович',
            addressees=[
                {'name': agency.name, 'organization_id': agency.id},
                {'name': partner.name, 'organization_id': partner.id},
                {'name': 'Петрову П. П.'},
            ],
        )
        main = add_attachment(clerk, card, io.BytesIO(PDF), 'письмо.pdf', 'Письмо')
        annex = add_attachment(clerk, card, io.BytesIO(ANNEX), 'смета.pdf', 'Смета')
    if sign:
        with atomic():
            sign_attachment(signer, main, certificate.id, PASSWORD)
            sign_attachment(signer, annex, certificate.id, PASSWORD)
    return Sending(ministry, agency, partner, *nodes, clerk, signer, agency_clerk, card, main, annex, certificate.id)
