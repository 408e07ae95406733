"""Domain events and their delivery: every step writes its event in its own transaction, the delivery job turns
events into notifications exactly once (even when it runs twice), a refused step leaves no event; the author's simple
signature is a digest of the canonical content that detects a changed text."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select, update

from edms.core.access import SYSTEM
from edms.core.db import db
from edms.core.errors import DomainError, ValidationFailed
from edms.core.tx import atomic
from edms.notifications.models import Notification
from edms.resolutions.jobs import deliver_events
from edms.resolutions.models import EventKind, Resolution, ResolutionEvent
from edms.resolutions.operations import decide_extension, issue_resolution, request_extension, submit_report
from edms.resolutions.signing import verify_record_signature
from edms.signatures.records import SignerRequired, canonical_bytes, record_digest, sign_record
from tests.factories import make_resolution, resolution_data, working_day
from tests.resolutions.conftest import notifications_of


def _events():
    return list(db.session.execute(select(ResolutionEvent).order_by(ResolutionEvent.id)).scalars())


def _notification_count():
    return db.session.execute(select(func.count()).select_from(Notification)).scalar()


def test_events_are_delivered_once_even_when_the_job_runs_twice(staff):
    with atomic():
        resolution = make_resolution(staff.manager, staff.card, staff.responsible, staff.co_executor)
    events = _events()
    assert [event.kind for event in events] == [
        EventKind.resolution_approved,
        EventKind.executor_assigned,
        EventKind.executor_assigned,
    ]
    assert all(event.delivered_at is not None for event in events)  # delivered by the job after the commit
    assert [event.actor_id for event in events] == [staff.manager.id] * 3
    assert events[1].assignment_id == resolution.responsible.id
    assert events[1].data['deadline'] == resolution.responsible.deadline.isoformat()
    count = _notification_count()
    assert count == 2
    ids = [event.id for event in events]

    assert deliver_events(ids) == 0
    assert _notification_count() == count
    # Even an event whose delivery mark was lost creates no second notification.
    with atomic():
        db.session.execute(update(ResolutionEvent).values(delivered_at=None))
    assert deliver_events(ids) == 3
    assert _notification_count() == count
    assert [n.source for n in notifications_of(staff.responsible)] == [f'resolution_event:{events[1].id}']


def test_a_refused_step_leaves_no_event_and_no_notification(staff):
    data = resolution_data(staff.responsible, staff.co_executor)
    data['executors'][1]['responsible'] = True
    with pytest.raises(ValidationFailed), atomic():
        issue_resolution(staff.manager, staff.card, data)
    assert _events() == []
    assert _notification_count() == 0


def test_each_step_notifies_the_person_who_must_act(staff):
    with atomic():
        resolution = make_resolution(staff.manager, staff.card, staff.responsible)
    with atomic():
        extension = request_extension(
            staff.responsible, resolution.responsible, {'reason': 'Ждём сведения', 'deadline': working_day(20)}
        )
    assert [n.kind for n in notifications_of(staff.manager)] == ['extension']
    with atomic():
        decide_extension(staff.manager, extension, {'decision': 'grant'})
    assert [n.kind for n in notifications_of(staff.responsible)] == ['assignment', 'extension']
    assert 'продлён до' in notifications_of(staff.responsible)[-1].text
    with atomic():
        submit_report(staff.responsible, resolution.responsible, {'text': 'Исполнено'})
    assert [n.kind for n in notifications_of(staff.manager)] == ['extension', 'report']
    assert all(n.user_id != staff.responsible.id for n in notifications_of(staff.manager))


def test_signature_digest_detects_a_changed_text_but_not_an_extension(staff):
    with atomic():
        resolution = make_resolution(staff.manager, staff.card, staff.responsible)
    assert len(resolution.signature_digest) == 64
    assert verify_record_signature(resolution)
    with atomic():
        extension = request_extension(
            staff.responsible, resolution.responsible, {'reason': 'Причина', 'deadline': working_day(20)}
        )
        decide_extension(staff.manager, extension, {'decision': 'grant'})
    assert verify_record_signature(resolution)  # the signed deadline is the one issued
    with atomic():
        db.session.execute(update(Resolution).where(Resolution.id == resolution.id).values(text='Иной текст'))
    db.session.expire_all()
    assert not verify_record_signature(db.session.get(Resolution, resolution.id))


def test_canonical_bytes_are_sorted_compact_utf8_with_iso_dates():
    payload = {'b': date(2026, 3, 17), 'a': 'Ответ', 'c': datetime(2026, 3, 17, 9, 30, tzinfo=UTC)}
    assert canonical_bytes(payload) == '{"a":"Ответ","b":"2026-03-17","c":"2026-03-17T09:30:00+00:00"}'.encode()
    assert record_digest('resolution', 1, payload) != record_digest('resolution', 2, payload)


def test_advanced_signature_is_not_available_and_only_a_person_signs(staff):
    with pytest.raises(DomainError, match='Этот вид электронной подписи недоступен'):
        sign_record(staff.manager, 'resolution', 1, {'text': 'x'}, method='advanced')
    with pytest.raises(ValidationFailed) as refused:
        sign_record(staff.manager, 'resolution', 1, {'text': 'x'}, method='qualified')
    assert set(refused.value.fields) == {'certificate_id', 'password'}
    with pytest.raises(SignerRequired):
        sign_record(SYSTEM, 'resolution', 1, {'text': 'x'})
    signature = sign_record(staff.manager, 'resolution', 1, {'text': 'x'})
    assert signature.method == 'simple'
    assert signature.value is None
    assert signature.signer_id == staff.manager.id
    assert signature.digest == record_digest('resolution', 1, {'text': 'x'})
