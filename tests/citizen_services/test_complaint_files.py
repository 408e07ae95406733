"""The files of a complaint (210-ФЗ ст. 11.1): a PDF and a PNG stored as blobs, listed with the complaint and attached
to the agency's appeal card (journaled); a file of a type not allowed (GIF, XML, plain text, whatever its name says),
an empty one, one over 5 MB or more than ten files refused with the field named, together with the other fields'
problems, and nothing stored (no blob, no complaint, no card)."""

from __future__ import annotations

import io
import os

import pytest
from sqlalchemy import select

from edms.audit.models import AuditEntry
from edms.citizen_services.models.complaints import COMPLAINT_FILES_MAX, Complaint, ComplaintFile
from edms.citizen_services.operations import UploadedFile
from edms.citizen_services.operations.complaints import file_complaint
from edms.core.blobs import blob_store
from edms.core.db import db
from edms.core.errors import ValidationFailed
from edms.core.tx import atomic
from edms.registry.models import Attachment, Card
from tests.citizen_services.conftest import PDF_BYTES, World, blob_count, count, world  # noqa: F401

TEXT = 'Потребовали оплату, не предусмотренную регламентом; квитанция приложена.'
PNG_BYTES = b'\x89PNG\r\n\x1a\n' + b'\x00' * 32
MB = 1024 * 1024


def upload(name: str, content: bytes) -> UploadedFile:
    return UploadedFile('files', name, io.BytesIO(content))


def pdf(name: str = 'отказ.pdf') -> UploadedFile:
    return upload(name, PDF_BYTES + os.urandom(8))


def file(world: World, files: list[UploadedFile], text: str = TEXT, kind: str = 'extra_fee') -> Complaint:  # noqa: F811
    application = world.file()
    with atomic():
        return file_complaint(world.applicant, application, {'kind': kind, 'text': text}, files)


def refused(world: World, files: list[UploadedFile], text: str = TEXT) -> dict[str, str]:  # noqa: F811
    """The refusal's fields, after checking that nothing of the complaint was kept."""
    application = world.file()
    before = blob_count(), count(Card), count(Complaint), count(ComplaintFile)
    with pytest.raises(ValidationFailed) as error, atomic():
        file_complaint(world.applicant, application, {'kind': 'extra_fee', 'text': text}, files)
    assert (blob_count(), count(Card), count(Complaint), count(ComplaintFile)) == before
    return error.value.fields


def test_files_are_stored_listed_and_attached_to_the_appeal_card(world: World) -> None:  # noqa: F811
    receipt = PNG_BYTES + os.urandom(8)
    complaint = file(world, [pdf('отказ.pdf'), upload('квитанция.png', receipt)])
    rows = complaint.files
    assert [(row.filename, row.content_type) for row in rows] == [
        ('отказ.pdf', 'application/pdf'),
        ('квитанция.png', 'image/png'),
    ]
    with blob_store().open_verified(rows[1].sha256) as stored:
        assert stored.read() == receipt
    attachments = db.session.execute(select(Attachment).where(Attachment.card_id == complaint.card_id)).scalars()
    by_id = {attachment.id: attachment for attachment in attachments}
    assert sorted(by_id) == sorted(row.attachment_id for row in rows)
    for row in rows:
        attachment = by_id[row.attachment_id]
        assert (attachment.sha256, attachment.filename, attachment.size) == (row.sha256, row.filename, row.size)
        assert attachment.description == f'Приложение к жалобе № {complaint.number}'
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == 'complaint.file', AuditEntry.object_id == str(complaint.id))
    ).scalar_one()
    assert entry.data['files'] == 2
    added = select(AuditEntry).where(
        AuditEntry.action == 'attachment.add', AuditEntry.object_id == str(complaint.card_id)
    )
    assert len(db.session.execute(added).all()) == 2


def test_a_complaint_without_files_has_none(world: World) -> None:  # noqa: F811
    complaint = file(world, [])
    assert complaint.files == []
    assert db.session.execute(select(Attachment).where(Attachment.card_id == complaint.card_id)).first() is None


@pytest.mark.parametrize(
    ('name', 'content'),
    [
        ('scan.pdf', b'GIF89a' + b'\x00' * 16),
        ('scan.xml', b'<?xml version="1.0"?><complaint/>'),
        ('scan.jpg', 'Просто текст, не изображение.'.encode()),
    ],
)
def test_a_file_of_a_type_not_allowed_is_refused_by_its_bytes(world: World, name: str, content: bytes) -> None:  # noqa: F811
    fields = refused(world, [pdf(), upload(name, content)])
    assert fields == {'files': f'«Файлы жалобы» (файл «{name}»): недопустимый тип файла, допустимы JPG, PDF, PNG.'}


def test_an_empty_file_is_refused(world: World) -> None:  # noqa: F811
    assert refused(world, [upload('пусто.pdf', b'')]) == {'files': '«Файлы жалобы» (файл «пусто.pdf»): файл пустой.'}


def test_five_megabytes_are_accepted_and_one_byte_more_refused(world: World, app, monkeypatch) -> None:  # noqa: F811
    monkeypatch.setitem(app.config, 'MAX_ATTACHMENT_SIZE', 50 * MB)  # the production default (the tests' is 2 MB)
    fields = refused(world, [upload('большой.pdf', PDF_BYTES.ljust(5 * MB + 1, b' '))])
    assert fields == {'files': '«Файлы жалобы» (файл «большой.pdf»): размер больше 5 МБ.'}
    complaint = file(world, [upload('ровно.pdf', PDF_BYTES.ljust(5 * MB, b' '))])
    assert [row.size for row in complaint.files] == [5 * MB]


def test_a_lower_limit_of_the_cards_files_is_the_complaints_too(world: World) -> None:  # noqa: F811
    fields = refused(world, [upload('три.pdf', PDF_BYTES.ljust(3 * MB, b' '))])
    assert fields == {'files': '«Файлы жалобы» (файл «три.pdf»): размер больше 2 МБ.'}


def test_ten_files_are_accepted_and_eleven_refused_with_the_other_problems(world: World) -> None:  # noqa: F811
    fields = refused(world, [pdf(f'{number}.pdf') for number in range(COMPLAINT_FILES_MAX + 1)], text='')
    assert fields == {
        'text': '«Текст жалобы»: обязательное поле.',
        'files': '«Файлы жалобы»: не более 10 файлов (приложено 11).',
    }
    complaint = file(world, [pdf(f'{number}.pdf') for number in range(COMPLAINT_FILES_MAX)])
    assert len(complaint.files) == COMPLAINT_FILES_MAX


def test_every_bad_file_is_named_and_a_bad_text_refuses_good_files(world: World) -> None:  # noqa: F811
    fields = refused(world, [upload('a.gif', b'GIF89a' + b'\x00' * 8), upload('b.pdf', b'')])
    assert 'файл «a.gif»' in fields['files']
    assert 'файл «b.pdf»' in fields['files']
    assert refused(world, [pdf()], text='') == {'text': '«Текст жалобы»: обязательное поле.'}


def test_a_blob_already_kept_for_something_else_is_not_discarded_on_a_refusal(world: World) -> None:  # noqa: F811
    content = PDF_BYTES + os.urandom(8)
    complaint = file(world, [upload('first.pdf', content)])
    refused(world, [upload('again.pdf', content)], text='')
    with blob_store().open_verified(complaint.files[0].sha256) as stored:
        assert stored.read() == content
