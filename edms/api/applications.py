"""Public service applications: filing (the applicant's portal account, an MFC operator or a partner's token on the
applicant's behalf, or the applicant's КЭП-signed XML), the lists, one application with its history and files,
the agency's decisions (clarification, approval with the result PDF, refusal) and the applicant's resubmission.
The applicant's own filing or resubmission may carry `sms_code`, confirmed in the same transaction
(`edms.api.confirmation_codes.confirmed`).

Another applicant's or organization's application is a 404. An invalid application is a 422 whose `problems` list
names every problem at once (`fields` maps each field path to its messages).
"""

from __future__ import annotations

from flask import Response, current_app, jsonify, request, url_for

from edms.api import service_providers  # noqa: F401  (routes register on import)
from edms.api.application_io import (
    Submission,
    application_json,
    data_of,
    default_channel,
    read_limited,
    read_submission,
)
from edms.api.auth import api_user
from edms.api.blueprint import bp
from edms.api.confirmation_codes import confirmed
from edms.api.inputs import json_object, refuse_unknown
from edms.auth.models import User
from edms.citizen_services.catalogue.definition import Channel
from edms.citizen_services.catalogue.registry import get_service
from edms.citizen_services.errors import ApplicationInvalid
from edms.citizen_services.models import Application
from edms.citizen_services.operations import (
    approve,
    file_application,
    file_application_xml,
    refuse,
    request_clarification,
    resubmit,
    resubmit_xml,
)
from edms.citizen_services.queries import (
    get_application,
    get_application_file,
    get_result_attachment,
    list_applications,
    read_filter,
)
from edms.citizen_services.rules.facts import SignatureFacts
from edms.core.downloads import send_stored
from edms.core.errors import ValidationFailed
from edms.core.tx import atomic

XML_FIELDS = ('service', 'xml', 'signature')
RESUBMIT_FIELDS = ('data', 'xml', 'signature', 'sms_code')
SMS_NOT_XML = {'sms_code': '«sms_code»: XML-заявление подтверждается своей подписью, не кодом из СМС.'}
MISSING_XML = {'xml': '«xml»: приложите XML-файл заявления.', 'signature': '«signature»: приложите файл подписи.'}


@bp.errorhandler(ApplicationInvalid)
def application_invalid(error: ApplicationInvalid) -> tuple[Response, int]:
    """422 with every problem: `fields` (path → messages) and `problems` (path, message, code) in form order."""
    body = {
        'code': error.code,
        'message': error.message,
        'fields': dict(error.fields),
        'problems': [problem.to_dict() for problem in error.problems],
    }
    return jsonify({'error': body}), error.status


def _answer(application_id: int, status: int = 200) -> tuple[Response, int, dict[str, str]]:
    """The application as the user sees it after the commit, freshly loaded."""
    return _answer_with(get_application(api_user(), application_id), status)


def _answer_with(application: Application, status: int = 200) -> tuple[Response, int, dict[str, str]]:
    """`application` (loaded, visible to the user) as JSON; 201 with `Location`."""
    headers = {'Location': url_for('api.get_application', application_id=application.id)} if status == 201 else {}
    return jsonify(application_json(api_user(), application, full=True)), status, headers


@bp.get('/applications', endpoint='list_applications')
def list_applications_view() -> Response:
    user = api_user()
    filters = read_filter(request.args)
    page = list_applications(user, filters)
    items = [application_json(user, application) for application in page.items]
    return jsonify({'items': items, 'page': page.page, 'per_page': page.per_page, 'has_next': page.has_next})


@bp.post('/applications')
def create_application() -> tuple[Response, int, dict[str, str]]:
    user, sent = api_user(), read_submission()
    channel = str(sent.fields.get('channel') or default_channel(user))
    service = str(sent.fields.get('service') or '')

    def filing(signatures: list[SignatureFacts]) -> Application:
        return file_application(
            user,
            service,
            data_of(sent),
            sent.files,
            channel=channel,
            signatures=signatures,
            detached=sent.detached,
            on_behalf=sent.fields.get('on_behalf'),
        )

    # The application just filed is answered from memory: nothing about it changes at the commit, so reloading it
    # with its history, files and agency would only cost time.
    if sent.fields.get('sms_code') is not None:
        application = confirmed(user, get_service(service), sent.fields['sms_code'], channel, filing, data_of(sent))
    else:
        with atomic(keep_loaded=True):
            application = filing([])
    return _answer_with(application, 201)


