"""The execution-discipline report: each count's definition on a crafted data set (executed on time and late by the
date the report was accepted, overdue including a report awaiting a decision, in work), what is not counted (drafts,
cancelled parts, deadlines outside the period, another organization), the department filter with its sub-departments,
the access rule, the period validation and the exports."""

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from edms.core.errors import Forbidden, ValidationFailed
from edms.core.tx import atomic
from edms.resolutions import deadlines
from edms.resolutions.discipline import (
    Counts,
    DisciplineFilter,
    discipline_report,
    read_filter,
    require_report_access,
    to_csv,
    to_xlsx,
)
from edms.resolutions.operations import (
    accept_report,
    cancel_resolution,
    draft_resolution,
    issue_resolution,
    submit_report,
)
from tests.factories import executor_item, make_card, make_user, working_day

#: Deadlines (working days from today): D1 < D2 < TODAY < D3 ≤ period end < D_OUT.
D1, D2, TODAY, D3, D_OUT = 3, 5, 8, 12, 40


def _issue(author, card, executor, deadline):
    data = {'text': 'Исполнить', 'executors': [executor_item(executor, responsible=True, deadline=deadline)]}
    with atomic():
        return issue_resolution(author, card, data)


def _execute(resolution, on_day):
    """The executor reports and the author accepts on `on_day` (the day the part counts as executed)."""
    with atomic():
        report = submit_report(resolution.responsible.executor, resolution.responsible, {'text': 'Исполнено'})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(deadlines, 'today', lambda: on_day)
        with atomic():
            accept_report(resolution.author, report)


@pytest.fixture
def crafted(staff, foreign):
    """Counted: the responsible (Д1) five parts, the co-executor (Д1) one, the subordinate (Д1-1, below Д1) one, the
    outsider (Д2) one. Not counted: a draft, a cancelled part, a deadline after the period, a foreign part."""
    d1, d2, d3 = working_day(D1), working_day(D2), working_day(D3)
    with atomic():
        cards = [make_card(staff.clerk) for _ in range(3)]
        foreign_card = make_card(make_user(foreign.organization, 'clerk'))
    on_time = _issue(staff.manager, cards[0], staff.responsible, d1)
    late = _issue(staff.manager, cards[0], staff.responsible, d1)
    _issue(staff.manager, cards[0], staff.responsible, d2)  # overdue: still in work
    reported = _issue(staff.manager, cards[1], staff.responsible, d2)  # overdue: report awaits acceptance
    _issue(staff.manager, cards[1], staff.responsible, d3)  # in work, deadline not reached
    early = _issue(staff.manager, cards[1], staff.co_executor, d2)
    _issue(staff.manager, cards[1], staff.subordinate, d1)  # overdue
    outsider_late = _issue(staff.manager, cards[2], staff.outsider, d1)
    # Not counted:
    draft = {'text': 'Проект', 'executors': [executor_item(staff.responsible, responsible=True, deadline=d1)]}
    with atomic():
        draft_resolution(staff.assistant, cards[2], {**draft, 'author_id': staff.manager.id})
    cancelled = _issue(staff.manager, cards[2], staff.responsible, d1)
    with atomic():
        cancel_resolution(staff.manager, cancelled, {'reason': 'Ошибочно'})
    _issue(staff.manager, cards[2], staff.responsible, working_day(D_OUT))
    _issue(foreign.manager, foreign_card, foreign.executor, d1)

    _execute(on_time, d1)
    _execute(late, d1 + timedelta(days=1))
    _execute(early, d1)
    _execute(outsider_late, d2)
    with atomic():
        submit_report(staff.responsible, reported.responsible, {'text': 'Готово'})
    return staff


def _period(**overrides):
    values = {'date_from': working_day(1), 'date_to': working_day(D3), 'department_id': None, **overrides}
    return DisciplineFilter(**values)


def _by_executor(report):
    return {item.user_id: item.counts for group in report.departments for item in group.executors}


def test_each_count_follows_its_definition(crafted):
    staff = crafted
    report = discipline_report(staff.organization.id, _period(), today=working_day(TODAY))
    counts = _by_executor(report)
    assert counts[staff.responsible.id] == Counts(assigned=5, on_time=1, late=1, overdue=2, in_work=1)
    assert counts[staff.co_executor.id] == Counts(assigned=1, on_time=1)
    assert counts[staff.subordinate.id] == Counts(assigned=1, overdue=1)
    assert counts[staff.outsider.id] == Counts(assigned=1, late=1)
    assert set(counts) == {staff.responsible.id, staff.co_executor.id, staff.subordinate.id, staff.outsider.id}
    assert report.total == Counts(assigned=8, on_time=2, late=2, overdue=3, in_work=1)
    assert report.total.on_time_percent == 50.0


def test_departments_come_in_tree_order_with_their_totals(crafted):
    staff = crafted
    report = discipline_report(staff.organization.id, _period(), today=working_day(TODAY))
    names = [group.name for group in report.departments]
    assert names.index('Департамент') < names.index('Отдел')
    assert set(names) == {'Департамент', 'Отдел', 'Другой департамент'}
    department = next(group for group in report.departments if group.name == 'Департамент')
    assert department.counts == Counts(assigned=6, on_time=2, late=1, overdue=2, in_work=1)


def test_overdue_and_in_work_depend_on_today(crafted):
    staff = crafted
    before_d2 = discipline_report(staff.organization.id, _period(), today=working_day(D2) - timedelta(days=1))
    assert _by_executor(before_d2)[staff.responsible.id] == Counts(assigned=5, on_time=1, late=1, in_work=3)


