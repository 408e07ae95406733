"""Missed deadlines of applications (grounds of complaints under 210-ФЗ ст. 11.1 п. 1 and 2): the registration of the
request (1 working day after submission) and the service's term, each kept and missed, across the 4 November 2026
holiday; a clarification stops the clock; a loaded application's violations and the agency's list «Нарушены сроки»,
another agency's applications never in it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from edms.citizen_services.models import Application
from edms.citizen_services.models.complaints import ComplaintKind
from edms.citizen_services.queries.missed_deadlines import (
    application_violations,
    list_missed_deadlines,
    registration_violation,
    service_violation,
)
from edms.core.calendar import business_calendar
from edms.core.db import db
from edms.core.errors import Forbidden
from edms.core.tx import atomic
from edms.registry.models import Card
from tests.citizen_services.conftest import World, world  # noqa: F401
from tests.citizen_services.samples import moment

TUESDAY = date(2026, 11, 3)  # the next day, 4 November, is a public holiday
THURSDAY = date(2026, 11, 5)
FRIDAY, SATURDAY = date(2026, 11, 6), date(2026, 11, 7)


@pytest.fixture
def calendar(app_ctx):
    return business_calendar()


def test_registration_on_the_next_working_day_after_a_holiday_keeps_the_term(calendar) -> None:
    assert registration_violation(calendar, TUESDAY, THURSDAY, THURSDAY) is None
    assert registration_violation(calendar, TUESDAY, TUESDAY, date(2026, 12, 1)) is None


def test_registration_later_is_a_violation_with_the_working_days_missed(calendar) -> None:
    violation = registration_violation(calendar, TUESDAY, date(2026, 11, 10), date(2026, 11, 20))
    assert violation is not None
    assert violation.key == 'registration'
    assert violation.complaint_kind == ComplaintKind.registration_term
    assert violation.due == THURSDAY
    assert violation.missed_days == 3  # 6, 9 and 10 November
    assert 'Срок регистрации запроса истёк 05.11.2026' in violation.explanation
    assert 'зарегистрирован 10.11.2026' in violation.explanation
    assert 'просрочка 3 рабочих дня' in violation.explanation
    assert 'п. 1 ст. 11.1 210-ФЗ' in violation.explanation


def test_a_request_still_not_registered_is_late_once_the_term_ran_out(calendar) -> None:
    assert registration_violation(calendar, TUESDAY, None, THURSDAY) is None
    violation = registration_violation(calendar, TUESDAY, None, FRIDAY)
    assert violation is not None
    assert violation.done_on is None
    assert violation.missed_days == 1
    assert 'на 06.11.2026 не зарегистрирован' in violation.explanation


def test_the_service_term_kept_by_a_decision_on_the_last_day(calendar) -> None:
    assert service_violation(calendar, FRIDAY, 'done', FRIDAY, None, date(2026, 12, 1)) is None
    assert service_violation(calendar, FRIDAY, 'in_progress', None, None, FRIDAY) is None


def test_a_decision_after_the_term_is_a_violation(calendar) -> None:
    violation = service_violation(calendar, THURSDAY, 'refused', date(2026, 11, 10), None, date(2026, 12, 1))
    assert violation is not None
    assert violation.complaint_kind == ComplaintKind.service_term
    assert violation.missed_days == 3
    assert 'Срок предоставления услуги истёк 05.11.2026; решение принято 10.11.2026' in violation.explanation


def test_an_open_application_past_its_term_is_late_even_on_a_day_off(calendar) -> None:
    violation = service_violation(calendar, FRIDAY, 'in_progress', None, None, SATURDAY)
    assert violation is not None
    assert violation.missed_days == 0
    assert 'позже срока на 1 календарный день' in violation.explanation
    later = service_violation(calendar, FRIDAY, 'in_progress', None, None, date(2026, 11, 10))
    assert later is not None
    assert later.missed_days == 2
    assert 'на 10.11.2026 решение не принято — просрочка 2 рабочих дня' in later.explanation


def test_a_clarification_stops_the_clock_unless_asked_after_the_term(calendar) -> None:
    assert service_violation(calendar, FRIDAY, 'clarification_required', None, THURSDAY, date(2026, 12, 1)) is None
    late = service_violation(calendar, FRIDAY, 'clarification_required', None, date(2026, 11, 9), date(2026, 12, 1))
    assert late is not None
    assert late.missed_days == 1


def _age(application: Application, submitted_on: date, *, deadline: date, reg_date: date | None) -> None:
    with atomic():
        db.session.execute(
            update(Application)
            .where(Application.id == application.id)
            .values(submitted_at=moment(submitted_on), deadline=deadline)
        )
        db.session.execute(update(Card).where(Card.id == application.card_id).values(reg_date=reg_date))
    db.session.expire_all()


def test_a_fresh_application_has_no_violation(world: World) -> None:  # noqa: F811
    application = world.file()
    assert application_violations(application) == []


def test_a_late_card_and_a_missed_term_are_both_found(world: World) -> None:  # noqa: F811
    application = world.file()
    _age(application, TUESDAY, deadline=date(2026, 11, 10), reg_date=date(2026, 11, 9))
    found = application_violations(db.session.get(Application, application.id), today=date(2026, 11, 12))
    assert [item.key for item in found] == ['registration', 'service']
    assert found[0].missed_days == 2
    assert found[1].missed_days == 2


def test_the_agency_list_holds_only_its_late_applications(world: World) -> None:  # noqa: F811
    late, in_time = world.file(), world.file()
    other_agency_late = world.file('taxpayer_cabinet')
    _age(late, TUESDAY, deadline=date(2026, 11, 10), reg_date=TUESDAY)
    _age(in_time, TUESDAY, deadline=date(2026, 11, 30), reg_date=TUESDAY)
    _age(other_agency_late, TUESDAY, deadline=date(2026, 11, 10), reg_date=TUESDAY)
    page = list_missed_deadlines(world.executor, today=date(2026, 11, 20))
    assert [row.application.id for row in page.items] == [late.id]
    assert [item.key for item in page.items[0].violations] == ['service']
    assert not page.has_next


def test_the_list_pages(world: World) -> None:  # noqa: F811
    rows = [world.file() for _ in range(3)]
    for index, application in enumerate(rows):
        _age(application, TUESDAY + timedelta(days=index), deadline=date(2026, 11, 10), reg_date=TUESDAY)
    first = list_missed_deadlines(world.executor, page=1, per_page=2, today=date(2026, 11, 20))
    second = list_missed_deadlines(world.executor, page=2, per_page=2, today=date(2026, 11, 20))
    assert first.has_next
    assert not second.has_next
    assert [row.application.id for row in first.items + second.items] == [row.id for row in reversed(rows)]


def test_the_list_is_for_the_agency_staff_only(world: World) -> None:  # noqa: F811
    with pytest.raises(Forbidden):
        list_missed_deadlines(world.applicant)


def test_a_decision_just_after_local_midnight_is_late_and_one_on_the_last_day_is_not(world: World) -> None:  # noqa: F811
    late, in_time = world.file(), world.file()
    deadline = date(2026, 11, 10)
    for application, decided in ((late, datetime(2026, 11, 10, 21, 30, tzinfo=UTC)), (in_time, moment(deadline, 20))):
        _age(application, TUESDAY, deadline=deadline, reg_date=TUESDAY)
        with atomic():
            values = {'status': 'done', 'decided_at': decided}
            db.session.execute(update(Application).where(Application.id == application.id).values(**values))
    page = list_missed_deadlines(world.executor, today=date(2026, 11, 20))
    assert [row.application.id for row in page.items] == [late.id]
    assert 'решение принято 11.11.2026' in page.items[0].violations[0].explanation
