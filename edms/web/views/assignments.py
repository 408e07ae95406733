"""«Мои поручения» in the browser: the executor's assignments by filter (open, due soon, overdue, executed, all) with
their deadlines coloured and labelled, the card and its files one click away, the report form inline; and the reports
and extension requests waiting for the user's decision.

The report is sent in one transaction; a refused report comes back in its own form, filled, with the messages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from edms.core.blobs import BlobTooLarge
from edms.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from edms.core.tx import atomic
from edms.core.validation import RawInput
from edms.resolutions.operations import submit_report
from edms.resolutions.permissions import assignment_actions
from edms.resolutions.queries import (
    MY_FILTER_LABELS,
    MY_FILTERS,
    extensions_to_decide,
    get_assignment,
    my_assignment_counts,
    my_assignments,
    reports_to_decide,
)
from edms.web.session import current_user, login_required
from edms.web.views.resolution_actions import uploaded_files

bp = Blueprint('assignments', __name__, url_prefix='/assignments')
Html = str | tuple[str, int]
PER_PAGE = 30
MAX_PAGE = 100_000
DECISIONS_SHOWN = 20


def _filter_and_page() -> tuple[str, int]:
    """The filter (unknown → open) and the page (garbage → 1) from the query string or the posted form."""
    flt = request.values.get('filter', 'open')
    form = RawInput(request.values)
    number = form.integer('page', 'Страница', min_value=1, max_value=MAX_PAGE)
    return (flt if flt in MY_FILTERS else 'open'), (1 if form.errors or number is None else number)


@bp.get('/')
@login_required
def index() -> str:
    return _render()


def _render(*, failed_id: int | None = None, errors: dict[str, str] | None = None, message: str = '') -> str:
    user = current_user()
    flt, number = _filter_and_page()
    page = my_assignments(user, flt, number, PER_PAGE)
    actions = {
        item.assignment.id: assignment_actions(user, item.assignment, item.pending_extension) for item in page.items
    }
    return render_template(
        'resolutions/my_assignments.html',
        page=page,
        actions=actions,
        counts=my_assignment_counts(user),
        filters=MY_FILTERS,
        filter_labels=MY_FILTER_LABELS,
        reports=reports_to_decide(user, DECISIONS_SHOWN),
        extensions=extensions_to_decide(user, DECISIONS_SHOWN),
        failed_id=failed_id,
        values={'form': f'report-{failed_id}', 'text': request.form.get('text', '')} if failed_id else {},
        errors=errors or {},
        message=message,
        list_url=_list_url,
    )


def _list_url(flt: str, number: int = 1) -> str:
    return url_for('assignments.index', filter=flt if flt != 'open' else None, page=number if number > 1 else None)


@bp.post('/<int:assignment_id>/report')
@login_required
def report(assignment_id: int) -> Html | Response:
    """The executor's report from the list; back to the same filter and page."""
    user = current_user()
    flt, number = _filter_and_page()
    try:
        with atomic():
            submitted = submit_report(
                user, get_assignment(user, assignment_id), {'text': request.form.get('text', '')}, uploaded_files()
            )
            addressee = submitted.addressed_to_label.lower()
    except (Forbidden, NotFound):
        raise
    except DomainError as error:
        fields = _report_fields(error)
        message = '' if isinstance(error, ValidationFailed | BlobTooLarge) else error.message
        return _render(failed_id=assignment_id, errors=fields, message=message), error.status
    flash(f'Отчёт об исполнении направлен: {addressee}.', 'success')
    return redirect(_list_url(flt, number))


def _report_fields(error: DomainError) -> dict[str, Any]:
    """Field messages of the report form; an oversize file is a message of the files field."""
    if isinstance(error, BlobTooLarge):
        return {'files': f'«Файлы отчёта»: {error.message}.'}
    return dict(error.fields)
