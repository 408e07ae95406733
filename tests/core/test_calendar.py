"""The working-day calendar: holidays, transfers and working Saturdays of 2024–2027, year boundaries, explanations,
the fallback outside the shipped years, administrators' changes with their audit, the cache and the CLI."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import date, timedelta
from importlib import resources
from types import SimpleNamespace

import pytest
from flask import Flask
from sqlalchemy import select

from edms.audit.models import AuditEntry
from edms.core.access import SYSTEM
from edms.core.calendar import BusinessCalendar, business_calendar, invalidate_calendar, shipped_data
from edms.core.calendar import cache as calendar_cache
from edms.core.calendar.data import parse
from edms.core.calendar.models import CalendarDay
from edms.core.db import db
from edms.core.errors import Forbidden, NotFound, ValidationFailed
from edms.core.tx import atomic
from edms.directory.calendar import clear_calendar_day, set_calendar_day
from tests.factories import make_organization, make_user

CAL = BusinessCalendar(shipped_data())


def d(text: str) -> date:
    day, month, year = (int(part) for part in text.split('.'))
    return date(year, month, day)


@pytest.fixture
def fresh_calendar(app_ctx: Flask) -> Iterator[Flask]:
    """Tests that change the calendar in the database start and end with no cached calendar."""
    invalidate_calendar()
    yield app_ctx
    invalidate_calendar()


# --- the shipped data ---------------------------------------------------------------------------------------------


def test_each_shipped_year_cites_its_decree_and_2027_says_it_has_none() -> None:
    years = shipped_data().years
    assert 'от 10.08.2023 № 1314' in years[2024].decree
    assert 'от 04.10.2024 № 1335' in years[2025].decree
    assert 'от 24.09.2025 № 1466' in years[2026].decree
    assert years[2027].decree is None
    assert not years[2027].complete
    assert 'не включено' in years[2027].note


@pytest.mark.parametrize(('year', 'working_days'), [(2024, 248), (2025, 247), (2026, 247)])
def test_working_days_per_year_match_the_official_production_calendars(year: int, working_days: int) -> None:
    assert CAL.working_days_between(date(year - 1, 12, 31), date(year, 12, 31)) == working_days


@pytest.mark.parametrize(
    ('day', 'name'),
    [
        ('01.01.2024', 'Новогодние каникулы'),
        ('07.01.2025', 'Рождество Христово'),
        ('03.01.2026', 'Новогодние каникулы'),  # a Saturday: still a holiday
        ('08.01.2027', 'Новогодние каникулы'),
        ('23.02.2024', 'День защитника Отечества'),
        ('08.03.2026', 'Международный женский день'),
        ('01.05.2025', 'Праздник Весны и Труда'),
        ('09.05.2026', 'День Победы'),
        ('12.06.2024', 'День России'),
        ('04.11.2027', 'День народного единства'),
    ],
)
def test_public_holidays_of_article_112_are_days_off(day: str, name: str) -> None:
    info = CAL.day_info(d(day))
    assert (info.kind, info.is_working, info.note) == ('holiday', False, name)


@pytest.mark.parametrize(
    ('working_weekends', 'days_off'),
    [
        (
            ['27.04.2024', '02.11.2024', '28.12.2024'],
            ['29.04.2024', '30.04.2024', '10.05.2024', '30.12.2024', '31.12.2024'],
        ),
        (['01.11.2025'], ['02.05.2025', '08.05.2025', '13.06.2025', '03.11.2025', '31.12.2025']),
        ([], ['09.01.2026', '09.03.2026', '11.05.2026', '31.12.2026']),
    ],
)
def test_transferred_days_off_and_working_saturdays_per_decree(
    working_weekends: list[str], days_off: list[str]
) -> None:
    for day in working_weekends:
        assert (CAL.is_working_day(d(day)), CAL.day_info(d(day)).kind) == (True, 'working_weekend'), day
    for day in days_off:
        assert (CAL.is_working_day(d(day)), CAL.day_info(d(day)).kind) == (False, 'transferred'), day


def test_2026_has_no_working_saturday_and_2025_moved_the_february_and_march_days_off() -> None:
    saturdays = [date(2026, 1, 3) + timedelta(weeks=n) for n in range(52)]
    assert not any(CAL.is_working_day(day) for day in saturdays)
    # 23.02.2025 (Sunday) and 08.03.2025 (Saturday) went to 08.05 and 13.06 by decree, not to the next Monday
    assert CAL.is_working_day(d('24.02.2025'))
    assert CAL.is_working_day(d('10.03.2025'))
    assert '№ 1335' in CAL.day_info(d('08.05.2025')).basis


def test_2027_applies_the_weekend_rule_but_no_decree_transfers() -> None:
    for day in ('03.05.2027', '10.05.2027', '14.06.2027'):
        info = CAL.day_info(d(day))
        assert (info.kind, info.basis) == ('transferred', 'ч. 2 ст. 112 ТК РФ'), day
    assert CAL.is_working_day(d('11.01.2027'))  # 2 and 3 January 2027 wait for the decree


def test_every_weekend_holiday_outside_january_is_transferred_somewhere() -> None:
    data = shipped_data()
    for year in data.years:
        for day, info in data.days.items():
            if day.year == year and info.kind == 'holiday' and day.month > 1 and day.weekday() >= 5:
                moved = [other for other in data.days.values() if other.kind == 'transferred' and ru_in(day, other)]
                assert len(moved) == 1, day


def ru_in(day: date, info: object) -> bool:
    return day.strftime('%d.%m.%Y') in getattr(info, 'note', '')


def test_a_transfer_onto_a_holiday_in_the_data_file_is_refused() -> None:
    raw = json.loads(resources.files('edms.core.calendar').joinpath('data', 'ru.json').read_text(encoding='utf-8'))
    broken = copy.deepcopy(raw)
    broken['years']['2026']['transfers'][0]['to'] = '2026-02-23'
    with pytest.raises(ValueError, match='plain weekday'):
        parse(broken)


# --- counting ----------------------------------------------------------------------------------------------------


def test_working_days_start_counting_the_day_after_and_skip_holiday_ranges_by_name() -> None:
    assert CAL.add_working_days(d('02.03.2026'), 1).date == d('03.03.2026')
    deadline = CAL.add_working_days(d('03.03.2026'), 10, basis='дата регистрации')
    assert deadline.date == d('18.03.2026')
    text = deadline.explanation
    assert text.startswith('10 рабочих дней с 03.03.2026 (дата регистрации)')
    assert '07.03–09.03 (07.03 — выходной; 08.03 — Международный женский день; 09.03 — перенесённый выходной' in text
    assert '14.03–15.03 (выходные)' in text
    assert text.endswith('срок — 18.03.2026.')


def test_the_year_boundary_skips_the_new_year_holidays_and_names_both_decrees() -> None:
    deadline = CAL.add_working_days(d('30.12.2025'), 1)
    assert deadline.date == d('12.01.2026')
    assert deadline.skipped[0] == d('31.12.2025')
    assert deadline.skipped[-1] == d('11.01.2026')
    for part in (
        'Новогодние каникулы',
        'Рождество Христово',
        '№ 1335',
        '09.01.2026 — перенесённый выходной с 03.01.2026',
    ):
        assert part in deadline.explanation, part


def test_a_working_saturday_counts_and_the_explanation_says_so() -> None:
    deadline = CAL.add_working_days(d('31.10.2025'), 1)
    assert deadline.date == d('01.11.2025')
    assert 'рабочими считаются 01.11 (рабочая суббота' in deadline.explanation


@pytest.mark.parametrize(
    ('start', 'end'), [('25.12.2023', '15.01.2024'), ('01.04.2026', '30.06.2026'), ('10.05.2027', '01.03.2026')]
)
def test_working_days_between_agrees_with_counting_day_by_day(start: str, end: str) -> None:
    low, high = sorted((d(start), d(end)))
    by_day = sum(CAL.is_working_day(low + timedelta(days=n)) for n in range(1, (high - low).days + 1))
    sign = 1 if d(start) <= d(end) else -1
    assert CAL.working_days_between(d(start), d(end)) == sign * by_day
    assert CAL.working_days_between(low, CAL.add_working_days(low, 17).date) == 17


def test_calendar_days_roll_forward_by_article_193_or_backward_to_the_preceding_working_day() -> None:
    forward = CAL.add_calendar_days(d('05.03.2026'), 30)
    backward = CAL.add_calendar_days(d('05.03.2026'), 30, 'backward')
    assert (forward.date, backward.date) == (d('06.04.2026'), d('03.04.2026'))  # 04.04.2026 is a Saturday
    assert 'последний день срока — 04.04.2026' in forward.explanation
    assert 'ст. 193 ГК РФ' in forward.explanation
    assert 'предшествующий рабочий день' in backward.explanation
    plain = CAL.add_calendar_days(d('02.03.2026'), 30, 'backward')
    assert plain.date == d('01.04.2026')
    assert 'перенесён' not in plain.explanation


def test_backward_roll_without_a_working_day_in_the_period_goes_forward() -> None:
    deadline = CAL.add_calendar_days(d('30.12.2025'), 3, 'backward')
    assert deadline.date == d('12.01.2026')
    assert 'рабочих дней в периоде нет' in deadline.explanation


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match='roll'):
        CAL.add_calendar_days(d('01.03.2026'), 3, 'sideways')
    with pytest.raises(ValueError, match='negative'):
        CAL.add_working_days(d('01.03.2026'), -1)


def test_next_and_previous_working_day() -> None:
    assert CAL.next_working_day(d('03.03.2026')) == d('03.03.2026')
    assert CAL.next_working_day(d('31.12.2025')) == d('12.01.2026')
    assert CAL.previous_working_day(d('11.01.2026')) == d('30.12.2025')


def test_outside_the_shipped_years_only_weekends_are_days_off_and_the_explanation_says_so() -> None:
    assert CAL.is_working_day(d('01.01.2030'))
    assert CAL.day_info(d('01.01.2030')).kind == 'working'
    deadline = CAL.add_working_days(d('22.02.2023'), 1)  # 23.02.2023 is not known as a holiday: no data for 2023
    assert deadline.date == d('23.02.2023')
    assert 'За 2023 год нет данных производственного календаря' in deadline.explanation
    assert 'постановление Правительства РФ о переносе выходных дней в 2027 году' in (
        CAL.add_working_days(d('28.04.2027'), 5).explanation.replace('Постановление', 'постановление')
    )


def test_overrides_win_over_the_shipped_data_and_are_named_in_explanations() -> None:
    calendar = BusinessCalendar(
        shipped_data(), {d('11.01.2027'): (False, 'Перенос с 02.01.2027'), d('09.01.2026'): (True, 'Рабочий день')}
    )
    off = calendar.day_info(d('11.01.2027'))
    assert (off.kind, off.is_working, off.overridden) == ('transferred', False, True)
    assert calendar.is_working_day(d('09.01.2026'))
    assert calendar.day_info(d('09.01.2026')).kind == 'working'
    deadline = calendar.add_working_days(d('08.01.2027'), 1)
    assert deadline.date == d('12.01.2027')
    assert 'Перенос с 02.01.2027 (изменение администратора)' in deadline.explanation
    assert calendar.working_days_between(d('31.12.2026'), d('31.01.2027')) == (
        CAL.working_days_between(d('31.12.2026'), d('31.01.2027')) - 1
    )


# --- administrators' changes in the database ----------------------------------------------------------------------


def test_a_system_administrator_sets_and_clears_a_day_with_audit(fresh_calendar: Flask) -> None:
    with atomic():
        operator = make_user(make_organization(), 'administrator', is_system_admin=True)
        set_calendar_day(operator, {'day': '11.01.2027', 'is_working': '0', 'note': 'Постановление о переносе'})
    assert not business_calendar().is_working_day(d('11.01.2027'))
    with atomic():
        clear_calendar_day(operator, '2027-01-11')
    assert business_calendar().is_working_day(d('11.01.2027'))
    query = select(AuditEntry).where(AuditEntry.action.like('calendar.%')).order_by(AuditEntry.seq)
    entries = db.session.execute(query).scalars().all()
    assert [(entry.action, entry.object_id) for entry in entries] == [
        ('calendar.set_day', '2027-01-11'),
        ('calendar.clear_day', '2027-01-11'),
    ]
    assert entries[0].data['before']['is_working'] is True
    assert entries[0].data['after']['is_working'] is False
    assert entries[1].data['after'] == {'is_working': True, 'note': '', 'overridden': False}


def test_only_system_administrators_change_the_calendar(fresh_calendar: Flask) -> None:
    with atomic():
        admin = make_user(make_organization(), 'administrator')
    with pytest.raises(Forbidden), atomic():
        set_calendar_day(admin, {'day': '11.01.2027', 'is_working': '0', 'note': 'x'})
    assert db.session.get(CalendarDay, d('11.01.2027')) is None


@pytest.mark.parametrize(
    ('raw', 'field', 'message'),
    [
        ({'day': '31.02.2027', 'is_working': '0', 'note': 'x'}, 'day', '«Дата»: дата в формате ДД.ММ.ГГГГ.'),
        ({'day': '11.01.2027', 'note': 'x'}, 'is_working', '«Статус дня»: обязательное поле.'),
        ({'day': '11.01.2027', 'is_working': '0', 'note': ' '}, 'note', '«Основание»: обязательное поле.'),
        ({'day': '11.01.2027', 'is_working': '1', 'note': 'x'}, 'is_working', 'и так рабочий день'),
        ({'day': '11.01.2027', 'is_working': '0', 'note': 'x', 'extra': '1'}, 'extra', 'Неизвестное поле'),
    ],
)
def test_bad_calendar_input_is_refused_with_a_message(
    fresh_calendar: Flask, raw: dict, field: str, message: str
) -> None:
    with pytest.raises(ValidationFailed) as caught, atomic():
        set_calendar_day(SYSTEM, raw)
    assert message in caught.value.fields[field]


def test_clearing_a_day_without_a_change_is_not_found(fresh_calendar: Flask) -> None:
    with pytest.raises(NotFound), atomic():
        clear_calendar_day(SYSTEM, '11.01.2027')


def test_a_rolled_back_change_never_reaches_the_cache(fresh_calendar: Flask) -> None:
    with pytest.raises(RuntimeError):
        change_and_fail()
    invalidate_calendar()
    assert business_calendar().is_working_day(d('11.01.2027'))


def change_and_fail() -> None:
    with atomic():
        set_calendar_day(SYSTEM, {'day': '11.01.2027', 'is_working': '0', 'note': 'x'})
        raise RuntimeError


def test_the_cache_is_refreshed_after_sixty_seconds(fresh_calendar: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(calendar_cache, 'time', SimpleNamespace(monotonic=lambda: clock[0]))
    first = business_calendar()
    with atomic():  # another process's change: this process is not told
        db.session.add(CalendarDay(day=d('11.01.2027'), is_working=False, note='x'))
    clock[0] += 59
    assert business_calendar() is first
    assert first.is_working_day(d('11.01.2027'))
    clock[0] += 2
    assert not business_calendar().is_working_day(d('11.01.2027'))


# --- the command line ---------------------------------------------------------------------------------------------


def test_cli_counts_a_deadline_and_shows_a_year(fresh_calendar: Flask) -> None:
    runner = fresh_calendar.test_cli_runner()
    result = runner.invoke(args=['edms', 'calendar', 'deadline', '03.03.2026', '10'])
    assert result.exit_code == 0
    assert result.output.startswith('18.03.2026\n')
    result = runner.invoke(args=['edms', 'calendar', 'deadline', '05.03.2026', '30', '--calendar-days'])
    assert result.output.startswith('06.04.2026\n')
    result = runner.invoke(args=['edms', 'calendar', 'show', '2026'])
    assert 'Рабочих дней в году: 247' in result.output
    assert '09.01.2026 Перенесённый выходной день' in result.output


def test_cli_sets_and_clears_a_day(fresh_calendar: Flask) -> None:
    runner = fresh_calendar.test_cli_runner()
    result = runner.invoke(args=['edms', 'calendar', 'set', '11.01.2027', 'day-off', '--note', 'Постановление'])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=['edms', 'calendar', 'deadline', '08.01.2027', '1']).output.startswith('12.01.2027')
    assert runner.invoke(args=['edms', 'calendar', 'clear', '11.01.2027']).exit_code == 0
    result = runner.invoke(args=['edms', 'calendar', 'set', '11.01.2027', 'day-off', '--note', ''])
    assert result.exit_code == 1
    assert '«Основание»: обязательное поле.' in result.output
