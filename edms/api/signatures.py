"""Signature endpoints: the token user's certificates (import a PKCS#12 with its password, or a certificate alone),
signatures of attachments (server signing with `{certificate_id, password}`, or a detached signature uploaded as
multipart and verified before it is accepted), a PDF signed inside (PAdES with the visible mark) as a new file of the
card, signatures of a card's registration data, the `.sig` file, re-verification, the «check a file and its
signature» endpoint (or a signed PDF alone), verification reports as JSON or PDF, and the trust store for
administrators.

A refused uploaded signature answers 422 and still keeps its report: `error.verification_id` names it.
"""

from __future__ import annotations

import io
from typing import Any

from flask import Response, current_app, jsonify, request, send_file, url_for

from edms.api.auth import api_user
from edms.api.blueprint import bp
from edms.api.inputs import UnsupportedMediaType, json_object, query, refuse_unknown
from edms.api.serializers import attachment_json
from edms.api.signature_serializers import (
    certificate_json,
    crl_json,
    registration_signature_json,
    signature_json,
    trusted_json,
    verification_json,
)
from edms.auth.models import User
from edms.core.access import Actor
from edms.core.db import db
from edms.core.errors import Forbidden, ValidationFailed, error_payload
from edms.core.tx import atomic
from edms.core.validation import RawInput
from edms.registry.models import Card
from edms.registry.queries import get_attachment, get_card
from edms.signatures.crypto.cms import MAX_SIGNATURE_SIZE
from edms.signatures.crypto.pkcs12 import MAX_CONTAINER_SIZE
from edms.signatures.errors import SignatureNotFound, SignatureRefused
from edms.signatures.models import AttachmentSignature, RegistrationSignature
from edms.signatures.operations import (
    add_client_certificate,
    add_client_signature,
    import_certificate,
    sign_attachment,
    sign_pdf_attachment,
    verify_attachment_signature,
    verify_pdf_upload,
    verify_upload,
)
from edms.signatures.operations.registrations import check_registration_signature, sign_registration
from edms.signatures.queries import (
    attachment_signatures,
    get_registration_signature,
    get_signature,
    get_trusted,
    get_user_certificate,
    get_verification,
    latest_verification,
    pdf_verifications,
    registration_signatures,
    revocation_lists,
    signature_bytes,
    trusted_certificates,
    user_certificates,
)
from edms.signatures.report_pdf import render_report_pdf

MULTIPART = 'multipart/form-data'
MAX_CERTIFICATE_FILE = 1024 * 1024
SIGNATURE_PATH = '/cards/<int:card_id>/attachments/<int:attachment_id>/signatures'
REGISTRATION_PATH = '/cards/<int:card_id>/registration-signatures'
PDF_MAGIC = b'%PDF-'
NOT_MULTIPART_CERTIFICATE = (
    'Сертификат передаётся в формате multipart/form-data: поле «file» (контейнер PKCS#12 с полем «password» '
    'или только сертификат).'
)
NOT_MULTIPART_CHECK = (
    'Файлы передаются в формате multipart/form-data: поля «file» и «signature» (для PDF со встроенной подписью — '
    'только «file»).'
)


def _file(name: str, label: str, limit: int) -> tuple[bytes, str]:
    """The bytes (at most `limit` + 1) and the name of a required multipart file field."""
    stored = request.files.get(name)
    if stored is None:
        raise ValidationFailed(fields={name: f'«{label}»: файл не передан (поле «{name}»).'})
    return stored.stream.read(limit + 1), stored.filename or ''


def _multipart_fields(allowed: tuple[str, ...], message: str) -> None:
    if request.mimetype != MULTIPART:
        raise UnsupportedMediaType(message)
    refuse_unknown([*request.form.keys(), *request.files.keys()], allowed)


@bp.get('/certificates')
def list_certificates() -> Response:
    user = api_user()
    return jsonify({'items': [certificate_json(item) for item in user_certificates(user, user)]})


