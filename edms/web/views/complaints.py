"""Complaints (210-ФЗ ст. 11.1) in the browser, the applicant's side and the complaint page: «Подать жалобу» from an
application (the missed deadlines found are shown and their kinds suggested; the form comes back filled with every
message on a refusal), «Мои жалобы» (the MFC operator sees the complaints it accepted), the complaint page with its
term of consideration and, for the officials of the agency complained about, the decision form. The application pages
of both sides show the missed deadlines and the complaints through `application_sections`. The agency's lists
(«Жалобы», «Нарушены сроки») live in `complaints_agency`, registered on the same blueprint.

Another applicant's or organization's application or complaint is a 404 on every route.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from edms.auth.models import User
from edms.citizen_services.catalogue.registry import get_service
from edms.citizen_services.models import Application
from edms.citizen_services.models.complaints import COMPLAINT_KIND_LABELS, Complaint, ComplaintKind, kind_title
from edms.citizen_services.operations.complaints import (
    COMPLAINT_FIELDS,
    DECISION_FIELDS,
    decide_complaint,
    file_complaint,
    require_complainant,
    require_complaint_official,
)
from edms.citizen_services.permissions import is_staff
from edms.citizen_services.queries import get_application
from edms.citizen_services.queries.complaints import (
    complaint_of_card,
    complaints_of_application,
    get_complaint,
    is_overdue,
    list_complaints,
)
from edms.citizen_services.queries.missed_deadlines import Violation, application_violations
from edms.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from edms.core.tx import atomic
from edms.registry.models import Card
from edms.web.application_sections import register_section
from edms.web.session import current_user, login_required

bp = Blueprint('complaints', __name__)
Html = str | tuple[str, int]
KIND_OPTIONS = [(kind.value, kind_title(kind)) for kind in ComplaintKind]


def may_file(user: User, application: Application) -> bool:
    """Whether the user may complain about the application (its applicant, or the MFC it came through)."""
    return _passes(require_complainant, user, application)


def may_decide(user: User, complaint: Complaint) -> bool:
    return _passes(require_complaint_official, user, complaint)


def _passes(check: Callable[..., None], *args: Any) -> bool:
    """Whether the access `check` lets the call through (it raises NotFound or Forbidden when not)."""
    try:
        check(*args)
    except (NotFound, Forbidden):
        return False
    return True


def _section(user: User, application: Application, filing: bool) -> dict[str, Any]:
    return {
        'violations': application_violations(application),
        'complaints': complaints_of_application(user, application),
        'may_file': filing,
    }


def _applicant_section(user: User, application: Application) -> dict[str, Any] | None:
    return _section(user, application, may_file(user, application))


def _agency_section(user: User, application: Application) -> dict[str, Any] | None:
    return _section(user, application, False)


register_section('applicant', 'complaints/_application_section.html', _applicant_section)
register_section('agency', 'complaints/_application_section.html', _agency_section)


@bp.app_template_global()
def card_complaint(card: Card) -> Complaint | None:
    """The complaint behind an appeal card, for `complaints/_card_complaint.html` on the card page (its term of
    consideration under 210-ФЗ instead of the 30 days of 59-ФЗ)."""
    return complaint_of_card(card.id)


def _suggested(violations: list[Violation]) -> str:
    """The kind first suggested: the first missed term's (п. 1 or 2 of ст. 11.1); none when no term was missed."""
    return violations[0].complaint_kind.value if violations else ''


@bp.get('/applications/<int:application_id>/complaint')
@login_required
def new(application_id: int) -> Html:
    user = current_user()
    application = get_application(user, application_id)
    require_complainant(user, application)
    violations = application_violations(application)
    return _form(application, {'kind': _suggested(violations)}, {}, violations)


def _form(
    application: Application, values: dict[str, Any], errors: dict[str, str], violations: list[Violation]
) -> Html:
    html = render_template(
        'complaints/new.html',
        application=application,
        service=get_service(application.service_code),
        values=values,
        errors=errors,
        violations=violations,
        suggested={item.complaint_kind.value for item in violations},
        kind_options=KIND_OPTIONS,
        kind_labels=COMPLAINT_KIND_LABELS,
    )
    return (html, 422) if errors else html


@bp.post('/applications/<int:application_id>/complaint')
@login_required
def create(application_id: int) -> Html | Response:
    user = current_user()
    raw = {name: request.form.get(name, '') for name in COMPLAINT_FIELDS}
    try:
        with atomic():
            complaint = file_complaint(user, get_application(user, application_id), raw)
    except ValidationFailed as error:
        application = get_application(user, application_id)
        return _form(application, raw, error.fields, application_violations(application))
    flash(
        f'Жалоба № {complaint.number} зарегистрирована. Срок рассмотрения — до {complaint.deadline:%d.%m.%Y}.',
        'success',
    )
    return redirect(url_for('complaints.show', complaint_id=complaint.id))


@bp.get('/complaints')
@login_required
def index() -> Html | Response:
    user = current_user()
    if is_staff(user):
        return redirect(url_for('complaints.agency_index'))
    return render_template('complaints/list.html', complaints=list_complaints(user), is_overdue=is_overdue)


@bp.get('/complaints/<int:complaint_id>')
@login_required
def show(complaint_id: int) -> Html:
    return _page(get_complaint(current_user(), complaint_id), {}, {}, None)


def _page(complaint: Complaint, values: dict[str, Any], errors: dict[str, str], message: str | None) -> Html:
    user = current_user()
    html = render_template(
        'complaints/show.html',
        complaint=complaint,
        overdue=is_overdue(complaint),
        may_decide=may_decide(user, complaint),
        staff=is_staff(user) and complaint.organization_id == user.organization_id,
        values=values,
        errors=errors,
        message=message,
    )
    return (html, 422 if errors else 409) if errors or message else html


@bp.post('/complaints/<int:complaint_id>/decision')
@login_required
def decide(complaint_id: int) -> Html | Response:
    """Uphold or reject; a refused form comes back filled with the messages next to the fields."""
    user = current_user()
    raw = {name: request.form.get(name, '') for name in DECISION_FIELDS}
    try:
        with atomic():
            complaint = decide_complaint(user, get_complaint(user, complaint_id, lock=True), raw)
    except (NotFound, Forbidden):
        raise
    except DomainError as error:
        notice = None if isinstance(error, ValidationFailed) else error.message
        return _page(get_complaint(user, complaint_id), raw, error.fields, notice)
    flash(f'Решение по жалобе № {complaint.number} принято; заявитель уведомлён.', 'success')
    return redirect(url_for('complaints.show', complaint_id=complaint_id))


from edms.web.views import complaints_agency  # noqa: E402,F401  (its routes register on this blueprint)
