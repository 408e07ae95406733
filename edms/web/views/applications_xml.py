"""The applicant's «КЭП-signed XML upload» in the browser (/applications/xml?service=…): the application as an XML file
of the service's XSD, its detached CMS signature (.sig) and the service's documents and other signed documents, filed
through `citizen_services.operations.file_application_xml` (channel xml_upload); and the download of each service's
XSD with the shared types it includes.

The applicant and the service are checked as on the portal form (`applications_filing`), the files are read by the
same `read_posted`, and a refused upload shows every problem at once (`refusal`), the page naming the files to choose
again: a browser cannot refill a file input.
"""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, request, send_file, url_for
from werkzeug.wrappers import Response

from edms.auth.models import User
from edms.citizen_services.catalogue.definition import SCHEMA_DIR, Channel, ServiceDefinition
from edms.citizen_services.catalogue.registry import all_services
from edms.citizen_services.operations import file_application_xml
from edms.citizen_services.operations.uploads import APPLICATION_ROLE, MAX_SIGNATURE_SIZE
from edms.citizen_services.rules.problems import signature_path
from edms.citizen_services.xml_forms import MAX_APPLICATION_XML
from edms.core.errors import Conflict, ValidationFailed
from edms.core.tx import atomic
from edms.web.session import current_user, login_required
from edms.web.views.applications_filing import Filed, _require_applicant, _service
from edms.web.views.applications_forms import FILES_AGAIN, Posted, ServiceForm, read_posted, service_form
from edms.web.views.applications_render import form_page, refusal

bp = Blueprint('applications_xml', __name__)
Html = str | tuple[str, int]
FORM = 'applications/xml_form.html'
XML, SIGNATURE = 'xml', signature_path(APPLICATION_ROLE)
XML_LABEL, SIGNATURE_LABEL = 'XML-файл заявления', 'Файл подписи XML-файла (.sig)'
#: The XSD every service's schema includes.
TYPES_XSD = 'types.xsd'


def _form(service: ServiceDefinition) -> ServiceForm:
    """The service's documents and the signed documents other than the XML itself (its signature is `SIGNATURE`)."""
    form = service_form(service, sms_allowed=False)
    others = tuple(slot for slot in form.signatures if slot.key != SIGNATURE)
    return ServiceForm(service, (), form.attachments, others)


@bp.route('/applications/xml', methods=['GET', 'POST'])
@login_required
def new() -> Html | Response:
    user = current_user()
    _require_applicant(user)
    service = _service(Channel.xml_upload)
    if service is None:
        return redirect(url_for('applications.new'))
    form = _form(service)
    context = {'form': form, 'schema': _schema_name(service)}
    if request.method == 'GET':
        return form_page(FORM, {}, problems=[], **context)
    outcome = _filed(user, service, form)
    if not isinstance(outcome, Filed):
        errors, problems = outcome
        return form_page(FORM, errors, problems=problems, **context)
    flash(f'Заявление № {outcome.number} подано.', 'success')
    return redirect(url_for('applications.show', application_id=outcome.application_id))


def _read(name: str, limit: int) -> tuple[bytes | None, str]:
    storage = request.files.get(name)
    if storage is None or not storage.filename:
        return None, ''
    # One byte over the limit is enough for the operation to name the file as too large.
    return storage.stream.read(limit + 1), storage.filename


def _filed(user: User, service: ServiceDefinition, form: ServiceForm) -> Filed | tuple[dict[str, str], list[str]]:
    """The application filed from the uploaded XML, or (messages by input, every problem, the files to choose again)."""
    xml, xml_name = _read('xml', MAX_APPLICATION_XML)
    signature, signature_name = _read('signature', MAX_SIGNATURE_SIZE)
    posted = read_posted(form)
    try:
        missing = {XML: f'«{XML_LABEL}»: выберите файл.'} if xml is None else {}
        if signature is None:
            missing[SIGNATURE] = f'«{SIGNATURE_LABEL}»: выберите файл открепленной подписи XML-файла.'
        if missing:
            raise ValidationFailed(fields=missing)
        with atomic():
            application = file_application_xml(
                user, service.code, xml or b'', signature or b'', posted.files, detached=posted.detached
            )
            return Filed(application.id, application.number)
    except (ValidationFailed, Conflict) as error:
        errors, problems = refusal(error, False)
        names = [name for name in (xml_name, signature_name, *_names(form, posted)) if name]
        if names:
            problems.append(f'{FILES_AGAIN} Были выбраны: {", ".join(names)}.')
        return errors, problems


def _names(form: ServiceForm, posted: Posted) -> list[str]:
    """The chosen documents' names, and the signature of each other signed document chosen."""
    labels = {slot.key: slot.label for slot in form.signatures}
    signed = [f'подпись к «{labels.get(signature_path(role), role)}»' for role in posted.detached]
    return [upload.filename for upload in posted.files] + signed


def _schema_name(service: ServiceDefinition) -> str | None:
    """The XSD offered for download: the service's own schema file when it is in the shared schema folder."""
    name = f'{service.code}.xsd'
    return name if service.schema_path == SCHEMA_DIR / name else None


@bp.get('/applications/xml/schemas/<filename>')
@login_required
def schema(filename: str) -> Response:
    """The XSD of a service filed as XML, or the shared types it includes (its schemaLocation is «types.xsd»)."""
    allowed = {f'{service.code}.xsd' for service in all_services() if Channel.xml_upload in service.channels}
    if filename not in allowed | {TYPES_XSD} or not (SCHEMA_DIR / filename).is_file():
        abort(404)
    data = io.BytesIO((SCHEMA_DIR / filename).read_bytes())  # a few kilobytes
    return send_file(data, mimetype='application/xml', as_attachment=True, download_name=filename, max_age=0)