def test_the_period_selects_by_deadline(crafted):
    staff = crafted
    only_d1 = _period(date_from=working_day(D1), date_to=working_day(D1))
    report = discipline_report(staff.organization.id, only_d1, today=working_day(TODAY))
    assert report.total == Counts(assigned=4, on_time=1, late=2, overdue=1)
    later = _period(date_from=working_day(D3) + timedelta(days=1), date_to=working_day(D_OUT))
    assert discipline_report(staff.organization.id, later, today=working_day(TODAY)).total == Counts(1, 0, 0, 0, 1)


def test_a_department_includes_the_departments_below_it(crafted):
    staff = crafted
    flt = _period(department_id=staff.department.id)
    report = discipline_report(staff.organization.id, flt, today=working_day(TODAY))
    assert set(_by_executor(report)) == {staff.responsible.id, staff.co_executor.id, staff.subordinate.id}
    assert report.total.assigned == 7


def test_another_organization_sees_only_its_own(crafted, foreign):
    report = discipline_report(foreign.organization.id, _period(), today=working_day(TODAY))
    assert _by_executor(report) == {foreign.executor.id: Counts(assigned=1, overdue=1)}


def test_access_is_for_managers_controllers_and_administrators(staff):
    for user in (staff.manager, staff.controller):
        require_report_access(user)
    with atomic():
        admin = make_user(staff.organization, 'administrator')
    require_report_access(admin)
    for user in (staff.responsible, staff.assistant, staff.clerk):
        with pytest.raises(Forbidden):
            require_report_access(user)


def test_bad_periods_and_departments_are_refused_in_russian(staff, foreign):
    org = staff.organization.id
    with pytest.raises(ValidationFailed) as error:
        read_filter(org, {'date_from': '31.12.2026', 'date_to': '01.01.2026'})
    assert error.value.fields == {'date_to': '«Период по»: не раньше даты «Период с».'}
    with pytest.raises(ValidationFailed) as error:
        read_filter(org, {'date_from': '', 'date_to': '32.01.2026'})
    assert error.value.fields == {
        'date_from': '«Период с»: обязательное поле.',
        'date_to': '«Период по»: дата в формате ДД.ММ.ГГГГ.',
    }
    with pytest.raises(ValidationFailed) as error:
        read_filter(org, {'date_from': '01.01.2020', 'date_to': '31.12.2026'})
    assert error.value.fields == {'date_to': '«Период по»: период не длиннее трёх лет.'}
    foreign_department = foreign.organization.departments[0].id
    with pytest.raises(ValidationFailed) as error:
        read_filter(org, {'date_from': '01.01.2026', 'date_to': '31.12.2026', 'department_id': foreign_department})
    assert error.value.fields == {'department_id': '«Подразделение»: подразделение не найдено в организации.'}
    flt = read_filter(org, {'date_from': '2026-01-01', 'date_to': '31.12.2026', 'department_id': str(staff.section.id)})
    assert (flt.date_from.isoformat(), flt.date_to.isoformat(), flt.department_id) == (
        '2026-01-01',
        '2026-12-31',
        staff.section.id,
    )


def test_csv_and_xlsx_hold_the_same_rows(crafted):
    staff = crafted
    report = discipline_report(staff.organization.id, _period(), today=working_day(TODAY))
    data = to_csv(report)
    assert data.startswith('\ufeff'.encode())
    rows = list(csv.reader(io.StringIO(data.decode('utf-8-sig')), delimiter=';'))
    assert rows[0][:3] == ['Подразделение', 'Исполнитель', 'Поручено']
    assert rows[-1] == ['Всего по организации', '', '8', '2', '2', '3', '1', '50,0']
    sheet = load_workbook(io.BytesIO(to_xlsx(report))).active
    values = [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert values[0][:3] == ['Подразделение', 'Исполнитель', 'Поручено']
    assert values[-1] == ['Всего по организации', None, 8, 2, 2, 3, 1, 50.0]
    assert len(values) == len(rows)


def test_the_cli_writes_csv_or_xlsx_and_refuses_a_bad_period(crafted, app, tmp_path):
    staff, runner = crafted, app.test_cli_runner()
    period = ['--from', working_day(1).strftime('%d.%m.%Y'), '--to', working_day(D3).isoformat()]
    base = ['edms', 'report', 'discipline', '--organization', staff.organization.ogrn, *period]
    result = runner.invoke(args=[*base, '--output', str(tmp_path / 'report.csv')])
    assert result.exit_code == 0, result.output
    assert 'поручено 8, исполнено в срок 2, с нарушением срока 2' in result.output
    rows = list(csv.reader(io.StringIO((tmp_path / 'report.csv').read_text('utf-8-sig')), delimiter=';'))
    assert rows[-1][:7] == ['Всего по организации', '', '8', '2', '2', '0', '4']  # today: nothing overdue yet
    result = runner.invoke(args=[*base, '--department', str(staff.department.id), '--output', str(tmp_path / 'r.xlsx')])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(tmp_path / 'r.xlsx').active
    assert list(sheet.iter_rows(values_only=True))[-1][:3] == ('Всего по организации', None, 7)
    bad = ['edms', 'report', 'discipline', '--organization', staff.organization.ogrn, '--from', '31.12.2026']
    result = runner.invoke(args=[*bad, '--to', '01.01.2026', '--format', 'csv', '--output', str(tmp_path / 'x.csv')])
    assert result.exit_code == 1
    assert '--to: «Период по»: не раньше даты «Период с».' in result.output
    assert not (tmp_path / 'x.csv').exists()
    result = runner.invoke(args=['edms', 'report', 'discipline', '--organization', '0000', *period, '--output', 'x'])
    assert result.exit_code == 1
    assert 'организация «0000» не найдена' in result.output
