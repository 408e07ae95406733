"""Legal entities' cabinets in the API (seed 000), the applicant's side of a legal entity on the portal: the cabinets
of the token's account, one cabinet with its staff (role and rights of each), its details changed («edit»), staff
added by СНИЛС or ИНН, changed and removed (the administrator), the cabinet's journal and the КЭП kept from its staff
changes (the text signed and the signature, «view»), the legal entity's
applications («view», filtered as the applications list) and an application filed on its behalf («send»: JSON or
multipart like `POST /applications`, or the КЭП-signed XML with `xml` and `signature` parts).

The same operations as the browser's pages (`web.views.legal_cabinets`). A cabinet the account is not a member of is
a 404; a member without the right a 403; a refused input a 422 naming every field; the last administrator kept a 409.
The staff routes, each change confirmed by an SMS code or a КЭП signature, are in `legal_cabinets_staff`.
"""

from __future__ import annotations

import io
from typing import Any

from flask import Response, jsonify, request, send_file, url_for

from edms.api.application_io import application_json, data_of, read_submission
from edms.api.applications import XML_FIELDS, _xml_parts
from edms.api.auth import api_user
from edms.api.blueprint import bp
from edms.api.inputs import json_object, refuse_unknown
from edms.api.serializers import iso, user_ref
from edms.audit.models import AuditEntry
from edms.citizen_services.models.legal_cabinets import (
    LEGAL_CABINET_RIGHT_LABELS,
    LEGAL_CABINET_ROLE_LABELS,
    LegalCabinetMember,
    LegalCabinetRight,
    LegalEntityCabinet,
)
from edms.citizen_services.operations.legal_cabinets import (
    DETAIL_FIELDS,
    file_for_legal_cabinet,
    file_xml_for_legal_cabinet,
    update_legal_cabinet,
)
from edms.citizen_services.queries import FILTER_FIELDS, ApplicationFilter, get_application, read_filter
from edms.citizen_services.queries.legal_cabinets import (
    StaffSignaturePart,
    get_legal_cabinet,
    legal_cabinet_journal,
    legal_cabinets_of,
    legal_entity_applications,
    require_legal_cabinet_right,
    staff_change_signature,
    staff_change_signature_file,
)
from edms.core.errors import ValidationFailed
from edms.core.tx import atomic
from edms.core.validation import RawInput

#: The filters of the legal entity's applications: those of the applications list, without its `scope`.
CABINET_FILTERS = tuple(name for name in FILTER_FIELDS if name != 'scope')
#: A filing on the legal entity's behalf: the form's fields, or the XML upload's (`service`, `xml`, `signature`).
FILING_FIELDS = ('data', *XML_FIELDS)


def member_json(member: LegalCabinetMember) -> dict[str, Any]:
    """A member: the account, the role, the rights (in the matrix's order: view, edit, delete, send)."""
    return {
        'id': member.id,
        'user': user_ref(member.user),
        'role': member.role.value,
        'role_label': LEGAL_CABINET_ROLE_LABELS[member.role],
        'rights': [right.value for right in LEGAL_CABINET_RIGHT_LABELS if member.has(right)],
        'added_at': iso(member.added_at),
        'added_by': user_ref(member.added_by),
    }


def cabinet_json(cabinet: LegalEntityCabinet, me: LegalCabinetMember, *, full: bool = False) -> dict[str, Any]:
    """The cabinet's requisites and contacts with the reader's own membership; `full` adds the staff."""
    data: dict[str, Any] = {
        'id': cabinet.id,
        'url': url_for('api.get_legal_cabinet', cabinet_id=cabinet.id),
        **{name: getattr(cabinet, name) for name in ('ogrn', 'inn', 'kpp', 'name', 'legal_form')},
        **{name: getattr(cabinet, name) for name in DETAIL_FIELDS},
        'application_id': cabinet.application_id,
        'created_at': iso(cabinet.created_at),
        'updated_at': iso(cabinet.updated_at),
        'me': member_json(me),
    }
    if full:
        data['members'] = [member_json(member) for member in cabinet.active_members]
    return data


def journal_json(entry: AuditEntry) -> dict[str, Any]:
    return {
        'seq': entry.seq,
        'at': iso(entry.created_at),
        'action': entry.action,
        'actor_id': entry.actor_id,
        'data': entry.data,
    }


def _viewed(cabinet_id: int) -> tuple[LegalEntityCabinet, LegalCabinetMember]:
    """The cabinet read by a member holding «view»."""
    cabinet, me = get_legal_cabinet(api_user(), cabinet_id)
    require_legal_cabinet_right(me, LegalCabinetRight.view)
    return cabinet, me


