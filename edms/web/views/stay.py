"""The life of a term-limited result in the browser (temporary registration's certificate): a section on the
applicant's application page (the period, the days left, the state, «Продлить регистрацию», «Снять с учёта
досрочно») and on the agency's page (the period, the applicant's request to end early, the annulment form), plus
the forms' own pages: the extension (a new end date, the renewed owner's consent with its signature file), the
request to end early and the annulment (a reason, a comment and the official's certificate with its password: the
signed «Уведомление об аннулировании…»), each coming back filled (the password never) with every message next to its
field; and the download of the signed notice for everyone who sees the application.

Another organization's application, or another applicant's, is «not found» on every route.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from edms.auth.models import User
from edms.citizen_services.catalogue.definition import ResultValidity
from edms.citizen_services.catalogue.registry import get_service
from edms.citizen_services.errors import ApplicationNotFound
from edms.citizen_services.models import Application
from edms.citizen_services.operations import UploadedFile
from edms.citizen_services.operations.common import today
from edms.citizen_services.operations.stay import (
    END_DATE,
    annul,
    request_early_end,
    request_extension,
    require_extendable,
    require_valid,
)
from edms.citizen_services.operations.uploads import MAX_SIGNATURE_SIZE
from edms.citizen_services.permissions import DECIDING_ROLES, is_staff, require_applicant_side
from edms.citizen_services.queries import get_application
from edms.citizen_services.queries.stay import Validity, annulment_notice, days_left_text, validity_of
from edms.citizen_services.rules.problems import attachment_path, signature_path
from edms.core.downloads import send_stored
from edms.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from edms.core.tx import atomic
from edms.signatures.errors import PADES_KEYS
from edms.signatures.models import UserCertificate
from edms.web.application_sections import register_section
from edms.web.session import current_user, login_required
from edms.web.views.applications_render import refusal
from edms.web.views.signatures import my_signing_certificates

bp = Blueprint('stay', __name__, url_prefix='/stay')
Html = str | tuple[str, int]
#: The annulment form's key for the signing credentials' macro (its messages stand in this form only).
ANNUL_FORM = 'annul'


def _applicant_context(user: User, application: Application) -> dict[str, Any] | None:
    validity = validity_of(application, today())
    if validity is None:
        return None
    try:
        require_applicant_side(user, application)
        acts = True
    except ApplicationNotFound:
        acts = False
    return {'validity': validity, 'acts': acts, 'days_left_text': days_left_text}


def _agency_context(user: User, application: Application) -> dict[str, Any] | None:
    validity = validity_of(application, today())
    definition = get_service(application.service_code).validity
    if validity is None or definition is None:
        return None
    decides = is_staff(user) and user.has_role(*DECIDING_ROLES)
    return {
        'validity': validity,
        'definition': definition,
        'decides': decides,
        'certificates': _pades_certificates() if decides and validity.may_annul else [],
        'days_left_text': days_left_text,
    }


def _pades_certificates() -> list[UserCertificate]:
    """The user's certificates that can sign inside a PDF (the approval's signing form offers the same)."""
    return [item for item in my_signing_certificates() if item.key_algorithm in PADES_KEYS]


register_section('applicant', 'stay/_applicant.html', _applicant_context)
register_section('agency', 'stay/_agency.html', _agency_context)


def _applicant_side(user: User, application_id: int) -> Application:
    application = get_application(user, application_id)
    require_applicant_side(user, application)
    return application


def _agency_side(user: User, application_id: int) -> Application:
    application = get_application(user, application_id)
    if not is_staff(user) or application.organization_id != user.organization_id:
        raise ApplicationNotFound()
    return application


def _definition(application: Application) -> ResultValidity:
    definition = get_service(application.service_code).validity
    if definition is None:
        raise ApplicationNotFound()
    return definition


def _current(application: Application) -> Validity:
    validity = validity_of(application, today())
    if validity is None:
        raise ApplicationNotFound()
    return validity


@bp.route('/applications/<int:application_id>/extend', methods=['GET', 'POST'])
@login_required
def extend(application_id: int) -> Html | Response:
    """«Продлить регистрацию»: the new end date, the renewed files and their signatures."""
    user = current_user()
    application = _applicant_side(user, application_id)
    definition = _definition(application)
    renewed = definition.extension.renewed if definition.extension else ()
    if request.method == 'GET':
        require_extendable(application)
        return _extend_page(application, renewed, {}, {}, [])
    values = {END_DATE: request.form.get(END_DATE, '')}
    files, detached = _renewed_files(renewed)
    try:
        with atomic():
            locked = get_application(user, application_id, lock=True)
            created = request_extension(user, locked, values, files, detached=detached)
    except (Forbidden, NotFound):
        raise
    except DomainError as error:
        errors, problems = refusal(error, bool(files or detached))
        page = _extend_page(get_application(user, application_id), renewed, values, errors, problems)
        return page[0], error.status
    flash(f'Заявление № {created.number} о продлении регистрации подано.', 'success')
    return redirect(url_for('applications.show', application_id=created.id))


def _renewed_files(renewed: tuple[str, ...]) -> tuple[list[UploadedFile], dict[str, bytes]]:
    files, detached = [], {}
    for kind in renewed:
        storage = request.files.get(attachment_path(kind))
        if storage is not None and storage.filename:
            files.append(UploadedFile(kind, storage.filename, storage.stream))
        signature = request.files.get(signature_path(kind))
        if signature is not None and signature.filename:
            detached[kind] = signature.stream.read(MAX_SIGNATURE_SIZE + 1)
    return files, detached


def _extend_page(
    application: Application,
    renewed: tuple[str, ...],
    values: dict[str, str],
    errors: dict[str, str],
    problems: list[str],
) -> tuple[str, int]:
    service = get_service(application.service_code)
    slots = [(kind, service.labels.get(f'attachments.{kind}', kind)) for kind in renewed]
    html = render_template(
        'stay/extend.html',
        application=application,
        service=service,
        validity=_current(application),
        slots=slots,
        values=values,
        errors=errors,
        problems=problems,
        attachment_path=attachment_path,
        signature_path=signature_path,
    )
    return html, 422 if problems or errors else 200


@bp.route('/applications/<int:application_id>/early-end', methods=['GET', 'POST'])
@login_required
def early_end(application_id: int) -> Html | Response:
    """«Снять с учёта досрочно»: the applicant's request, with a comment; the official annuls."""
    user = current_user()
    application = _applicant_side(user, application_id)
    _definition(application)
    if request.method == 'GET':
        require_valid(application, 'Сняться с учёта досрочно')
        return render_template('stay/early_end.html', application=application, values={}, errors={}, message=None)
    values = {'comment': request.form.get('comment', '')}
    try:
        with atomic():
            locked = get_application(user, application_id, lock=True)
            request_early_end(user, locked, values['comment'])
    except (Forbidden, NotFound):
        raise
    except DomainError as error:
        message = None if isinstance(error, ValidationFailed) else error.message
        context = {'values': values, 'errors': error.fields, 'message': message}
        return render_template('stay/early_end.html', application=application, **context), error.status
    flash('Заявление о досрочном снятии с учёта направлено в ведомство.', 'success')
    return redirect(url_for('applications.show', application_id=application_id))


