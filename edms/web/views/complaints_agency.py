"""The agency's side of complaints in the browser: «Жалобы» (the complaints about the agency, those under
consideration first by their term, the overdue marked) and «Нарушены сроки» (the agency's applications with a missed
term of registration or of the service, each with its explanation). Routes of the `complaints` blueprint.
"""

from __future__ import annotations

from flask import render_template, request, url_for

from edms.auth.models import User
from edms.citizen_services.permissions import is_staff
from edms.citizen_services.queries.complaints import is_overdue, list_complaints
from edms.citizen_services.queries.missed_deadlines import list_missed_deadlines
from edms.core.errors import Forbidden, ValidationFailed
from edms.core.validation import RawInput
from edms.web.session import current_user, login_required
from edms.web.views.complaints import bp

PER_PAGE = 20


@bp.get('/agency/complaints')
@login_required
def agency_index() -> str:
    user = current_user()
    _require_staff(user)
    complaints = list_complaints(user, 'agency')
    return render_template('complaints/agency_list.html', complaints=complaints, is_overdue=is_overdue)


@bp.get('/agency/missed-deadlines')
@login_required
def missed_deadlines() -> str | tuple[str, int]:
    user = current_user()
    _require_staff(user)
    form = RawInput({key: value for key, value in request.args.items() if value != ''}, ('page',))
    number = form.integer('page', 'Страница', min_value=1, max_value=100_000) or 1
    try:
        form.finish()
    except ValidationFailed as error:
        html = render_template('complaints/missed_deadlines.html', page=None, errors=error.fields, page_url=_url)
        return html, 422
    page = list_missed_deadlines(user, page=number, per_page=PER_PAGE)
    return render_template('complaints/missed_deadlines.html', page=page, errors={}, page_url=_url)


def _require_staff(user: User) -> None:
    if not is_staff(user):
        raise Forbidden('Жалобы и нарушения сроков видят сотрудники ведомства.')


def _url(number: int) -> str:
    return url_for('complaints.missed_deadlines', page=number)
