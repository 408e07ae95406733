"""The life of a term-limited result in the API (temporary registration's certificate): its validity, the extension
(multipart: `end_date`, the renewed files as `files.<slot>`, their signatures as `signatures.<role>`; or JSON
`{end_date}`), the applicant's request to end early, the official's annulment (`{reason, comment, certificate_id,
password}`: the official's certificate signs «Уведомление об аннулировании…») and the download of that signed notice.

Another applicant's or organization's application is a 404 (the notice too); a refused extension is a 422 listing
every problem (as a refused filing), a refused annulment a 422 naming each field (a wrong password is `password`'s, an
unusable certificate `certificate_id`'s); an annulled, extended or expired result a 409.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, url_for

from edms.api.application_io import application_json, read_submission
from edms.api.auth import api_user
from edms.api.blueprint import bp
from edms.api.inputs import json_object, refuse_unknown
from edms.citizen_services.errors import ApplicationNotFound
from edms.citizen_services.models import Application
from edms.citizen_services.operations.common import today
from edms.citizen_services.operations.stay import END_DATE, annul, request_early_end, request_extension
from edms.citizen_services.queries import get_application
from edms.citizen_services.queries.stay import annulment_notice, validity_of
from edms.core.downloads import send_stored
from edms.core.tx import atomic

ANNULMENT_FIELDS = ('reason', 'comment', 'certificate_id', 'password')


def validity_json(application: Application) -> dict[str, Any]:
    """The result's period and state today; 404 when the application has no term-limited result."""
    validity = validity_of(application, today())
    if validity is None:
        raise ApplicationNotFound('У заявления нет результата со сроком действия.')
    return {
        'application_id': application.id,
        'number': application.number,
        'valid_from': validity.valid_from.isoformat(),
        'valid_until': validity.valid_until.isoformat(),
        'state': {'code': validity.state, 'label': validity.label},
        'days_left': validity.days_left,
        'note': validity.note,
        'annulment': _annulment(application) if application.annulled_on else None,
        'early_end_requested_at': application.early_end_requested_at.isoformat()
        if application.early_end_requested_at
        else None,
        'extends': _ref(validity.extends),
        'extended_by': _ref(validity.extended_by),
        'pending_extension': _ref(validity.pending_extension),
        'may_extend': validity.may_extend,
        'may_request_early_end': validity.may_request_early_end,
    }


def _annulment(application: Application) -> dict[str, Any]:
    return {
        'on': application.annulled_on.isoformat() if application.annulled_on else None,
        'reason': application.annulment_reason,
        'comment': application.annulment_comment,
        'by_id': application.annulled_by_id,
        'notice_url': url_for('api.application_annulment_notice', application_id=application.id)
        if application.annulment_notice_attachment_id
        else None,
    }


def _ref(application: Application | None) -> dict[str, Any] | None:
    if application is None:
        return None
    return {'id': application.id, 'number': application.number}


@bp.get('/applications/<int:application_id>/validity', endpoint='application_validity')
def get_validity(application_id: int) -> Response:
    return jsonify(validity_json(get_application(api_user(), application_id)))


@bp.post('/applications/<int:application_id>/extension', endpoint='extend_application')
def extend(application_id: int) -> tuple[Response, int, dict[str, str]]:
    user, sent = api_user(), read_submission((END_DATE,))
    with atomic():
        previous = get_application(user, application_id, lock=True)
        created_id = request_extension(user, previous, sent.fields, sent.files, detached=sent.detached).id
    created = get_application(user, created_id)
    headers = {'Location': url_for('api.get_application', application_id=created_id)}
    return jsonify(application_json(user, created, full=True)), 201, headers


@bp.post('/applications/<int:application_id>/early-end', endpoint='request_early_end')
def early_end(application_id: int) -> Response:
    user, body = api_user(), json_object(optional=True)
    refuse_unknown(body, ('comment',))
    with atomic():
        request_early_end(user, get_application(user, application_id, lock=True), body.get('comment') or '')
    return jsonify(validity_json(get_application(user, application_id)))


@bp.post('/applications/<int:application_id>/annulment', endpoint='annul_result')
def annulment(application_id: int) -> Response:
    """Annul with a reason of the service's list and a comment; the official's certificate signs the notice."""
    user, body = api_user(), json_object()
    refuse_unknown(body, ANNULMENT_FIELDS)
    credentials = {'certificate_id': body.get('certificate_id'), 'password': body.get('password')}
    with atomic():
        application = get_application(user, application_id, lock=True)
        annul(user, application, body.get('reason'), body.get('comment') or '', **credentials)
    return jsonify(validity_json(get_application(user, application_id)))


@bp.get('/applications/<int:application_id>/annulment-notice', endpoint='application_annulment_notice')
def annulment_notice_file(application_id: int) -> Response:
    """The signed notice of the annulment (its bytes verified against the stored sha256), for whoever sees the
    application."""
    attachment = annulment_notice(get_application(api_user(), application_id))
    return send_stored(attachment.sha256, attachment.content_type, attachment.filename)
