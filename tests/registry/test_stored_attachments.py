"""A blob already in the store attached to a card without copying it: type and size checked as for an upload, a
missing blob refused, a refused blob kept (others may reference it)."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from flask import current_app

from edms.core.blobs import BlobMissing, BlobTooLarge, blob_store
from edms.core.tx import atomic
from edms.registry.errors import FileRefused
from edms.registry.operations import add_attachment, add_stored_attachment
from tests.factories import make_card, make_organization, make_user

PDF = b'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'


@pytest.fixture
def clerk_card(app_ctx: Any) -> Any:
    with atomic():
        organization = make_organization()
        clerk = make_user(organization, 'clerk')
        return clerk, make_card(clerk)


def test_a_stored_pdf_becomes_an_attachment_of_the_same_blob(clerk_card: Any) -> None:
    clerk, card = clerk_card
    blob = blob_store().put_bytes(PDF + b'% stored', 1 << 20)
    with atomic():
        attachment = add_stored_attachment(clerk, card, blob.sha256, 'паспорт.pdf', 'Паспорт')
    assert (attachment.sha256, attachment.size, attachment.content_type) == (blob.sha256, blob.size, 'application/pdf')
    assert (attachment.filename, attachment.description) == ('паспорт.pdf', 'Паспорт')


def test_a_missing_blob_is_refused(clerk_card: Any) -> None:
    clerk, card = clerk_card
    with pytest.raises(BlobMissing), atomic():
        add_stored_attachment(clerk, card, 'a' * 64, 'x.pdf')


def test_a_stored_blob_of_a_disallowed_type_is_refused_and_kept(clerk_card: Any) -> None:
    clerk, card = clerk_card
    blob = blob_store().put_bytes(b'MZ\x90\x00 an executable', 1 << 20)
    with pytest.raises(FileRefused) as refused, atomic():
        add_stored_attachment(clerk, card, blob.sha256, 'x.exe')
    assert 'тип файла не разрешён' in refused.value.fields['file']
    assert blob_store().exists(blob.sha256)


def test_a_stored_blob_over_the_limit_is_refused(clerk_card: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    clerk, card = clerk_card
    blob = blob_store().put_bytes(PDF + b'0' * 100, 1 << 20)
    monkeypatch.setitem(current_app.config, 'MAX_ATTACHMENT_SIZE', 50)
    with pytest.raises(BlobTooLarge), atomic():
        add_stored_attachment(clerk, card, blob.sha256, 'big.pdf')


def test_an_upload_of_a_disallowed_type_is_still_discarded(clerk_card: Any) -> None:
    clerk, card = clerk_card
    content = b'MZ\x90\x00 another executable'
    with pytest.raises(FileRefused), atomic():
        add_attachment(clerk, card, io.BytesIO(content), 'y.exe')
    assert not blob_store().exists(hashlib.sha256(content).hexdigest())