@bp.post('/certificates')
def add_certificate() -> tuple[Response, int, dict[str, str]]:
    """`file` + `password`: a PKCS#12 container for server signing; `file` alone: a certificate for one's own tool."""
    user = api_user()
    _multipart_fields(('file', 'password'), NOT_MULTIPART_CERTIFICATE)
    with_key = 'password' in request.form
    data, _ = _file('file', 'Файл', MAX_CONTAINER_SIZE if with_key else MAX_CERTIFICATE_FILE)
    if not with_key and len(data) > MAX_CERTIFICATE_FILE:
        raise ValidationFailed(fields={'file': '«Файл»: больше 1 МБ — это не сертификат.'})
    with atomic():
        if with_key:
            certificate = import_certificate(user, user, data, request.form['password'])
        else:
            certificate = add_client_certificate(user, user, data)
        certificate_id = certificate.id
    certificate = get_user_certificate(user, certificate_id)
    location = url_for('api.get_certificate', certificate_id=certificate_id)
    return jsonify(certificate_json(certificate)), 201, {'Location': location}


@bp.get('/certificates/<int:certificate_id>', endpoint='get_certificate')
def get_certificate(certificate_id: int) -> Response:
    return jsonify(certificate_json(get_user_certificate(api_user(), certificate_id)))


@bp.get(SIGNATURE_PATH)
def list_signatures(card_id: int, attachment_id: int) -> Response:
    user = api_user()
    _, attachment = get_attachment(user, card_id, attachment_id)
    return jsonify({'items': [signature_json(item) for item in attachment_signatures(user, attachment)]})


@bp.post(SIGNATURE_PATH, endpoint='add_signature')
def add_signature(card_id: int, attachment_id: int) -> tuple[Response, int, dict[str, str]]:
    """JSON `{certificate_id, password}`: sign on the server; multipart `signature`: accept a detached signature."""
    user = api_user()
    get_attachment(user, card_id, attachment_id)
    if request.mimetype == MULTIPART:
        return _client_signature(user, card_id, attachment_id)
    certificate_id, password = _sign_input()
    with atomic():
        _, attachment = get_attachment(user, card_id, attachment_id)
        signature_id = sign_attachment(user, attachment, certificate_id, password).id
    return _signature_created(user, signature_id)


def _sign_input() -> tuple[int, str]:
    """`{certificate_id, password}` of a server signing."""
    form = RawInput(json_object(), ('certificate_id', 'password'))
    certificate_id = form.integer('certificate_id', 'Сертификат', required=True, min_value=1)
    password = form.raw.get('password')
    if not isinstance(password, str) or not password:
        form.errors.add('password', '«Пароль к контейнеру ключа»: обязательное поле (строка).')
    form.finish()
    return certificate_id or 0, str(password)


@bp.post('/cards/<int:card_id>/attachments/<int:attachment_id>/pades', endpoint='sign_pades')
def sign_pades(card_id: int, attachment_id: int) -> tuple[Response, int, dict[str, str]]:
    """Sign a PDF inside (PAdES, visible mark): 201 with the new file of the card and the report of its signatures."""
    user = api_user()
    get_attachment(user, card_id, attachment_id)
    certificate_id, password = _sign_input()
    with atomic():
        _, attachment = get_attachment(user, card_id, attachment_id)
        signed_id = sign_pdf_attachment(user, attachment, certificate_id, password).id
    card, signed = get_attachment(user, card_id, signed_id)
    body = {
        'attachment': attachment_json(card.id, signed),
        'verification': verification_json(pdf_verifications(card)[signed.id]),
    }
    return jsonify(body), 201, {'Location': body['attachment']['url']}


@bp.get(REGISTRATION_PATH, endpoint='list_registration_signatures')
def list_registration_signatures(card_id: int) -> Response:
    """Signatures of the card's registration data, each checked now against the current data."""
    user = api_user()
    card = get_card(user, card_id)
    return jsonify({'items': [_registration_body(row, card) for row in registration_signatures(card)]})


