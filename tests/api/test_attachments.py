"""Attachment endpoints: multipart upload with type and size checks, verified download, corruption, removal."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from urllib.parse import quote

from edms.audit.models import AuditEntry
from edms.core.blobs import blob_store
from edms.core.db import db
from edms.registry.models import Attachment
from tests.api.conftest import PDF_BYTES, created_card, upload

EXE_BYTES = b'MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00' + bytes(range(256))


def stored_files(app) -> set[str]:
    root = Path(app.config['BLOB_DIR'])
    return {str(path.relative_to(root)) for path in root.rglob('*') if path.is_file()}


def test_upload_allowed_pdf_returns_201_with_sha256(client, clerk):
    card = created_card(client, clerk)
    response = upload(client, clerk, card['id'], PDF_BYTES, 'Письмо.pdf')
    assert response.status_code == 201
    body = response.get_json()
    assert body['sha256'] == hashlib.sha256(PDF_BYTES).hexdigest()
    assert (body['filename'], body['content_type'], body['size']) == ('Письмо.pdf', 'application/pdf', len(PDF_BYTES))
    assert body['description'] == 'Скан'
    assert response.headers['Location'] == body['url']
    listed = client.get(f'/api/v1/cards/{card["id"]}/attachments', headers=clerk.headers).get_json()['items']
    assert [item['id'] for item in listed] == [body['id']]
    full = client.get(f'/api/v1/cards/{card["id"]}', headers=clerk.headers).get_json()
    assert full['attachments'][0]['download_url'] == f'/api/v1/cards/{card["id"]}/attachments/{body["id"]}/content'


def test_disallowed_type_is_422_and_not_stored(client, clerk):
    card = created_card(client, clerk)
    response = upload(client, clerk, card['id'], EXE_BYTES, 'setup.pdf')
    assert response.status_code == 422
    error = response.get_json()['error']
    assert error['code'] == 'file_refused'
    assert error['fields']['file'].startswith('«Файл»: тип файла не разрешён.')
    assert not blob_store().exists(hashlib.sha256(EXE_BYTES).hexdigest())
    assert db.session.query(Attachment).count() == 0


def test_oversize_file_is_413_json_and_nothing_stored(app, client, clerk):
    card = created_card(client, clerk)
    before = stored_files(app)
    content = PDF_BYTES + b'0' * (app.config['MAX_ATTACHMENT_SIZE'])
    response = upload(client, clerk, card['id'], content)
    assert response.status_code == 413
    error = response.get_json()['error']
    assert error['code'] == 'blob_too_large'
    assert error['message'] == 'Файл превышает допустимый размер 2 МБ'
    assert stored_files(app) == before
    assert db.session.query(Attachment).count() == 0


def test_upload_that_is_not_multipart_is_415_and_missing_file_is_422(client, clerk):
    card = created_card(client, clerk)
    as_json = client.post(f'/api/v1/cards/{card["id"]}/attachments', json={'file': 'x'}, headers=clerk.headers)
    assert as_json.status_code == 415
    missing = client.post(
        f'/api/v1/cards/{card["id"]}/attachments',
        data={'description': 'Скан', 'colour': 'red'},
        content_type='multipart/form-data',
        headers=clerk.headers,
    )
    assert missing.status_code == 422
    assert missing.get_json()['error']['fields'] == {'colour': 'Неизвестное поле «colour».'}


def test_download_is_byte_identical_under_the_original_name(client, clerk):
    card = created_card(client, clerk)
    attachment = upload(client, clerk, card['id'], PDF_BYTES, 'Письмо №1.pdf').get_json()
    with client.get(attachment['download_url'], headers=clerk.headers) as response:
        assert response.status_code == 200
        assert response.data == PDF_BYTES
        assert response.mimetype == 'application/pdf'
        assert f"filename*=UTF-8''{quote('Письмо №1.pdf')}" in response.headers['Content-Disposition']
        assert response.headers['Content-Disposition'].startswith('attachment')
    metadata = client.get(attachment['url'], headers=clerk.headers).get_json()
    assert metadata == attachment


def test_corrupted_blob_is_409_json_and_audited(app, client, clerk):
    card = created_card(client, clerk)
    content = PDF_BYTES + b'% corrupted later\n'
    attachment = upload(client, clerk, card['id'], content).get_json()
    path = blob_store().path_for(attachment['sha256'])
    os.chmod(path, 0o644)
    Path(path).write_bytes(content.replace(b'later', b'LATER'))
    response = client.get(attachment['download_url'], headers=clerk.headers)
    assert response.status_code == 409
    assert response.get_json()['error']['code'] == 'blob_corrupted'
    entry = db.session.query(AuditEntry).filter_by(action='attachment.corrupted').one()
    assert entry.object_id == str(card['id'])
    assert entry.data['attachment_id'] == attachment['id']
    assert entry.actor_id == clerk.user.id


def test_delete_removes_the_attachment_from_the_card(client, clerk):
    card = created_card(client, clerk)
    attachment = upload(client, clerk, card['id'], PDF_BYTES).get_json()
    response = client.delete(attachment['url'], headers=clerk.headers)
    assert response.status_code == 204
    assert client.get(attachment['url'], headers=clerk.headers).status_code == 404
    assert client.get(f'/api/v1/cards/{card["id"]}', headers=clerk.headers).get_json()['attachments'] == []
    history = client.get(f'/api/v1/cards/{card["id"]}/history', headers=clerk.headers).get_json()['items']
    assert [entry['action'] for entry in history][-2:] == ['attachment.add', 'attachment.remove']
