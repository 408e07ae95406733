"""The daily reminder before a stay registration ends: 7 days and 1 day before the last day and the day after it
(or the first run within a week after the end), to the applicant and the MFC operator who filed it, the days left
counted as the page counts them; idempotent (what was sent is kept) and silent for an extension already filed, an
annulled registration (also one annulled after the due list was read) or a refused application."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from edms.citizen_services.jobs.stay import remind, send_expiry_reminders
from edms.citizen_services.models import Application
from edms.citizen_services.operations.stay import annul
from edms.citizen_services.queries.stay import validity_of
from edms.core.db import db
from edms.core.schedule import get_periodic_job
from edms.core.tx import atomic
from edms.notifications.models import Notification
from tests.citizen_services import annulment_signer, samples
from tests.citizen_services.annulment_signer import Signer
from tests.citizen_services.conftest import World
from tests.citizen_services.test_stay_lifecycle import END, approved, extend, on_day

signer = annulment_signer.signer  # the fixture: the executor with a certificate for the annulment's notice


def reminders_of(user_id: int) -> list[str]:
    query = (
        select(Notification.text)
        .where(Notification.user_id == user_id, Notification.source.like('%:expiry:%'))
        .order_by(Notification.id)
    )
    return list(db.session.execute(query).scalars())


def run_on(monkeypatch: pytest.MonkeyPatch, day: date) -> int:
    on_day(monkeypatch, day)
    return send_expiry_reminders()


def test_the_job_is_scheduled_every_day() -> None:
    job = get_periodic_job('stay_expiry_reminders')
    assert job.func_path == 'edms.citizen_services.jobs.stay.send_expiry_reminders'
    assert not job.working_days_only  # type: ignore[union-attr]


def test_reminders_7_days_and_1_day_before_and_the_day_after_the_end(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    application = approved(world)
    assert run_on(monkeypatch, END - timedelta(days=8)) == 0
    assert run_on(monkeypatch, END - timedelta(days=7)) == 1
    assert reminders_of(world.applicant.id) == [
        f'Свидетельство о регистрации по месту пребывания по заявлению № {application.number} действует до '
        '07.06.2026 (осталось 8 дней). Продлите регистрацию в личном кабинете или в МФЦ.'
    ]
    assert run_on(monkeypatch, END - timedelta(days=7)) == 0  # the same day again: nothing twice
    assert run_on(monkeypatch, END - timedelta(days=1)) == 1
    assert run_on(monkeypatch, END) == 0
    assert run_on(monkeypatch, END + timedelta(days=1)) == 1
    texts = reminders_of(world.applicant.id)
    assert len(texts) == 3
    assert '(осталось 2 дня)' in texts[1]
    assert 'срок действия истёк 07.06.2026' in texts[2]
    db.session.refresh(application)
    assert application.reminders_sent == [-1, 1, 7]
    assert run_on(monkeypatch, END + timedelta(days=2)) == 0


def test_a_missed_day_sends_the_nearest_reminder_once(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    approved(world)
    assert run_on(monkeypatch, END - timedelta(days=1)) == 1
    assert run_on(monkeypatch, END - timedelta(days=1)) == 0
    [text] = reminders_of(world.applicant.id)
    assert '(осталось 2 дня)' in text


def test_the_reminder_says_the_days_left_the_page_shows(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    application = approved(world)
    for before_end in (7, 1):
        day = END - timedelta(days=before_end)
        run_on(monkeypatch, day)
        shown = validity_of(db.session.get(Application, application.id), day).days_left  # type: ignore[union-attr]
        assert f'(осталось {shown} ' in reminders_of(world.applicant.id)[-1]
    assert shown == 2


def test_the_ended_notice_goes_out_on_the_first_run_after_a_missed_day(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    application = approved(world)
    assert run_on(monkeypatch, END + timedelta(days=3)) == 1
    assert run_on(monkeypatch, END + timedelta(days=4)) == 0
    [text] = reminders_of(world.applicant.id)
    assert 'срок действия истёк 07.06.2026' in text
    assert '«Продлить регистрацию»' in text
    db.session.refresh(application)
    assert application.reminders_sent == [-1]


def test_no_ended_notice_after_a_week(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    application = approved(world)
    assert run_on(monkeypatch, END + timedelta(days=8)) == 0
    with atomic():
        assert remind(application.id, END + timedelta(days=8)) == 0
    assert reminders_of(world.applicant.id) == []


def test_a_registration_annulled_after_the_due_list_was_read_is_not_reminded(
    world: World, monkeypatch: pytest.MonkeyPatch, signer: Signer
) -> None:
    application = approved(world)
    on_day(monkeypatch, END - timedelta(days=7))
    with atomic():
        annul(signer.user, db.session.get(Application, application.id), 'owner_withdrawal', **signer.credentials)
    with atomic():
        assert remind(application.id, END - timedelta(days=7)) == 0
    assert reminders_of(world.applicant.id) == []


def test_the_mfc_operator_who_filed_it_is_reminded_too(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    approved(world, actor=world.operator, channel='mfc', on_behalf={'snils': samples.SNILS})
    assert run_on(monkeypatch, END - timedelta(days=7)) == 1
    assert len(reminders_of(world.operator.id)) == 1
    assert len(reminders_of(world.applicant.id)) == 1  # the portal account with the same СНИЛС


def test_no_reminder_for_an_extension_filed_or_an_annulled_registration(
    world: World, monkeypatch: pytest.MonkeyPatch, signer: Signer
) -> None:
    extended, annulled = approved(world), approved(world)
    on_day(monkeypatch, END - timedelta(days=10))
    extend(world, extended, '01.08.2026')
    with atomic():
        annul(signer.user, annulled, 'owner_withdrawal', **signer.credentials)
    assert run_on(monkeypatch, END - timedelta(days=7)) == 0
    assert reminders_of(world.applicant.id) == []
    db.session.refresh(extended)
    assert extended.reminders_sent == [7]  # considered, and not reminded of
    assert db.session.get(Application, annulled.id).reminders_sent == []  # type: ignore[union-attr]