@bp.post(REGISTRATION_PATH, endpoint='sign_registration')
def sign_registration_data(card_id: int) -> tuple[Response, int, dict[str, str]]:
    """`{}` or `{"method": "simple"}`: the simple signature; `{"method": "qualified", certificate_id, password}`."""
    user = api_user()
    get_card(user, card_id)
    raw = json_object(optional=True)
    with atomic():
        row_id = sign_registration(user, get_card(user, card_id), raw).id
    row = get_registration_signature(user, card_id, row_id)
    body = _registration_body(row, get_card(user, card_id))
    return jsonify(body), 201, {'Location': body['url']}


@bp.get(f'{REGISTRATION_PATH}/<int:registration_signature_id>', endpoint='get_registration_signature')
def get_registration_signature_view(card_id: int, registration_signature_id: int) -> Response:
    user = api_user()
    row = get_registration_signature(user, card_id, registration_signature_id)
    return jsonify(_registration_body(row, get_card(user, card_id)))


def _registration_body(row: RegistrationSignature, card: Card) -> dict[str, Any]:
    return registration_signature_json(row, *check_registration_signature(row, card))


def _client_signature(user: User, card_id: int, attachment_id: int) -> tuple[Response, int, dict[str, str]]:
    refuse_unknown([*request.form.keys(), *request.files.keys()], ('signature',))
    data, name = _file('signature', 'Файл подписи', MAX_SIGNATURE_SIZE)
    with atomic():
        _, attachment = get_attachment(user, card_id, attachment_id)
        result = add_client_signature(user, attachment, data, signature_name=name)
        record_id, refusal, failed = result.record.id, result.refusal, list(result.failed)
        signature_id = result.signature.id if result.signature is not None else None
    if signature_id is None:
        return _refused(SignatureRefused(refusal or '', record_id=record_id, failed=failed))
    return _signature_created(user, signature_id)


def _refused(error: SignatureRefused) -> tuple[Response, int, dict[str, str]]:
    """422 with the refusal naming the failed checks and the stored report's id and URL."""
    payload: dict[str, Any] = error_payload(error.code, error.message, {'signature': error.message})
    payload['error'].update(
        failed=error.failed,
        verification_id=error.record_id,
        verification_url=url_for('api.get_verification', verification_id=error.record_id),
    )
    return jsonify(payload), error.status, {}


def _signature_created(user: User, signature_id: int) -> tuple[Response, int, dict[str, str]]:
    signature = get_signature(user, signature_id)
    body = _signature_body(signature)
    return jsonify(body), 201, {'Location': body['url']}


def _signature_body(signature: AttachmentSignature) -> dict[str, Any]:
    latest = latest_verification(signature)
    return {**signature_json(signature), 'verification': verification_json(latest) if latest else None}


def _signature_of(user: User, card_id: int, attachment_id: int, signature_id: int) -> AttachmentSignature:
    signature = get_signature(user, signature_id)
    if signature.card_id != card_id or signature.attachment_id != attachment_id:
        raise SignatureNotFound()
    return signature


@bp.get(f'{SIGNATURE_PATH}/<int:signature_id>', endpoint='get_signature')
def get_signature_view(card_id: int, attachment_id: int, signature_id: int) -> Response:
    """The signature's metadata and its latest report."""
    return jsonify(_signature_body(_signature_of(api_user(), card_id, attachment_id, signature_id)))


@bp.get(f'{SIGNATURE_PATH}/<int:signature_id>/file', endpoint='signature_file')
def signature_file(card_id: int, attachment_id: int, signature_id: int) -> Response:
    """The detached CMS signature (DER) as stored, verified against its sha256: `<file>.sig`, or `<file>.<id>.sig`
    when the file has several signers."""
    user = api_user()
    signature = _signature_of(user, card_id, attachment_id, signature_id)
    several = len(attachment_signatures(user, signature.attachment)) > 1
    return send_file(
        io.BytesIO(signature_bytes(signature)),
        mimetype='application/pkcs7-signature',
        as_attachment=True,
        download_name=signature.signature_filename if several else f'{signature.attachment.filename}.sig',
        etag=signature.signature_sha256,
        max_age=0,
    )