@bp.route('/agency/<int:application_id>/annul', methods=['GET', 'POST'])
@login_required
def annulment(application_id: int) -> Html | Response:
    """The official annuls the result with a reason of the service's list and a comment, signing the notice."""
    user = current_user()
    application = _agency_side(user, application_id)
    definition = _definition(application)
    requested = definition.applicant_request if application.early_end_requested_at else ''
    values = {
        'reason': request.form.get('reason', requested or ''),
        'comment': request.form.get('comment', ''),
        'certificate_id': request.form.get('certificate_id', '').strip(),
        'form': ANNUL_FORM,
    }
    if request.method == 'GET':
        return _annul_page(application, definition, values, {}, None)
    try:
        with atomic():
            locked = get_application(user, application_id, lock=True)
            credentials = {'certificate_id': values['certificate_id'], 'password': request.form.get('password', '')}
            annul(user, locked, values['reason'], values['comment'], **credentials)
    except (Forbidden, NotFound):
        raise
    except DomainError as error:
        message = None if isinstance(error, ValidationFailed) else error.message
        return _annul_page(application, definition, values, error.fields, message), error.status
    flash(
        f'Результат по заявлению № {application.number} аннулирован; уведомление подписано и направлено заявителю.',
        'success',
    )
    return redirect(url_for('agency_applications.show', application_id=application_id))


def _annul_page(
    application: Application,
    definition: ResultValidity,
    values: dict[str, str],
    errors: dict[str, str],
    message: str | None,
) -> str:
    return render_template(
        'stay/annul.html',
        application=application,
        definition=definition,
        validity=_current(application),
        certificates=_pades_certificates(),
        values=values,
        errors=errors,
        message=message,
    )


@bp.get('/applications/<int:application_id>/annulment-notice')
@login_required
def annulment_notice_file(application_id: int) -> Response:
    """The signed notice of the annulment, for everyone who sees the application (its applicant, the MFC it came
    through, the agency's staff); anyone else gets «not found»."""
    attachment = annulment_notice(get_application(current_user(), application_id))
    return send_stored(attachment.sha256, attachment.content_type, attachment.filename)