@bp.get('/legal-cabinets', endpoint='list_legal_cabinets')
def list_cabinets() -> Response:
    return jsonify({'items': [cabinet_json(cabinet, me) for cabinet, me in legal_cabinets_of(api_user())]})


@bp.get('/legal-cabinets/<int:cabinet_id>', endpoint='get_legal_cabinet')
def show_cabinet(cabinet_id: int) -> Response:
    return jsonify(cabinet_json(*_viewed(cabinet_id), full=True))


@bp.patch('/legal-cabinets/<int:cabinet_id>', endpoint='update_legal_cabinet')
def update_cabinet(cabinet_id: int) -> Response:
    """Change the details sent (legal address, phone, e-mail); the others stay as they are."""
    user, body = api_user(), json_object()
    refuse_unknown(body, DETAIL_FIELDS)
    with atomic():
        cabinet, me = get_legal_cabinet(user, cabinet_id, lock=True)
        update_legal_cabinet(user, cabinet, me, {**{name: getattr(cabinet, name) for name in DETAIL_FIELDS}, **body})
    cabinet, me = get_legal_cabinet(user, cabinet_id)
    return jsonify(cabinet_json(cabinet, me, full=True))


@bp.get('/legal-cabinets/<int:cabinet_id>/journal', endpoint='legal_cabinet_journal')
def journal(cabinet_id: int) -> Response:
    cabinet, _ = _viewed(cabinet_id)
    return jsonify({'items': [journal_json(entry) for entry in legal_cabinet_journal(cabinet)]})


STAFF_SIGNATURE = '/legal-cabinets/<int:cabinet_id>/staff-signatures/<int:staff_signature_id>'


@bp.get(f'{STAFF_SIGNATURE}/text', endpoint='legal_cabinet_staff_signed_text')
def staff_signature_text(cabinet_id: int, staff_signature_id: int) -> Response:
    """The text of a staff change exactly as signed; the journal entry's `confirmation.signature_id` names it."""
    return _staff_signature_file(cabinet_id, staff_signature_id, 'text')


@bp.get(f'{STAFF_SIGNATURE}/signature', endpoint='legal_cabinet_staff_signature')
def staff_signature(cabinet_id: int, staff_signature_id: int) -> Response:
    """The administrator's detached CMS (DER) that confirmed the staff change."""
    return _staff_signature_file(cabinet_id, staff_signature_id, 'signature')


def _staff_signature_file(cabinet_id: int, staff_signature_id: int, part: StaffSignaturePart) -> Response:
    cabinet, _ = _viewed(cabinet_id)
    name, data, mimetype = staff_change_signature_file(staff_change_signature(cabinet, staff_signature_id), part)
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name, max_age=0)


def _filters() -> ApplicationFilter:
    """The list's filters from the query string; `ValidationFailed` naming every wrong or unknown parameter."""
    unknown = RawInput(request.args, CABINET_FILTERS).errors.fields
    try:
        filters = read_filter({name: value for name, value in request.args.items() if name in CABINET_FILTERS})
    except ValidationFailed as error:
        raise ValidationFailed(fields={**error.fields, **unknown}) from None
    if unknown:
        raise ValidationFailed(fields=unknown)
    return filters


@bp.get('/legal-cabinets/<int:cabinet_id>/applications', endpoint='legal_cabinet_applications')
def applications(cabinet_id: int) -> Response:
    cabinet, _ = _viewed(cabinet_id)
    page = legal_entity_applications(cabinet, _filters())
    user = api_user()
    items = [application_json(user, application) for application in page.items]
    return jsonify({'items': items, 'page': page.page, 'per_page': page.per_page, 'has_next': page.has_next})


@bp.post('/legal-cabinets/<int:cabinet_id>/applications', endpoint='file_legal_cabinet_application')
def file_application_for_cabinet(cabinet_id: int) -> tuple[Response, int, dict[str, str]]:
    user, sent = api_user(), read_submission(FILING_FIELDS)
    service = str(sent.fields.get('service') or '')
    with atomic():
        cabinet, me = get_legal_cabinet(user, cabinet_id, lock=True)
        if sent.xml is not None or sent.signature is not None:
            xml, signature = _xml_parts(sent.xml, sent.signature)
            application = file_xml_for_legal_cabinet(
                user, cabinet, me, service, xml, signature, sent.files, detached=sent.detached
            )
        else:
            application = file_for_legal_cabinet(
                user, cabinet, me, service, data_of(sent), sent.files, detached=sent.detached
            )
        application_id = application.id
    headers = {'Location': url_for('api.get_application', application_id=application_id)}
    return jsonify(application_json(user, get_application(user, application_id), full=True)), 201, headers


# The staff routes register on the same blueprint from their own module (imported last: it reads this module).
from edms.api import legal_cabinets_staff  # noqa: E402, F401
