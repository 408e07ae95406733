"""Reading application requests and writing application answers for `edms.api.applications`.

A submission is multipart/form-data — `service`, `channel`, `data` (a JSON object as text), `on_behalf` (JSON text),
`sms_code` (the applicant's one-time code confirming the application), files as `files.<slot>` (repeatable), detached
signatures as `signatures.<role>` — or, without files, a JSON object with the same keys. An XML upload is multipart:
`service`, `xml`, `signature`, and the same `files.*` and `signatures.*`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import request, url_for
from werkzeug.datastructures import FileStorage

from edms.api.inputs import UnsupportedMediaType, json_object, refuse_unknown
from edms.api.serializers import iso, user_ref
from edms.auth.models import Role, User
from edms.citizen_services.catalogue.definition import CHANNEL_LABELS, Channel, ServiceDefinition
from edms.citizen_services.catalogue.registry import get_service
from edms.citizen_services.models import APPLICANT_KIND_LABELS, Application, ApplicationEvent, ApplicationFile
from edms.citizen_services.operations import UploadedFile
from edms.citizen_services.operations.uploads import MAX_SIGNATURE_SIZE
from edms.citizen_services.permissions import is_staff
from edms.core.errors import ValidationFailed
from edms.directory.models import OrganizationKind

FILES, SIGNATURES = 'files.', 'signatures.'
SUBMISSION_FIELDS = ('service', 'channel', 'data', 'on_behalf', 'sms_code')
NOT_MULTIPART = 'Заявление с файлами передаётся в формате multipart/form-data (поля service, data, files.<вид>).'


@dataclass
class Submission:
    """What a request sent: the fields, the files by slot, the detached signatures by role, and the XML upload."""

    fields: dict[str, Any]
    files: list[UploadedFile] = field(default_factory=list)
    detached: dict[str, bytes] = field(default_factory=dict)
    xml: bytes | None = None
    signature: bytes | None = None


def read_submission(allowed: Iterable[str] = SUBMISSION_FIELDS, *, xml: bool = False) -> Submission:
    """The submission of a multipart or (without files) JSON request; unknown fields are refused."""
    allowed = tuple(allowed)
    if request.mimetype != 'multipart/form-data':
        if xml:
            raise UnsupportedMediaType('XML-заявление передаётся в формате multipart/form-data: поля xml и signature.')
        body = json_object(optional=True)
        refuse_unknown(body, allowed)
        return Submission(body)
    names = [*request.form.keys(), *request.files.keys()]
    refuse_unknown([name for name in names if not name.startswith((FILES, SIGNATURES))], allowed)
    fields: dict[str, Any] = {name: request.form.get(name) for name in request.form if name in allowed}
    for name in ('data', 'on_behalf'):
        if isinstance(fields.get(name), str):
            fields[name] = _json_field(name, fields[name])
    submission = Submission(fields)
    for name in request.files:
        for storage in request.files.getlist(name):
            _take_file(submission, name, storage)
    return submission


def _json_field(name: str, text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise ValidationFailed(fields={name: f'«{name}»: ожидается JSON-объект.'}) from None


def _take_file(submission: Submission, name: str, storage: FileStorage) -> None:
    if name.startswith(FILES):
        submission.files.append(UploadedFile(name[len(FILES) :], storage.filename or '', storage.stream))
    elif name.startswith(SIGNATURES):
        submission.detached[name[len(SIGNATURES) :]] = read_limited(storage, MAX_SIGNATURE_SIZE, name)
    elif name == 'xml':
        submission.xml = read_limited(storage, 1024 * 1024, name)
    elif name == 'signature':
        submission.signature = read_limited(storage, MAX_SIGNATURE_SIZE, name)


def read_limited(storage: FileStorage, limit: int, name: str) -> bytes:
    data = storage.stream.read(limit + 1)
    if len(data) > limit:
        raise ValidationFailed(fields={name: f'«{name}»: файл больше {limit // 1024} КБ.'})
    return data


def data_of(submission: Submission) -> dict[str, Any]:
    data = submission.fields.get('data')
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValidationFailed(fields={'data': '«data»: ожидается JSON-объект со сведениями заявления.'})
    return data


def default_channel(user: User) -> str:
    """The channel of a filing that names none: the MFC's for its operator, the partner's for a partner's account,
    the portal for an applicant."""
    kind = user.organization.kind if user.organization is not None else None
    if kind == OrganizationKind.mfc and user.has_role(Role.mfc_operator):
        return Channel.mfc.value
    if kind == OrganizationKind.partner:
        return Channel.partner.value
    return Channel.portal.value


def application_json(user: User, application: Application, *, full: bool = False) -> dict[str, Any]:
    """An application as its reader may see it; `full` adds the values, the history and the files."""
    service = get_service(application.service_code)
    data: dict[str, Any] = {
        'id': application.id,
        'number': application.number,
        'url': url_for('api.get_application', application_id=application.id),
        'service': {'code': service.code, 'title': service.title},
        'channel': application.channel.value,
        'channel_label': CHANNEL_LABELS[application.channel],
        'status': application.status,
        'status_label': service.status(application.status).label,
        'applicant': _applicant(application),
        'agency': {'id': application.organization_id, 'name': application.organization.name},
        'submitted_at': iso(application.submitted_at),
        'deadline': iso(application.deadline),
        'deadline_explanation': application.deadline_explanation,
        'expected_date': iso(application.expected_date),
        'expected_explanation': application.expected_explanation,
        'clarification': application.clarification_text if application.status == 'clarification_required' else None,
        'decided_at': iso(application.decided_at),
        'refusal': _refusal(service, application),
        'result_url': _result_url(application),
        'annulment_notice_url': _annulment_notice_url(application),
        'card_id': application.card_id
        if is_staff(user) and user.organization_id == application.organization_id
        else None,
    }
    if full:
        data['values'] = application.values
        data['events'] = [event_json(service, event) for event in application.events]
        data['files'] = [file_json(service, application, row) for row in application.files]
    return data


def _applicant(application: Application) -> dict[str, Any]:
    return {
        'kind': application.applicant_kind.value,
        'kind_label': APPLICANT_KIND_LABELS[application.applicant_kind],
        'name': application.applicant_name,
        'snils': application.applicant_snils,
        'inn': application.applicant_inn,
        'user_id': application.applicant_user_id,
        'filed_by': user_ref(application.filed_by),
        'filed_via_organization_id': application.filed_via_organization_id,
    }


def _refusal(service: ServiceDefinition, application: Application) -> dict[str, Any] | None:
    if not application.refusal_reasons:
        return None
    reasons = [{'code': code, 'text': service.refusal_reason(code).text} for code in application.refusal_reasons]
    return {'reasons': reasons, 'comment': application.refusal_comment}


def _result_url(application: Application) -> str | None:
    if application.result_attachment_id is None:
        return None
    return url_for('api.application_result', application_id=application.id)


def _annulment_notice_url(application: Application) -> str | None:
    """The signed notice of an annulled result (`edms.api.stay`)."""
    if application.annulment_notice_attachment_id is None:
        return None
    return url_for('api.application_annulment_notice', application_id=application.id)


def event_json(service: ServiceDefinition, event: ApplicationEvent) -> dict[str, Any]:
    return {
        'from': event.from_status,
        'from_label': service.status(event.from_status).label if event.from_status else None,
        'to': event.to_status,
        'to_label': service.status(event.to_status).label,
        'at': iso(event.at),
        'actor': user_ref(event.actor),
        'comment': event.comment,
    }


def file_json(service: ServiceDefinition, application: Application, row: ApplicationFile) -> dict[str, Any]:
    return {
        'id': row.id,
        'kind': row.kind,
        'label': service.labels.get(f'attachments.{row.kind}', row.kind),
        'filename': row.filename,
        'content_type': row.content_type,
        'size': row.size,
        'replaced_at': iso(row.replaced_at),
        'url': url_for('api.application_file', application_id=application.id, file_id=row.id),
    }
