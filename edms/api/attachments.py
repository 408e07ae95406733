"""Attachment endpoints: list, upload (multipart/form-data), metadata, verified download, removal."""

from __future__ import annotations

from flask import Response, jsonify, request, send_file, url_for

from edms.api.auth import api_user
from edms.api.blueprint import bp
from edms.api.inputs import UnsupportedMediaType, refuse_unknown
from edms.api.loaders import load_card
from edms.api.serializers import attachment_json
from edms.core.blobs import BlobCorrupted
from edms.core.errors import ValidationFailed
from edms.core.tx import atomic
from edms.registry.operations import add_attachment, open_attachment, remove_attachment
from edms.registry.operations.attachments import report_corrupted
from edms.registry.queries import get_attachment as find_attachment

UPLOAD_FIELDS = ('file', 'description')
NOT_MULTIPART = 'Файл передаётся в формате multipart/form-data: поле «file» и необязательное «description».'


@bp.get('/cards/<int:card_id>/attachments')
def list_attachments(card_id: int) -> Response:
    card = load_card(api_user(), card_id, full=False)
    return jsonify({'items': [attachment_json(card.id, attachment) for attachment in card.attachments]})


@bp.post('/cards/<int:card_id>/attachments', endpoint='upload_attachment')
def upload(card_id: int) -> tuple[Response, int, dict[str, str]]:
    """Store a file: size and type are checked before it counts as stored; 201 with its metadata."""
    user = api_user()
    load_card(user, card_id, full=False)
    if request.mimetype != 'multipart/form-data':
        raise UnsupportedMediaType(NOT_MULTIPART)
    refuse_unknown([*request.form.keys(), *request.files.keys()], UPLOAD_FIELDS)
    stored = request.files.get('file')
    if stored is None:
        raise ValidationFailed(fields={'file': '«Файл»: файл не передан (поле «file»).'})
    with atomic():
        card = load_card(user, card_id, full=False)
        attachment = add_attachment(
            user, card, stored.stream, stored.filename or '', request.form.get('description', '')
        )
        attachment_id = attachment.id
    _, attachment = find_attachment(user, card_id, attachment_id)
    location = url_for('api.get_attachment', card_id=card_id, attachment_id=attachment_id)
    return jsonify(attachment_json(card_id, attachment)), 201, {'Location': location}


@bp.get('/cards/<int:card_id>/attachments/<int:attachment_id>')
def get_attachment(card_id: int, attachment_id: int) -> Response:
    _, attachment = find_attachment(api_user(), card_id, attachment_id)
    return jsonify(attachment_json(card_id, attachment))


@bp.get('/cards/<int:card_id>/attachments/<int:attachment_id>/content')
def attachment_content(card_id: int, attachment_id: int) -> Response:
    """The file's bytes under its original name, only after they hashed to the stored sha256."""
    user = api_user()
    card, attachment = find_attachment(user, card_id, attachment_id)
    try:
        stream = open_attachment(user, attachment)
    except BlobCorrupted as error:
        with atomic():
            report_corrupted(user, card, attachment, error)
        raise
    return send_file(
        stream,
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.filename,
        etag=attachment.sha256,
        max_age=0,
    )


@bp.delete('/cards/<int:card_id>/attachments/<int:attachment_id>')
def delete_attachment(card_id: int, attachment_id: int) -> tuple[str, int]:
    user = api_user()
    with atomic():
        card, attachment = find_attachment(user, card_id, attachment_id)
        remove_attachment(user, card, attachment)
    return '', 204
