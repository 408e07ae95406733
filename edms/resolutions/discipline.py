"""The execution-discipline report (исполнительская дисциплина): per department and per executor of one organization
for a period, with its CSV and XLSX export (the web page and the CLI share them).

What is counted — the assignments (one executor's part of a resolution) of the organization whose CURRENT deadline
(after any granted extension) falls within the period [date_from, date_to], in the statuses in work, reported or
executed; drafts (not approved yet) and cancelled parts are not counted. Each counted part is in exactly one of the
four last columns, so assigned = on time + late + overdue + in work:

- assigned («Поручено»): every counted part;
- executed on time («Исполнено в срок»): executed, and its execution date (the day its report was accepted) is on or
  before the deadline;
- executed late («Исполнено с нарушением срока»): executed after the deadline (or with no execution date recorded);
- overdue now («Просрочено»): not executed yet (in work, or its report awaits a decision) and the deadline is before
  today — a report waiting for acceptance does not stop the clock, the part is executed only when accepted;
- in work («В работе, срок не истёк»): not executed yet and the deadline is today or later.

A part belongs to its executor's department as it is now (users move; the report is about people). A department filter
takes the department and every department below it. The counts come from ONE aggregate statement grouped by
department and executor (index `(organization_id, deadline)` of the assignments); names are read afterwards.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from flask import current_app
from sqlalchemy import func, or_, select

from edms.auth.models import Role, User
from edms.core.clock import local_today
from edms.core.db import db
from edms.core.errors import Forbidden
from edms.core.validation import RawInput
from edms.directory.models import Department
from edms.directory.queries import department_tree, descendant_ids
from edms.resolutions.models import Assignment, AssignmentStatus
from edms.resolutions.models.enums import OPEN_ASSIGNMENT_STATUSES

FILTER_FIELDS = ('date_from', 'date_to', 'department_id')
#: The longest period one report covers (about three years).
MAX_PERIOD_DAYS = 3 * 366
COUNTED_STATUSES = (*OPEN_ASSIGNMENT_STATUSES, AssignmentStatus.executed)
REPORT_ROLES = (Role.manager, Role.controller, Role.administrator)
NO_DEPARTMENT = 'Без подразделения'
#: Columns of the table and of the exports: attribute of `Counts` and its Russian heading.
COLUMNS = (
    ('assigned', 'Поручено'),
    ('on_time', 'Исполнено в срок'),
    ('late', 'Исполнено с нарушением срока'),
    ('overdue', 'Просрочено'),
    ('in_work', 'В работе, срок не истёк'),
)


@dataclass(frozen=True)
class DisciplineFilter:
    date_from: date
    date_to: date
    department_id: int | None = None


@dataclass
class Counts:
    assigned: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    in_work: int = 0

    def add(self, other: Counts) -> None:
        for name, _ in COLUMNS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def on_time_percent(self) -> float | None:
        """Share of the executed parts executed on time, or None when nothing was executed."""
        executed = self.on_time + self.late
        return round(100 * self.on_time / executed, 1) if executed else None


@dataclass
class ExecutorRow:
    user_id: int
    name: str
    counts: Counts


@dataclass
class DepartmentRow:
    department_id: int | None
    name: str
    counts: Counts = field(default_factory=Counts)
    executors: list[ExecutorRow] = field(default_factory=list)


@dataclass
class DisciplineReport:
    organization_id: int
    filter: DisciplineFilter
    today: date
    departments: list[DepartmentRow]
    total: Counts


def can_see_report(user: User) -> bool:
    """Managers, controllers and administrators of the organization (and system administrators)."""
    return user.is_system_admin or user.has_role(*REPORT_ROLES)


def require_report_access(user: User) -> None:
    if not can_see_report(user):
        raise Forbidden('Отчёт об исполнительской дисциплине доступен руководителям, контролёрам и администраторам.')


def read_filter(organization_id: int, raw: Mapping[str, Any]) -> DisciplineFilter:
    """The period (both dates required, from ≤ to, at most ~3 years) and an optional department of the organization."""
    form = RawInput(raw, FILTER_FIELDS)
    date_from = form.date('date_from', 'Период с', required=True)
    date_to = form.date('date_to', 'Период по', required=True)
    department_id = form.integer('department_id', 'Подразделение', min_value=1)
    if date_from and date_to and date_from > date_to:
        form.errors.add('date_to', '«Период по»: не раньше даты «Период с».')
    elif date_from and date_to and (date_to - date_from).days >= MAX_PERIOD_DAYS:
        form.errors.add('date_to', '«Период по»: период не длиннее трёх лет.')
    if department_id is not None and not _department_of(organization_id, department_id):
        form.errors.add('department_id', '«Подразделение»: подразделение не найдено в организации.')
    form.finish()
    return DisciplineFilter(cast(date, date_from), cast(date, date_to), department_id)  # required: checked above


def _department_of(organization_id: int, department_id: int) -> bool:
    department = db.session.get(Department, department_id)
    return department is not None and department.organization_id == organization_id


def discipline_report(organization_id: int, flt: DisciplineFilter, today: date | None = None) -> DisciplineReport:
    """The report: departments in tree order (the one without a department last), executors by name, totals."""
    today = today or local_today(current_app.config['TIMEZONE'])
    rows = db.session.execute(_counts_query(organization_id, flt, today)).all()
    names = _user_names({row.executor_id for row in rows})
    departments = {node.department.id: node.department.name for node in department_tree(organization_id)}
    order = {department_id: index for index, department_id in enumerate(departments)}
    by_department: dict[int | None, DepartmentRow] = {}
    total = Counts()
    for row in rows:
        counts = Counts(row.assigned, row.on_time, row.late, row.overdue, row.in_work)
        name = departments.get(row.department_id, NO_DEPARTMENT) if row.department_id else NO_DEPARTMENT
        group = by_department.setdefault(row.department_id, DepartmentRow(row.department_id, name))
        group.executors.append(ExecutorRow(row.executor_id, names.get(row.executor_id, ''), counts))
        group.counts.add(counts)
        total.add(counts)
    last = len(order)  # executors without a department (or in a department of another tree) come last
    groups = sorted(by_department.values(), key=lambda group: order.get(group.department_id or 0, last))
    for group in groups:
        group.executors.sort(key=lambda item: (item.name, item.user_id))
    return DisciplineReport(organization_id, flt, today, groups, total)


def _counts_query(organization_id: int, flt: DisciplineFilter, today: date) -> Any:
    """One statement: the five counts per (executor's department, executor)."""
    executed = Assignment.status == AssignmentStatus.executed
    still_open = Assignment.status.in_(OPEN_ASSIGNMENT_STATUSES)
    on_time = Assignment.executed_at <= Assignment.deadline
    query = (
        select(
            User.department_id,
            Assignment.executor_id,
            func.count().label('assigned'),
            func.count().filter(executed, on_time).label('on_time'),
            func.count().filter(executed, or_(Assignment.executed_at.is_(None), ~on_time)).label('late'),
            func.count().filter(still_open, Assignment.deadline < today).label('overdue'),
            func.count().filter(still_open, Assignment.deadline >= today).label('in_work'),
        )
        .join(User, User.id == Assignment.executor_id)
        .where(
            Assignment.organization_id == organization_id,
            Assignment.deadline.between(flt.date_from, flt.date_to),
            Assignment.status.in_(COUNTED_STATUSES),
        )
        .group_by(User.department_id, Assignment.executor_id)
    )
    if flt.department_id is not None:
        query = query.where(User.department_id.in_(sorted(descendant_ids(organization_id, flt.department_id))))
    return query


def _user_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    users = db.session.execute(select(User).where(User.id.in_(sorted(ids)))).scalars()
    return {user.id: user.full_name for user in users}


def default_period(today: date) -> tuple[date, date]:
    """The form's default: the current year up to today."""
    return date(today.year, 1, 1), today


def table_rows(report: DisciplineReport) -> list[tuple[list[Any], bool]]:
    """The report as rows for the exports, each with True for a heading or total row: the heading, each executor,
    each department's total, the grand total."""
    heading = ['Подразделение', 'Исполнитель', *(label for _, label in COLUMNS), 'Доля исполненных в срок, %']
    rows: list[tuple[list[Any], bool]] = [(heading, True)]
    for group in report.departments:
        rows += [([group.name, item.name, *_values(item.counts)], False) for item in group.executors]
        rows.append(([group.name, 'Итого по подразделению', *_values(group.counts)], True))
    rows.append((['Всего по организации', '', *_values(report.total)], True))
    return rows


def _values(counts: Counts) -> list[Any]:
    return [*(getattr(counts, name) for name, _ in COLUMNS), counts.on_time_percent]


def export_title(report: DisciplineReport) -> str:
    flt = report.filter
    return f'Исполнительская дисциплина за {flt.date_from:%d.%m.%Y}–{flt.date_to:%d.%m.%Y}'


def export_filename(report: DisciplineReport, extension: str) -> str:
    flt = report.filter
    return f'discipline-{flt.date_from.isoformat()}-{flt.date_to.isoformat()}.{extension}'


def to_csv(report: DisciplineReport) -> bytes:
    """CSV for Excel: UTF-8 with a BOM, `;` as the separator, decimal commas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=';', lineterminator='\r\n')
    for row, _ in table_rows(report):
        writer.writerow([_csv_value(value) for value in row])
    return '\ufeff'.encode() + buffer.getvalue().encode('utf-8')


def _csv_value(value: Any) -> Any:
    if value is None:
        return ''
    return str(value).replace('.', ',') if isinstance(value, float) else value


def to_xlsx(report: DisciplineReport) -> bytes:
    """An XLSX workbook with one sheet: a title row, then the table with a bold heading and bold totals."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = 'Дисциплина'
    sheet.append([export_title(report)])
    sheet['A1'].font = Font(bold=True, size=13)
    for row, emphasized in table_rows(report):
        sheet.append(row)
        if emphasized:
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
    for letter, width in zip('ABCDEFGH', (40, 36, 12, 16, 18, 12, 18, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = 'C3'
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