@bp.post(f'{SIGNATURE_PATH}/<int:signature_id>/verify', endpoint='verify_signature')
def verify_signature(card_id: int, attachment_id: int, signature_id: int) -> tuple[Response, int, dict[str, str]]:
    """Check the stored signature again against the current trust store; 201 with the new report."""
    user = api_user()
    refuse_unknown(json_object(optional=True), ())
    with atomic():
        record_id = verify_attachment_signature(user, _signature_of(user, card_id, attachment_id, signature_id)).id
    return _verification_created(user, record_id)


def _verification_created(user: User, record_id: int) -> tuple[Response, int, dict[str, str]]:
    body = verification_json(get_verification(user, record_id))
    return jsonify(body), 201, {'Location': body['url']}


@bp.post('/signatures/verify', endpoint='verify_upload')
def verify_files() -> tuple[Response, int, dict[str, str]]:
    """Check a file against its detached signature, or a signed PDF alone (its signatures are inside); only the
    hashes of the files are kept with the report."""
    user = api_user()
    _multipart_fields(('file', 'signature'), NOT_MULTIPART_CHECK)
    data, name = _file('file', 'Файл', int(current_app.config['MAX_CONTENT_LENGTH']))
    if 'signature' not in request.files and data.startswith(PDF_MAGIC):
        with atomic():
            record_id = verify_pdf_upload(user, data, file_name=name).id
        return _verification_created(user, record_id)
    signature, signature_name = _file('signature', 'Файл подписи', MAX_SIGNATURE_SIZE)
    with atomic():
        record_id = verify_upload(user, data, signature, file_name=name, signature_name=signature_name).id
    return _verification_created(user, record_id)


@bp.get('/verifications/<int:verification_id>', endpoint='get_verification')
def get_verification_view(verification_id: int) -> Response:
    """The report as JSON, or with `?format=pdf` as the PDF document."""
    params = query(('format',))
    fmt = params.text('format', 'Формат', max_length=10)
    if fmt not in ('', 'json', 'pdf'):
        params.errors.add('format', '«Формат»: json или pdf.')
    params.finish()
    user = api_user()
    record = get_verification(user, verification_id)
    if fmt != 'pdf':
        return jsonify(verification_json(record))
    pdf = render_report_pdf(
        record.verification_report,
        title='Протокол проверки электронной подписи',
        file_name=record.file_name or 'без имени',
        file_sha256=record.file_sha256,
        checked_by=_checker(record.checked_by_id),
    )
    return send_file(
        io.BytesIO(pdf),
        mimetype='application/pdf',
        as_attachment=True,
        download_name=f'verification-{record.id}.pdf',
    )


def _checker(user_id: int | None) -> str:
    user = db.session.get(User, user_id) if user_id else None
    return user.full_name if user is not None else 'Система'


def _require_reader(actor: Actor) -> None:
    """The trust store is read by administrators (of an organization or of the system)."""
    if not (actor.is_system_admin or actor.has_role('administrator')):
        raise Forbidden('Хранилище доверенных сертификатов доступно администраторам.')


@bp.get('/trust/certificates', endpoint='list_trusted_certificates')
def list_trusted() -> Response:
    _require_reader(api_user())
    return jsonify({'items': [trusted_json(item) for item in trusted_certificates()]})


@bp.get('/trust/certificates/<int:trusted_id>', endpoint='get_trusted_certificate')
def get_trusted_view(trusted_id: int) -> Response:
    _require_reader(api_user())
    return jsonify(trusted_json(get_trusted(trusted_id)))


@bp.get('/trust/crls', endpoint='list_crls')
def list_crls() -> Response:
    _require_reader(api_user())
    return jsonify({'items': [crl_json(item) for item in revocation_lists()]})