@bp.post('/applications/xml')
def create_application_xml() -> tuple[Response, int, dict[str, str]]:
    user, sent = api_user(), read_submission(XML_FIELDS, xml=True)
    xml, signature = _xml_parts(sent.xml, sent.signature)
    with atomic(keep_loaded=True):
        service = str(sent.fields.get('service') or '')
        application = file_application_xml(user, service, xml, signature, sent.files, detached=sent.detached)
    return _answer_with(application, 201)


def _xml_parts(xml: bytes | None, signature: bytes | None) -> tuple[bytes, bytes]:
    """Both parts of an XML upload, or `ValidationFailed` naming the missing ones."""
    missing = {name: MISSING_XML[name] for name, part in (('xml', xml), ('signature', signature)) if part is None}
    if missing:
        raise ValidationFailed(fields=missing)
    return xml or b'', signature or b''


@bp.get('/applications/<int:application_id>', endpoint='get_application')
def get_application_view(application_id: int) -> Response:
    user = api_user()
    return jsonify(application_json(user, get_application(user, application_id), full=True))


@bp.get('/applications/<int:application_id>/files/<int:file_id>/content', endpoint='application_file')
def application_file(application_id: int, file_id: int) -> Response:
    application = get_application(api_user(), application_id)
    row = get_application_file(application, file_id)
    return send_stored(row.sha256, row.content_type, row.filename)


@bp.get('/applications/<int:application_id>/result', endpoint='application_result')
def application_result(application_id: int) -> Response:
    """The result document (only its bytes verified against the stored sha256 are sent)."""
    application = get_application(api_user(), application_id)
    attachment = get_result_attachment(application)
    return send_stored(attachment.sha256, attachment.content_type, attachment.filename)


@bp.post('/applications/<int:application_id>/clarification')
def clarification(application_id: int) -> tuple[Response, int, dict[str, str]]:
    user, body = api_user(), json_object()
    refuse_unknown(body, ('text',))
    with atomic():
        request_clarification(user, get_application(user, application_id, lock=True), body.get('text') or '')
    return _answer(application_id)


@bp.post('/applications/<int:application_id>/resubmit')
def resubmit_view(application_id: int) -> tuple[Response, int, dict[str, str]]:
    user, sent = api_user(), read_submission(RESUBMIT_FIELDS)
    if sent.fields.get('sms_code') is not None:
        if sent.xml is not None or sent.signature is not None:
            raise ValidationFailed(fields=SMS_NOT_XML)
        service = get_service(get_application(user, application_id).service_code)
        code, channel = sent.fields['sms_code'], Channel.portal.value
        confirmed(
            user, service, code, channel, lambda facts: _resubmit(user, application_id, sent, facts), data_of(sent)
        )
        return _answer(application_id)
    with atomic():
        application = get_application(user, application_id, lock=True)
        if sent.xml is not None or sent.signature is not None:
            xml, signature = _xml_parts(sent.xml, sent.signature)
            resubmit_xml(user, application, xml, signature, sent.files, detached=sent.detached)
        else:
            resubmit(user, application, data_of(sent), sent.files, detached=sent.detached)
    return _answer(application_id)


def _resubmit(user: User, application_id: int, sent: Submission, signatures: list[SignatureFacts]) -> None:
    application = get_application(user, application_id, lock=True)
    resubmit(user, application, data_of(sent), sent.files, signatures=signatures, detached=sent.detached)


@bp.post('/applications/<int:application_id>/approve')
def approve_view(application_id: int) -> tuple[Response, int, dict[str, str]]:
    """Approve; multipart/form-data with the result PDF (`result`) and a `comment`, or JSON `{comment}`."""
    user, result, comment = api_user(), None, ''
    if request.mimetype == 'multipart/form-data':
        refuse_unknown([*request.form.keys(), *request.files.keys()], ('result', 'comment'))
        stored = request.files.get('result')
        result = read_limited(stored, current_app.config['MAX_ATTACHMENT_SIZE'], 'result') if stored else None
        comment = request.form.get('comment', '')
    else:
        body = json_object(optional=True)
        refuse_unknown(body, ('comment',))
        comment = body.get('comment') or ''
    with atomic():
        approve(user, get_application(user, application_id, lock=True), result, comment=comment)
    return _answer(application_id)


@bp.post('/applications/<int:application_id>/refuse')
def refuse_view(application_id: int) -> tuple[Response, int, dict[str, str]]:
    user, body = api_user(), json_object()
    refuse_unknown(body, ('reasons', 'comment'))
    with atomic():
        application = get_application(user, application_id, lock=True)
        refuse(user, application, body.get('reasons') or [], body.get('comment') or '')
    return _answer(application_id)
