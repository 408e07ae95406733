"""Sending an outgoing card by МЭДО: one packet per addressee that is a participant, carrying the signatures made in
the card; an addressee served by this system receives it through the same intake as a partner's packet (parsed and
verified into a draft of its «На регистрацию»); the answers fill the sender's timeline per addressee."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest
from sqlalchemy import select

from edms.core.db import db
from edms.core.errors import ValidationFailed
from edms.core.tx import atomic
from edms.exchange.models import Dispatch, ExchangeParticipant, InboxPacket, OutboxPacket
from edms.exchange.operations import on_card_registered, receive_packet, refuse_packet
from edms.exchange.operations.common import medo_identity, stored_bytes, zip_files
from edms.exchange.operations.sending import send_card
from edms.exchange.packets.notices import (
    DocumentRef,
    NoticeSubject,
    Refused,
    Registered,
    build_notification,
    build_receipt,
)
from edms.exchange.packets.reader import read_packet_zip
from edms.notifications.models import Notification
from edms.registry.models import Card, CardAddressee, CardStatus
from edms.registry.operations import register_card
from edms.signatures.models import AttachmentSignature
from scripts.make_test_pki import TestPki
from tests.exchange.inbox_setup import yesterday
from tests.exchange.send_setup import MINISTRY_GUID, Sending, make_sending
from tests.factories import make_card
from tests.signatures.conftest import test_pki  # noqa: F401 - the session fixture of the generated PKI


@pytest.fixture
def world(app_ctx, test_pki: TestPki) -> Sending:  # noqa: F811
    return make_sending(test_pki)


def send(world: Sending, **raw: object) -> list[int]:
    with atomic():
        card = db.session.get(Card, world.card.id)
        return [dispatch.id for dispatch in send_card(world.clerk, card, raw)]


def dispatch_of(dispatch_id: int) -> tuple[str, list[str], str | None]:
    with atomic():
        dispatch = db.session.get(Dispatch, dispatch_id)
        return dispatch.status, [step.step for step in dispatch.steps], dispatch.registered_number


def agency_draft(world: Sending) -> Card:
    with atomic():
        query = select(Card).where(Card.organization_id == world.agency.id)
        return db.session.execute(query).scalar_one()


def test_each_participant_addressee_gets_a_packet_with_the_cards_signatures(world: Sending):
    ids = send(world)

    with atomic():
        dispatches = [db.session.get(Dispatch, item) for item in ids]
        assert [d.addressee_name for d in dispatches] == [world.agency.name, world.partner.name]
        assert len({d.document_uid for d in dispatches}) == 1, 'one container GUID per document'
        outbox = db.session.get(OutboxPacket, dispatches[1].outbox_id)
        packet = read_packet_zip(stored_bytes(outbox.sha256))
        signatures = {
            row.file_sha256: stored_bytes(row.signature_sha256)
            for row in db.session.execute(select(AttachmentSignature)).scalars()
        }
    document = packet.document
    assert document is not None
    assert packet.sender.participant_uid == MINISTRY_GUID
    assert [d.organization for d in packet.destinations] == [world.partner.name]
    assert (document.reg_number, document.reg_date) == (world.card.reg_number, world.card.reg_date)
    assert document.summary == 'О согласовании регламента обмена'
    assert [signer.name for signer in document.signers] == ['Иванов Иван Иванович']
    assert document.main_file is not None
    assert document.main_file.description == 'письмо.pdf', 'the original name, as real senders give it'
    carried = [document.main_file.signatures[0].data, document.attachments[0].signatures[0].data]
    assert carried == list(signatures.values()), 'the signatures made in the card travel unchanged'
    names = [addressee.organization or addressee.person for addressee in document.addressees]
    assert names == [world.agency.name, world.partner.name, 'Петрову П. П.'], 'every addressee of the card'


def test_an_addressee_served_here_gets_a_verified_draft_in_its_registration_queue(world: Sending):
    [to_agency, to_partner] = send(world)

    draft = agency_draft(world)
    assert draft.status == CardStatus.draft
    assert (draft.kind.value, draft.delivery_method.value) == ('incoming', 'medo')
    assert (draft.sender_number, draft.sender_date) == (world.card.reg_number, world.card.reg_date)
    assert draft.correspondent_organization_id == world.ministry.id
    with atomic():
        files = [(item.filename, item.description) for item in db.session.get(Card, draft.id).attachments]
    assert files == [('письмо.pdf', 'Текст документа'), ('смета.pdf', 'Приложение 1')], 'original names restored'
    with atomic():
        inbox = db.session.execute(select(InboxPacket).where(InboxPacket.card_id == draft.id)).scalar_one()
        assert (inbox.transport, inbox.status, inbox.sender_uid) == ('internal', 'accepted', MINISTRY_GUID)
        verdicts = [row.last_verdict for row in db.session.execute(select(AttachmentSignature)).scalars()]
    assert verdicts.count('valid') == 4, 'two signatures made by the ministry, both verified again by the agency'
    status, steps, _ = dispatch_of(to_agency)
    assert (status, steps) == ('delivered', ['queued', 'sent', 'delivered'])
    status, steps, _ = dispatch_of(to_partner)
    assert (status, steps) == ('queued', ['queued']), 'a partner waits for the delivery job'


def test_registration_by_the_addressee_shows_its_number_on_the_senders_timeline(world: Sending):
    [to_agency, _] = send(world)
    draft = agency_draft(world)

    with atomic():
        card = db.session.get(Card, draft.id)
        register_card(world.agency_clerk, card)
        on_card_registered(card)
        number = card.reg_number

    status, steps, registered = dispatch_of(to_agency)
    assert status == 'registered'
    assert steps[-1] == 'registered'
    assert registered == number
    with atomic():
        told = db.session.execute(select(Notification.text).where(Notification.user_id == world.clerk.id)).scalars()
        assert any('Зарегистрирован' in text and number in text for text in told)


def test_refusal_by_the_addressee_is_shown_with_its_reason(world: Sending):
    [to_agency, _] = send(world)
    draft = agency_draft(world)

    with atomic():
        inbox = db.session.execute(select(InboxPacket).where(InboxPacket.card_id == draft.id)).scalar_one()
        refuse_packet(world.agency_clerk, inbox, {'reason': 'Документ неверно адресован', 'comment': 'Не наш'})

    status, steps, _ = dispatch_of(to_agency)
    assert (status, steps[-1]) == ('refused', 'refused')
    with atomic():
        dispatch = db.session.get(Dispatch, to_agency)
        assert 'Документ неверно адресован' in dispatch.steps[-1].text


def test_a_chosen_addressee_only_and_never_twice_while_the_first_is_alive(world: Sending):
    with atomic():
        agency_row = next(a for a in db.session.get(Card, world.card.id).addressees if a.organization_id)
    [only] = send(world, addressees=[agency_row.id])
    assert dispatch_of(only)[0] == 'delivered'

    with pytest.raises(ValidationFailed) as refused:
        send(world, addressees=[agency_row.id])
    assert 'уже отправлен' in refused.value.fields['addressees']
    assert len(send(world)) == 1, 'the rest goes to the partner only'
    with pytest.raises(ValidationFailed) as nothing_left:
        send(world)
    assert 'уже отправлен всем адресатам' in nothing_left.value.fields['addressees']


def test_a_card_that_cannot_be_sent_is_refused_with_the_reason(app_ctx, test_pki: TestPki):  # noqa: F811
    world = make_sending(test_pki, sign=False)
    with pytest.raises(ValidationFailed) as unsigned:
        send(world)
    assert 'подпишите его квалифицированной подписью' in unsigned.value.fields['files']

    with atomic():
        incoming = make_card(world.clerk)
        draft = make_card(world.clerk, register=False, kind='outgoing', correspondent_name='', sender_number='')
    for card, words in ((incoming, 'только исходящие'), (draft, 'только зарегистрированный')):
        with atomic(), pytest.raises(ValidationFailed) as refused:
            send_card(world.clerk, db.session.get(Card, card.id))
        assert words in refused.value.fields['card']
    with atomic():
        assert db.session.execute(select(Dispatch)).first() is None
        assert db.session.execute(select(OutboxPacket)).first() is None


# --- choices, duplicates and the answers' order -------------------------------------------------------------------


def test_an_empty_choice_sends_nothing(world: Sending):
    with pytest.raises(ValidationFailed) as refused:
        send(world, addressees=[])
    assert 'отметьте хотя бы одного адресата' in refused.value.fields['addressees']
    with atomic():
        assert db.session.execute(select(Dispatch)).first() is None


def test_two_addressees_in_one_organization_get_one_packet(world: Sending):
    with atomic():
        card = db.session.get(Card, world.card.id)
        card.addressees.append(CardAddressee(name=f'{world.agency.name}, Сидорову', organization_id=world.agency.id))

    ids = send(world)

    with atomic():
        destinations = [db.session.get(Dispatch, item).destination_id for item in ids]
    assert sorted(destinations) == sorted({world.agency_node.id, world.partner_node.id})


def test_only_the_addressee_answers_for_itself(world: Sending):
    [to_agency, _] = send(world)
    forged = _notice(world, Refused(reason='Документ неверно адресован'), sender=world.agency_node)

    with atomic():
        receive_packet(forged, transport='http', source=world.partner_node)

    status, steps, _ = dispatch_of(to_agency)
    assert (status, steps[-1]) == ('delivered', 'delivered'), 'the partner cannot refuse in the agency name'


def test_a_registration_after_a_failed_delivery_counts_and_a_late_negative_receipt_does_not(world: Sending):
    [_, to_partner] = send(world)
    with atomic():
        dispatch = db.session.get(Dispatch, to_partner)
        dispatch.status = 'failed'
        message_uid = dispatch.message_uid

    registered = _notice(world, Registered(number='15-01/3', date=yesterday()), sender=world.partner_node)
    with atomic():
        receive_packet(registered, transport='http', source=world.partner_node)
    status, steps, number = dispatch_of(to_partner)
    assert (status, number, steps[-1]) == ('registered', '15-01/3', 'registered')

    late = _receipt(world, message_uid, accepted=False)
    with atomic():
        receive_packet(late, transport='http', source=world.partner_node)
    status, steps, _ = dispatch_of(to_partner)
    assert status == 'registered'
    assert steps[-1] == 'not_accepted', 'kept on the timeline, without undoing the registration'


def test_a_receipt_received_twice_is_one_step(world: Sending):
    [_, to_partner] = send(world)
    with atomic():
        message_uid = db.session.get(Dispatch, to_partner).message_uid
    for _ in range(2):
        with atomic():
            receive_packet(_receipt(world, message_uid, accepted=True), transport='http', source=world.partner_node)

    status, steps, _ = dispatch_of(to_partner)
    assert (status, steps) == ('delivered', ['queued', 'delivered'])


def _notice(world: Sending, event: object, *, sender: ExchangeParticipant) -> bytes:
    with atomic():
        dispatch = db.session.execute(select(Dispatch).order_by(Dispatch.id)).scalars().first()
        card = db.session.get(Card, world.card.id)
        subject = NoticeSubject(
            document_uid=UUID(dispatch.document_uid),
            foundation=DocumentRef(number=card.reg_number, date=card.reg_date, organization=world.ministry.name),
        )
        moment = datetime.now(UTC).replace(microsecond=0)
        built = build_notification(
            event,  # type: ignore[arg-type]
            sender=medo_identity(db.session.get(ExchangeParticipant, sender.id)),
            to=medo_identity(db.session.get(ExchangeParticipant, world.ministry_node.id)),
            subject=subject,
            time=moment,
            created=moment,
            version='2.7.1',
        )
    return zip_files(built.files)


def _receipt(world: Sending, message_uid: str, *, accepted: bool) -> bytes:
    with atomic():
        moment = datetime.now(UTC).replace(microsecond=0)
        built = build_receipt(
            sender=medo_identity(db.session.get(ExchangeParticipant, world.partner_node.id)),
            to=medo_identity(db.session.get(ExchangeParticipant, world.ministry_node.id)),
            acknowledged_uid=UUID(message_uid),
            received=moment,
            created=moment,
            accepted=accepted,
            comment=None if accepted else 'Не прошла проверка подписи',
            version='2.7.1',
            uid=uuid4(),
        )
    return zip_files(built.files)
