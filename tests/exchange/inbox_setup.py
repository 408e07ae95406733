"""Data of the inbox tests: two organizations in the directory of exchange participants — the ministry served here
(a clerk who may see restricted documents, a manager) and a partner agency with a user whose token posts packets —
the test PKI's accredited roots in the trust store, and packets built by `build_packet` from the partner to the
ministry, signed by the PKI's RSA user (or any other), zipped as the HTTP transport delivers them."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

from sqlalchemy import func, select

from edms.auth.models import User
from edms.core.access import SYSTEM
from edms.core.clock import local_today
from edms.core.db import db
from edms.core.tx import atomic
from edms.directory.models import Organization
from edms.exchange.models import ExchangeParticipant, InboxPacket, OutboxPacket
from edms.exchange.operations import create_participant
from edms.exchange.operations.common import zip_files
from edms.exchange.packets.writer import (
    ACCESS_RESTRICTED,
    OutgoingDocument,
    PacketFile,
    Participant,
    Signatory,
    SignerMaterial,
    build_packet,
)
from edms.registry.models import Card
from edms.signatures.crypto import keys
from scripts.make_test_pki import PEOPLE, TestPki
from tests.factories import api_token, make_organization, make_user
from tests.signatures.store_setup import install_trust

PDF = b'%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n' * 20
ANNEX = b'%PDF-1.4\n% annex\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n' * 10
MINISTRY_GUID = '0f6a8d52-3c1e-4b7a-9d2e-5a4c3b2a1f00'
PARTNER_GUID = '7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f'
SUMMARY = 'О направлении отчёта о цифровой трансформации за I квартал'


@dataclass
class Exchange:
    """The ministry (served here) and the partner agency, with their participants and people."""

    ministry: Organization
    partner: Organization
    ministry_node: ExchangeParticipant
    partner_node: ExchangeParticipant
    clerk: User
    manager: User
    partner_user: User
    token: str
    pki: TestPki
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def ministry_identity(self) -> Participant:
        return Participant(UUID(self.ministry_node.guid), self.ministry.name, self.ministry_node.medo_address)

    @property
    def partner_identity(self) -> Participant:
        return Participant(UUID(self.partner_node.guid), self.partner.name, self.partner_node.medo_address)


def make_exchange(pki: TestPki, *, trust: bool = True) -> Exchange:
    if trust:
        install_trust(pki, crls=False)
    with atomic():
        ministry = make_organization('Минцифры')
        partner = make_organization('Агентство', kind='partner')
        ministry_node = create_participant(
            SYSTEM, {'organization_id': ministry.id, 'guid': MINISTRY_GUID, 'medo_address': 'MINCIFRY_S'}
        )
        partner_node = create_participant(
            SYSTEM,
            {
                'organization_id': partner.id,
                'guid': PARTNER_GUID,
                'medo_address': 'AGENCY_S~MEDOGU',
                'endpoint_url': 'https://agency.example/api/v1/exchange/packets',
                'is_local': False,
            },
        )
        clerk = make_user(ministry, 'clerk', can_access_restricted=True)
        manager = make_user(ministry, 'manager')
        partner_user = make_user(partner, 'clerk')
        token = api_token(partner_user)
    return Exchange(ministry, partner, ministry_node, partner_node, clerk, manager, partner_user, token, pki)


def signer(pki: TestPki, user: str = 'rsa') -> SignerMaterial:
    surname, names, post, *_ = PEOPLE[user]
    key = keys.load_private_key(pki.users[user].key_der.read_bytes())
    return SignerMaterial(key, pki.user_der(user), pki.chain_ders(user), f'{surname} {names}', post)


def outgoing(number: str = '01-02/77', *, restricted: bool = False, **changes: object) -> OutgoingDocument:
    values: dict[str, object] = {
        'reg_number': number,
        'reg_date': local_today() - timedelta(days=1),
        'kind': 'Письмо',
        'annotation': SUMMARY,
        'pages': 2,
        'enclosure_pages': 1,
        'main_file': PacketFile('letter.pdf', PDF, 'Письмо'),
        'signatories': (Signatory('Иванов Иван Иванович', 'Начальник отдела'),),
        'attachments': (PacketFile('annex.pdf', ANNEX, 'Смета'),),
        'access_mark': ACCESS_RESTRICTED if restricted else 'Обычная информация',
        **changes,
    }
    return OutgoingDocument(**values)  # type: ignore[arg-type]


def packet_zip(
    exchange: Exchange,
    document: OutgoingDocument | None = None,
    *,
    to: Participant | None = None,
    signers: list[SignerMaterial] | None = None,
    uid: UUID | None = None,
    created: datetime | None = None,
) -> bytes:
    """The packet from the partner to the ministry (or `to`), zipped as a partner system posts it."""
    built = build_packet(
        document or outgoing(),
        sender=exchange.partner_identity,
        addressees=[to or exchange.ministry_identity],
        signers=signers or [signer(exchange.pki)],
        created=created or datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1),
        uid=uid or uuid4(),
    )
    return zip_files(built.files)


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(data: bytes, **replace: bytes | None) -> bytes:
    """The packet zip with files replaced (None removes one)."""
    files = {**unzip(data), **replace}
    return zip_files({name: content for name, content in files.items() if content is not None})


def count(model: type, *conditions: object) -> int:
    with atomic():
        return db.session.execute(select(func.count()).select_from(model).where(*conditions)).scalar_one()


def inbox_rows() -> list[InboxPacket]:
    with atomic():
        return list(db.session.execute(select(InboxPacket).order_by(InboxPacket.id)).scalars())


def outbox_rows() -> list[OutboxPacket]:
    with atomic():
        return list(db.session.execute(select(OutboxPacket).order_by(OutboxPacket.id)).scalars())


def cards() -> list[Card]:
    with atomic():
        return list(db.session.execute(select(Card).order_by(Card.id)).scalars())


def yesterday() -> date:
    return local_today() - timedelta(days=1)
