"""Complaints (210-ФЗ ст. 11.1) in the browser, the applicant's side and the complaint page: «Подать жалобу» from an
application (the missed deadlines found are shown and their kinds suggested) or without one (the service chosen
first, then an agency providing it; the MFC names its visitor), each with up to ten files; a refused form comes back
filled with every message (the files are chosen again). «Мои жалобы» (the MFC operator sees the complaints it
accepted), the complaint page with its files, its term of consideration and, for the officials of the agency
complained about, the decision form. The application pages
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
from edms.citizen_services.catalogue.registry import all_services, catalogue, find_service, get_service
from edms.citizen_services.models import Application
from edms.citizen_services.models.complaints import (
    COMPLAINT_FILES_MAX,
    COMPLAINT_KIND_LABELS,
    Complaint,
    ComplaintKind,
    kind_title,
)
from edms.citizen_services.operations import UploadedFile
from edms.citizen_services.operations.applicants import BLOCK
from edms.citizen_services.operations.complaint_files import FILES_FIELD
from edms.citizen_services.operations.complaints import (
    COMPLAINT_FIELDS,
    DECISION_FIELDS,
    complains_via_mfc,
    decide_complaint,
    file_complaint,
    file_service_complaint,
    require_complainant,
    require_complaint_official,
)
from edms.citizen_services.permissions import is_staff
from edms.citizen_services.queries import get_application
from edms.citizen_services.queries.complaints import (
    complaint_agencies,
    complaint_of_card,
    complaints_of_application,
    get_complaint,
    get_complaint_file,
    is_overdue,
    list_complaints,
)
from edms.citizen_services.queries.missed_deadlines import Violation, application_violations
from edms.core.downloads import send_stored
from edms.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from edms.core.tx import atomic
from edms.registry.models import Card
from edms.web.application_sections import register_section
from edms.web.session import current_user, login_required
from edms.web.views.applications_forms import FILES_AGAIN

bp = Blueprint('complaints', __name__)
Html = str | tuple[str, int]
KIND_OPTIONS = [(kind.value, kind_title(kind)) for kind in ComplaintKind]
#: The visitor an MFC operator names when there is no application (the form's inputs `on_behalf.<name>`).
VISITOR_FIELDS = ('name', 'snils')


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
    application: Application,
    values: dict[str, Any],
    errors: dict[str, str],
    violations: list[Violation],
    files_again: bool = False,
) -> Html:
    html = render_template(
        'complaints/new.html',
        application=application,
        service=get_service(application.service_code),
        values=values,
        errors=errors,
        violations=violations,
        suggested={item.complaint_kind.value for item in violations},
        **_form_context(files_again),
    )
    return (html, 422) if errors else html


def _form_context(files_again: bool) -> dict[str, Any]:
    return {
        'kind_options': KIND_OPTIONS,
        'kind_labels': COMPLAINT_KIND_LABELS,
        'files_max': COMPLAINT_FILES_MAX,
        'files_again': FILES_AGAIN if files_again else None,
    }


def posted_files() -> list[UploadedFile]:
    """The files chosen in the form's `files` input (a browser sends an empty part when none was chosen)."""
    return [
        UploadedFile(FILES_FIELD, storage.filename, storage.stream)
        for storage in request.files.getlist(FILES_FIELD)
        if storage.filename
    ]


@bp.post('/applications/<int:application_id>/complaint')
@login_required
def create(application_id: int) -> Html | Response:
    user = current_user()
    raw = {name: request.form.get(name, '') for name in COMPLAINT_FIELDS}
    files = posted_files()
    try:
        with atomic():
            complaint = file_complaint(user, get_application(user, application_id), raw, files)
    except ValidationFailed as error:
        application = get_application(user, application_id)
        return _form(application, raw, error.fields, application_violations(application), bool(files))
    return _filed(complaint)


def _filed(complaint: Complaint) -> Response:
    flash(
        f'Жалоба № {complaint.number} зарегистрирована. Срок рассмотрения — до {complaint.deadline:%d.%m.%Y}.',
        'success',
    )
    return redirect(url_for('complaints.show', complaint_id=complaint.id))


@bp.get('/complaints/new')
@login_required
def new_without_application() -> Html:
    """The complaint without an application: the service chosen first (`?service=`), then an agency providing it."""
    via_mfc = complains_via_mfc(current_user())
    service = request.args.get('service', '')
    return _service_form(via_mfc, {'service': service} if service in catalogue else {}, {})


@bp.post('/complaints/new')
@login_required
def create_without_application() -> Html | Response:
    user = current_user()
    via_mfc = complains_via_mfc(user)
    values = {name: request.form.get(name, '') for name in ('service', 'organization_id', *COMPLAINT_FIELDS)}
    visitor = {name: request.form.get(f'{BLOCK}.{name}', '').strip() for name in VISITOR_FIELDS}
    raw: dict[str, Any] = dict(values)
    if via_mfc:
        raw[BLOCK] = {name: value for name, value in visitor.items() if value}
        values.update({f'{BLOCK}.{name}': value for name, value in visitor.items()})
    files = posted_files()
    try:
        with atomic():
            complaint = file_service_complaint(user, raw, files)
    except ValidationFailed as error:
        return _service_form(via_mfc, values, error.fields, bool(files))
    return _filed(complaint)


def _service_form(via_mfc: bool, values: dict[str, Any], errors: dict[str, str], files_again: bool = False) -> Html:
    code = values.get('service', '')
    service = find_service(code)
    agencies = complaint_agencies(service.code) if service is not None else []
    html = render_template(
        'complaints/new_service.html',
        services=[(item.code, item.title) for item in all_services()],
        service=service,
        agencies=[(organization.id, organization.short_name) for organization in agencies],
        via_mfc=via_mfc,
        values=values,
        errors=errors,
        suggested=set(),
        **_form_context(files_again),
    )
    return (html, 422) if errors else html


@bp.get('/complaints')
@login_required
def index() -> Html | Response:
    user = current_user()
    if is_staff(user):
        return redirect(url_for('complaints.agency_index'))
    return render_template(
        'complaints/list.html',
        complaints=list_complaints(user),
        is_overdue=is_overdue,
        may_file_without_application=_passes(complains_via_mfc, user),
    )


@bp.get('/complaints/<int:complaint_id>')
@login_required
def show(complaint_id: int) -> Html:
    return _page(get_complaint(current_user(), complaint_id), {}, {}, None)


@bp.get('/complaints/<int:complaint_id>/files/<int:file_id>')
@login_required
def file(complaint_id: int, file_id: int) -> Response:
    """A file of the complaint, for whoever sees the complaint (its applicant, the MFC, the agency's staff)."""
    row = get_complaint_file(get_complaint(current_user(), complaint_id), file_id)
    return send_stored(row.sha256, row.content_type, row.filename)


def _service_title(complaint: Complaint) -> str:
    service = find_service(complaint.service_code)
    return service.title if service is not None else ''


def _page(complaint: Complaint, values: dict[str, Any], errors: dict[str, str], message: str | None) -> Html:
    user = current_user()
    html = render_template(
        'complaints/show.html',
        complaint=complaint,
        overdue=is_overdue(complaint),
        may_decide=may_decide(user, complaint),
        staff=is_staff(user) and complaint.organization_id == user.organization_id,
        service_title=_service_title(complaint),
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
