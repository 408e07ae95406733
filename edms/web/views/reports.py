"""Reports in the browser: the execution-discipline report (filter form, table, inline SVG chart, CSV and XLSX).

The page is a GET form: the period and the department come back filled, a bad period is shown next to its field
(422), and the export links repeat the same filter. The chart is plain SVG drawn on the server (no JavaScript, no
`style=`: the CSP forbids both; SVG presentation attributes carry the colours).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request, url_for

from edms.core.clock import local_today
from edms.core.errors import ValidationFailed
from edms.core.validation import parse_date
from edms.directory.queries import department_tree
from edms.resolutions.discipline import (
    COLUMNS,
    FILTER_FIELDS,
    Counts,
    DisciplineReport,
    default_period,
    discipline_report,
    export_filename,
    read_filter,
    require_report_access,
    to_csv,
    to_xlsx,
)
from edms.web.session import current_user, login_required

bp = Blueprint('reports', __name__, url_prefix='/reports')

XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
#: Chart segments: attribute of `Counts` (the stack of `assigned`), legend and colour.
SEGMENTS = (
    ('on_time', 'Исполнено в срок', '#198754'),
    ('late', 'Исполнено с нарушением срока', '#fd7e14'),
    ('overdue', 'Просрочено', '#dc3545'),
    ('in_work', 'В работе, срок не истёк', '#0d6efd'),
)
CHART_WIDTH, LABEL_WIDTH, BAR_HEIGHT, BAR_GAP, TOP = 960, 300, 22, 10, 34
LABEL_MAX = 36


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    colour: str
    title: str


@dataclass(frozen=True)
class Bar:
    name: str
    y: int
    total: int
    segments: list[Segment]

    @property
    def label(self) -> str:
        """The name cut to fit left of the bars (the whole name is the label's tooltip)."""
        return self.name if len(self.name) <= LABEL_MAX else self.name[: LABEL_MAX - 1] + '…'

    @property
    def end_x(self) -> float:
        """Where the bar ends: its total is written just after it."""
        last = self.segments[-1] if self.segments else None
        return last.x + last.width if last else float(LABEL_WIDTH)


@dataclass(frozen=True)
class Chart:
    height: int
    bars: list[Bar]
    #: (x, label, colour) of each legend item, spaced by the length of the labels.
    legend: list[tuple[int, str, str]]
    plot_x: int


@bp.get('/discipline')
@login_required
def discipline() -> str | tuple[str, int]:
    """The form and, for a valid filter, the table and the chart; the default period is this year up to today."""
    user = current_user()
    require_report_access(user)
    values = _filter_values()
    errors: dict[str, str] = {}
    report = None
    try:
        report = discipline_report(user.organization_id, read_filter(user.organization_id, values))
    except ValidationFailed as error:
        errors = error.fields
    html = render_template(
        'resolutions/discipline.html',
        values=_shown(values),
        errors=errors,
        report=report,
        columns=COLUMNS,
        chart=_chart(report) if report is not None else None,
        departments=[(node.department.id, '— ' * node.depth + node.department.name) for node in _tree()],
        export_url=_export_url,
    )
    return (html, 422) if errors else html


@bp.get('/discipline.<any(csv, xlsx):fmt>')
@login_required
def discipline_export(fmt: str) -> Response | tuple[str, int]:
    """The same data as a file: CSV (UTF-8 with BOM, `;`) or XLSX."""
    user = current_user()
    require_report_access(user)
    report = discipline_report(user.organization_id, read_filter(user.organization_id, _filter_values()))
    body, mimetype = (to_csv(report), 'text/csv; charset=utf-8') if fmt == 'csv' else (to_xlsx(report), XLSX_TYPE)
    response = Response(body, mimetype=mimetype)
    response.headers['Content-Disposition'] = f'attachment; filename="{export_filename(report, fmt)}"'
    return response


def _filter_values() -> dict[str, Any]:
    """The filter as sent (only its own fields), or this year up to today when nothing was sent."""
    values = {name: request.args.get(name, '') for name in FILTER_FIELDS if name in request.args}
    if not values:
        start, end = default_period(local_today(current_app.config['TIMEZONE']))
        values = {'date_from': start.isoformat(), 'date_to': end.isoformat()}
    return values


def _shown(values: dict[str, Any]) -> dict[str, Any]:
    """The filter as typed, with real dates in ISO form: the browser's date input shows only that form."""
    shown = dict(values)
    for name in ('date_from', 'date_to'):
        day = parse_date(values.get(name))
        if day is not None:
            shown[name] = day.isoformat()
    return shown


def _export_url(fmt: str, values: dict[str, Any]) -> str:
    return url_for('reports.discipline_export', fmt=fmt, **{key: value for key, value in values.items() if value})


def _tree() -> list[Any]:
    return department_tree(current_user().organization_id)


def _chart(report: DisciplineReport) -> Chart:
    """Stacked horizontal bars of the counted parts: per department, or per executor when one department is chosen."""
    if report.filter.department_id is not None and len(report.departments) == 1:
        rows = [(item.name, item.counts) for item in report.departments[0].executors]
    else:
        rows = [(group.name, group.counts) for group in report.departments]
    largest = max((counts.assigned for _, counts in rows), default=0) or 1
    plot_width = CHART_WIDTH - LABEL_WIDTH - 60
    bars = [
        Bar(name, TOP + index * (BAR_HEIGHT + BAR_GAP), counts.assigned, _segments(counts, plot_width / largest))
        for index, (name, counts) in enumerate(rows)
    ]
    height = TOP + len(rows) * (BAR_HEIGHT + BAR_GAP) + 8
    legend, x = [], 10
    for _, label, colour in SEGMENTS:
        legend.append((x, label, colour))
        x += 18 + len(label) * 8 + 24
    return Chart(height, bars, legend, LABEL_WIDTH)


def _segments(counts: Counts, scale: float) -> list[Segment]:
    x, segments = float(LABEL_WIDTH), []
    for name, label, colour in SEGMENTS:
        value = getattr(counts, name)
        if value:
            segments.append(Segment(round(x, 1), round(value * scale, 1), colour, f'{label}: {value}'))
            x += value * scale
    return segments
