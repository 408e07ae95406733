"""The МЭДО notifications of execution: a card received by МЭДО and registered gets a resolution, and the sender learns
«Назначен исполнитель» (the responsible executor, the manager, who signed), «Доклад подготовлен» (a co-executor's part
to the responsible), «Доклад направлен» (our reply letter, or our registration number said so), «Исполнение» (the
card executed, control closed with the mark and the case) — each built by our writer, read back by our reader, with
the sender's number and date as `foundation`. Once only: the delivery job run twice and the sweep queue nothing new;
an export that failed in the job leaves the in-app notifications and is taken up by the sweep. Nothing goes out for
a card that did not arrive by МЭДО nor for a sub-resolution. «Опубликование» is marked on the card (operation, page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import g, render_template_string
from sqlalchemy import select, update

from edms.auth.models import User
from edms.core.clock import local_today, utcnow
from edms.core.db import db
from edms.core.errors import ValidationFailed
from edms.core.tx import atomic
from edms.exchange.errors import PacketStateConflict
from edms.exchange.jobs import export_resolution_events
from edms.exchange.models import InboxPacket, OutboxPacket
from edms.exchange.operations import mark_published, on_card_registered, receive_packet
from edms.exchange.operations.common import stored_bytes
from edms.exchange.packets.model import IncomingNotification, NotificationEvent
from edms.exchange.packets.reader import read_packet_zip
from edms.notifications.models import Notification
from edms.registry.models import Card
from edms.registry.operations import register_card
from edms.resolutions.jobs import deliver_events
from edms.resolutions.models import Assignment, Resolution, ResolutionEvent
from edms.resolutions.operations import accept_report, close_control, issue_sub_resolution, submit_report
from scripts.make_test_pki import TestPki
from tests.exchange.inbox_setup import Exchange, make_exchange, outbox_rows, packet_zip, yesterday
from tests.factories import api_token, executor_item, login, make_card, make_case_file, make_resolution, make_user
from tests.signatures.conftest import test_pki  # noqa: F401 - the session fixture of the generated PKI

SENDER_NUMBER = '01-02/77'


@dataclass
class Received:
    """The ministry's registered card of the partner's letter, and the people who execute it."""

    exchange: Exchange
    inbox_id: int
    card: Card
    manager: User
    executor: User
    co_executor: User
    controller: User


@pytest.fixture
def received(app_ctx, test_pki: TestPki) -> Received:  # noqa: F811
    exchange = make_exchange(test_pki)
    with atomic():
        inbox_id = receive_packet(packet_zip(exchange), transport='http', source=exchange.partner_node).id
    with atomic():
        card = db.session.get(Card, db.session.get(InboxPacket, inbox_id).card_id)
        register_card(exchange.clerk, card)
        on_card_registered(card)
        ministry = exchange.ministry
        manager = db.session.get(User, exchange.manager.id)
        manager.last_name, manager.first_name, manager.middle_name = 'Сергеев', 'Сергей', 'Сергеевич'
        executor = make_user(ministry, 'executor', last_name='Петров', first_name='Пётр', middle_name='Петрович')
        co_executor = make_user(ministry, 'executor', last_name='Сидоров', first_name='Семён', middle_name='')
        controller = make_user(ministry, 'controller', last_name='Контролёва', first_name='Ольга')
    return Received(exchange, inbox_id, card, manager, executor, co_executor, controller)


def notices(prefix: str) -> list[OutboxPacket]:
    return [row for row in outbox_rows() if row.kind == 'notification' and row.event.startswith(prefix)]


def read(row: OutboxPacket) -> IncomingNotification:
    with atomic():
        packet = read_packet_zip(stored_bytes(row.sha256))
    assert packet.notification is not None
    return packet.notification


def resolve(received: Received, *co_executors: User, **overrides: object) -> Resolution:
    with atomic():
        card = db.session.get(Card, received.card.id)
        return make_resolution(received.manager, card, received.executor, *co_executors, **overrides)


def part(resolution: Resolution, user: User) -> Assignment:
    return next(item for item in resolution.assignments if item.executor_id == user.id)


def events() -> list[ResolutionEvent]:
    with atomic():
        return list(db.session.execute(select(ResolutionEvent).order_by(ResolutionEvent.id)).scalars())


def assert_about_the_senders_letter(notice: IncomingNotification, received: Received) -> None:
    assert notice.foundation is not None
    assert (notice.foundation.number, notice.foundation.date) == (SENDER_NUMBER, yesterday())
    with atomic():
        assert notice.document_uid == db.session.get(InboxPacket, received.inbox_id).document_uid


def test_assigning_the_responsible_executor_tells_the_sender_who_executes(received: Received):
    resolution = resolve(received, received.co_executor)

    [row] = notices('executor_assigned')
    assert (row.status, row.destination_id) == ('pending', received.exchange.partner_node.id)
    notice = read(row)
    assert (notice.event, notice.type) == (NotificationEvent.EXECUTOR_ASSIGNED, 'Назначен исполнитель')
    assert notice.executor is not None
    assert notice.executor.person == 'Петров Пётр Петрович'
    assert notice.manager is not None
    assert notice.manager.person == 'Сергеев Сергей Сергеевич'
    assert notice.secretary is not None
    assert notice.secretary.person == 'Сергеев Сергей Сергеевич'
    assert notice.comment is not None
    assert resolution.responsible.deadline.strftime('%d.%m.%Y') in notice.comment
    assert_about_the_senders_letter(notice, received)
    assert all(event.exported_at is not None for event in events())


def test_two_resolutions_send_two_executor_notices_about_one_document(received: Received):
    resolve(received)
    with atomic():
        card = db.session.get(Card, received.card.id)
        make_resolution(received.manager, card, received.co_executor, text='Подготовить справку')

    rows = notices('executor_assigned')
    assert len(rows) == 2
    assert len({row.event for row in rows}) == 2
    assert [read(row).executor.person for row in rows] == ['Петров Пётр Петрович', 'Сидоров Семён']


def test_a_co_executors_part_is_report_prepared_and_the_responsibles_report_is_report_sent(received: Received):
    resolution = resolve(received, received.co_executor)

    with atomic():
        submit_report(received.co_executor, part(resolution, received.co_executor), {'text': 'Справка готова'})
    [prepared] = notices('report_prepared')
    notice = read(prepared)
    assert notice.event == NotificationEvent.REPORT_PREPARED
    assert notice.signatory is not None
    assert notice.signatory.person == 'Петров Пётр Петрович'
    assert_about_the_senders_letter(notice, received)

    with atomic():
        submit_report(received.executor, part(resolution, received.executor), {'text': 'Ответ подготовлен'})
    [sent] = notices('report_sent')
    notice = read(sent)
    assert notice.event == NotificationEvent.REPORT_SENT
    with atomic():
        card = db.session.get(Card, received.card.id)
        assert notice.report is not None
        assert (notice.report.number, notice.report.date) == (card.reg_number, card.reg_date)
    assert notice.comment is not None
    assert 'указан наш регистрационный номер' in notice.comment
    assert_about_the_senders_letter(notice, received)


def test_the_report_refers_to_our_reply_letter_when_one_is_registered(received: Received):
    resolution = resolve(received)
    with atomic():
        link = [{'kind': 'reply_to', 'card_id': received.card.id}]
        reply = make_card(received.exchange.clerk, kind='outgoing', links=link, signer='Сергеев С.С.')
        number, day = reply.reg_number, reply.reg_date

    with atomic():
        submit_report(received.executor, part(resolution, received.executor), {'text': 'Ответ направлен'})

    [sent] = notices('report_sent')
    notice = read(sent)
    assert notice.report is not None
    assert (notice.report.number, notice.report.date, notice.report.person) == (number, day, 'Сергеев С.С.')
    assert notice.comment is None


def test_the_card_executed_with_its_resolution_is_told_once(received: Received):
    resolution = resolve(received)
    with atomic():
        report = submit_report(received.executor, part(resolution, received.executor), {'text': 'Исполнено'})
    with atomic():
        accept_report(received.manager, report)

    assert [read(row).course_text for row in notices('course_changed')] == ['Документ исполнен.']


def test_closing_control_tells_the_mark_and_the_case(received: Received):
    with atomic():
        case_file = make_case_file(received.exchange.ministry, '02-07')
        case_id, case_index = case_file.id, case_file.index
    resolution = resolve(received, is_controlled=True, controller_id=received.controller.id)
    with atomic():
        report = submit_report(received.executor, part(resolution, received.executor), {'text': 'Исполнено'})
    with atomic():
        accept_report(received.controller, report)
    with atomic():
        close_control(
            received.controller,
            db.session.get(Resolution, resolution.id),
            {'execution_mark': 'Ответ направлен письмом', 'case_file_id': case_id},
        )

    texts = [read(row).course_text for row in notices('course_changed')]
    assert texts == [
        f'Снято с контроля: Ответ направлен письмом; в дело № {case_index}.',
        f'Документ исполнен, в дело № {case_index}.',
    ]
    assert all(read(row).event == NotificationEvent.COURSE_CHANGED for row in notices('course_changed'))


def test_the_delivery_job_run_again_queues_nothing_new(received: Received):
    resolve(received)
    ids = [event.id for event in events()]
    before = len(outbox_rows())

    deliver_events(ids)
    # Even with the export marks lost, the outbox key keeps each notice single.
    with atomic():
        db.session.execute(update(ResolutionEvent).values(exported_at=None))
    deliver_events(ids)

    assert len(outbox_rows()) == before
    assert len(notices('executor_assigned')) == 1


def test_an_export_that_failed_in_the_job_is_sent_by_the_sweep(received: Received, monkeypatch):
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError('the writer is broken')

    monkeypatch.setattr('edms.exchange.operations.exports.queue_notification', broken)
    resolve(received)
    monkeypatch.undo()

    assert notices('executor_assigned') == []
    assert all(event.delivered_at is not None for event in events())
    left = [event.kind.value for event in events() if event.exported_at is None]
    assert left == ['executor_assigned'], 'the event that failed is left for the sweep'
    with atomic():
        told = db.session.execute(select(Notification).where(Notification.user_id == received.executor.id)).scalars()
        assert len(list(told)) == 1, 'the in-app notification is not lost with the export'
    assert export_resolution_events() == 0, 'events younger than the grace period are left to their job'

    with atomic():
        db.session.execute(update(ResolutionEvent).values(created_at=utcnow() - timedelta(minutes=10)))
    assert export_resolution_events() == 1
    assert export_resolution_events() == 0

    [row] = notices('executor_assigned')
    assert read(row).executor.person == 'Петров Пётр Петрович'


def test_a_card_that_did_not_arrive_by_medo_sends_nothing(received: Received):
    before = len(outbox_rows())
    with atomic():
        card = make_card(received.exchange.clerk)
        make_resolution(received.manager, card, received.executor)

    assert len(outbox_rows()) == before
    assert all(event.exported_at is not None for event in events())


def test_a_sub_resolution_is_internal_and_sends_nothing(received: Received):
    resolution = resolve(received)
    before = len(outbox_rows())

    with atomic():
        assignment = db.session.get(Assignment, part(resolution, received.executor).id)
        item = executor_item(received.co_executor, responsible=True, deadline=assignment.deadline)
        data = {'text': 'Подготовить справку', 'executors': [item]}
        child = issue_sub_resolution(received.executor, assignment, data)
    with atomic():
        submit_report(received.co_executor, db.session.get(Resolution, child.id).responsible, {'text': 'Готово'})

    assert len(outbox_rows()) == before
    assert all(event.exported_at is not None for event in events())


PORTAL = 'Официальный портал правовой информации'
PUBLICATION = {'number': '0001202611230005', 'date': '', 'time': '10:30', 'point': PORTAL}


def test_marking_the_publication_queues_published(received: Received):
    raw = {**PUBLICATION, 'date': local_today().isoformat()}
    with atomic():
        card = db.session.get(Card, received.card.id)
        row = mark_published(received.exchange.clerk, card, raw)
        assert row is not None

    [row] = notices('published')
    notice = read(row)
    assert (notice.event, notice.type) == (NotificationEvent.PUBLISHED, 'Опубликование')
    assert (notice.reg_number, notice.reg_date) == ('0001202611230005', local_today())
    assert notice.publication_point == PORTAL
    assert_about_the_senders_letter(notice, received)

    with pytest.raises(PacketStateConflict), atomic():
        mark_published(received.exchange.clerk, db.session.get(Card, received.card.id), raw)
    assert len(notices('published')) == 1


def test_a_publication_with_a_bad_date_or_of_a_card_not_from_medo_is_refused(received: Received):
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    bad = {**PUBLICATION, 'date': tomorrow, 'time': '25:00'}
    with pytest.raises(ValidationFailed) as caught, atomic():
        mark_published(received.exchange.clerk, db.session.get(Card, received.card.id), bad)
    assert set(caught.value.fields) == {'date', 'time'}

    with atomic():
        other = make_card(received.exchange.clerk)
    raw = {**PUBLICATION, 'date': local_today().isoformat()}
    with pytest.raises(PacketStateConflict), atomic():
        mark_published(received.exchange.clerk, db.session.get(Card, other.id), raw)
    assert notices('published') == []


def test_the_publication_form_of_the_card_page(client, received: Received):
    login(client, received.exchange.clerk)
    url = f'/exchange/cards/{received.card.id}/publication'

    refused = client.post(url, data={'publication_number': '', 'publication_point': 'Портал'})
    assert refused.status_code == 422
    assert notices('published') == []

    data = {
        'publication_number': '77',
        'publication_date': local_today().strftime('%d.%m.%Y'),
        'publication_point': 'Российская газета',
    }
    response = client.post(url, data=data)
    assert response.status_code == 302
    [row] = notices('published')
    assert read(row).publication_point == 'Российская газета'


def test_the_publication_form_template_shows_the_typed_values_and_messages_to_a_clerk(app, received: Received):
    include = "{% include 'exchange/_card_publication.html' %}"
    values = {'publication_point': 'Российская газета'}
    errors = {'publication_number': '«Номер опубликования»: обязательное поле.'}
    with app.test_request_context('/'), atomic():
        card = db.session.get(Card, received.card.id)
        g.user = db.session.get(User, received.exchange.clerk.id)
        form = render_template_string(include, card=card, values=values, errors=errors)
        g.user, g.card_publication = db.session.get(User, received.executor.id), {}
        hidden = render_template_string(include, card=card, values={}, errors={})

    assert f'/exchange/cards/{received.card.id}/publication' in form
    assert 'value="Российская газета"' in form
    assert '«Номер опубликования»: обязательное поле.' in form
    assert hidden.strip() == '', 'only a clerk marks the publication'


def test_the_publication_through_the_api(client, received: Received):
    with atomic():
        token = api_token(db.session.get(User, received.exchange.clerk.id))
        other_token = api_token(make_user(received.exchange.partner, 'clerk'))
    url = f'/api/v1/cards/{received.card.id}/publication'
    body = {'number': '15', 'date': local_today().isoformat(), 'point': 'Российская газета'}

    hidden = client.post(url, json=body, headers={'Authorization': f'Bearer {other_token}'})
    assert hidden.status_code == 404, "another organization's card is not found"
    refused = client.post(url, json={**body, 'number': ''}, headers={'Authorization': f'Bearer {token}'})
    assert refused.status_code == 422
    assert set(refused.get_json()['error']['fields']) == {'number'}
    response = client.post(url, json=body, headers={'Authorization': f'Bearer {token}'})

    assert response.status_code == 201
    assert response.get_json() == {'card_id': received.card.id, 'notification_queued': True}
    [row] = notices('published')
    assert read(row).reg_number == '15'
