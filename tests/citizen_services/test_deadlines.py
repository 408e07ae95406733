"""Deadlines as data, counted by the working-day calendar (the shipped 2026 data: 1–3 and 9–11 May are days off)."""

from __future__ import annotations

from datetime import date

import pytest

from edms.citizen_services.catalogue.deadlines import DeadlinePlan, Stage
from edms.citizen_services.catalogue.registry import get_service
from edms.core.calendar import BusinessCalendar, shipped_data

CALENDAR = BusinessCalendar(shipped_data())
THURSDAY_BEFORE_MAY = date(2026, 4, 30)
PLAN = get_service('temporary_registration').deadlines


def test_temporary_registration_is_due_in_5_working_days_skipping_the_holidays() -> None:
    deadline = PLAN.deadline(CALENDAR, THURSDAY_BEFORE_MAY)
    assert deadline.date == date(2026, 5, 8)
    assert deadline.explanation.startswith('Срок регистрации по месту пребывания — не более 5 рабочих дней. ')
    assert '01.05 — Праздник Весны и Труда' in deadline.explanation


def test_expected_completion_is_checks_then_issue() -> None:
    expected = PLAN.expected(CALENDAR, THURSDAY_BEFORE_MAY)
    assert expected.date == date(2026, 5, 7)
    assert expected.explanation.startswith(
        'Ожидаемый срок — «Проверка сведений в государственных реестрах»: 3 рабочих дня; '
        '«Формирование и выдача свидетельства»: 1 рабочий день.'
    )


def test_certificate_is_issued_one_working_day_after_the_checks() -> None:
    assert PLAN.stage_due(CALENDAR, 'issue', date(2026, 5, 7)).date == date(2026, 5, 8)
    assert PLAN.stage_due(CALENDAR, 'issue', date(2026, 5, 8)).date == date(2026, 5, 12)


def test_clarification_stops_the_clock_and_adds_two_working_days() -> None:
    due = PLAN.deadline(CALENDAR, THURSDAY_BEFORE_MAY).date
    after = PLAN.after_clarification(CALENDAR, due, requested_on=date(2026, 5, 5), resubmitted_on=date(2026, 5, 12))
    # 3 working days were left (6, 7, 8 May) plus 2: five working days from 12 May.
    assert after.date == date(2026, 5, 19)
    assert after.explanation.startswith(
        'Требовалось уточнение сведений: 05.05.2026 до срока 08.05.2026 оставалось 3 рабочих дня; '
        'заявление исправлено 12.05.2026, срок продлён на 2 рабочих дня.'
    )


def test_clarification_after_the_deadline_leaves_only_the_extension() -> None:
    taxpayer = get_service('taxpayer_cabinet').deadlines
    after = taxpayer.after_clarification(CALENDAR, date(2026, 5, 4), date(2026, 5, 6), date(2026, 5, 7))
    assert after.date == date(2026, 5, 8)


def test_taxpayer_expects_5_and_allows_10_working_days() -> None:
    taxpayer = get_service('taxpayer_cabinet').deadlines
    monday = date(2026, 3, 16)
    assert taxpayer.expected(CALENDAR, monday).date == date(2026, 3, 23)
    assert taxpayer.deadline(CALENDAR, monday).date == date(2026, 3, 30)


def test_plan_whose_limit_does_not_cover_its_stages_is_refused() -> None:
    with pytest.raises(ValueError, match='max_total'):
        DeadlinePlan(stages=(Stage('checks', 'Проверка', 1, 3), Stage('issue', 'Выдача', 1, 1)), max_total=3)
