"""The files of a complaint (210-ФЗ ст. 11.1): a scan of the refusal, a receipt of a fee demanded.

At most `COMPLAINT_FILES_MAX` files; each is stored in the blob store and judged by the rule of applicants' files
(`rules.attachments`: PDF, JPG or PNG as the bytes show, at most 5 MB — or the registry's own limit of a card's file,
when an installation set it lower) through the same code as an application's files (`operations.uploads.store_uploads`,
`rules.attachments.file_problems`); every problem is said under the field `files`. The files of a filed complaint
become attachments of its appeal card, added as the system acting in the agency, and rows of `ComplaintFile`; a
refused complaint discards the blobs it stored.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import cast

from edms.auth.models import User
from edms.citizen_services.models.complaints import COMPLAINT_FILES_MAX, Complaint, ComplaintFile
from edms.citizen_services.operations.common import AgencyActor
from edms.citizen_services.operations.uploads import (
    StoredUpload,
    UploadedFile,
    discard_new,
    store_uploads,
    within_card_limit,
)
from edms.citizen_services.rules.attachments import (
    DEFAULT_TYPES,
    MAX_ATTACHMENT_SIZE,
    AttachmentSpec,
    file_problems,
)
from edms.core.errors import FieldErrors
from edms.registry.models import Card
from edms.registry.operations.attachments import StoredFile, add_stored_attachments

FILES_FIELD = 'files'
FILES_LABEL = 'Файлы жалобы'
FILES_SLOT = AttachmentSpec(FILES_FIELD, FILES_LABEL, required=False)


@dataclass(frozen=True)
class ComplaintFileRules:
    """The seeds' rule for applicants' files, whatever the service complained about allows for its applications."""

    allowed_types: frozenset[str] = DEFAULT_TYPES
    max_attachment_size: int = MAX_ATTACHMENT_SIZE


def file_rules() -> ComplaintFileRules:
    """The rule, its size limit never above what the card's attachments take (else a file passing it would fail
    later at the card without naming the field)."""
    return ComplaintFileRules(max_attachment_size=within_card_limit(MAX_ATTACHMENT_SIZE))


def store_files(errors: FieldErrors, files: Sequence[UploadedFile]) -> list[StoredUpload]:
    """The files stored in the blob store; each problem (too many, empty, of a type not allowed, too large) added to
    `errors` under `files`. More files than allowed are not stored at all."""
    if len(files) > COMPLAINT_FILES_MAX:
        errors.add(FILES_FIELD, f'«{FILES_LABEL}»: не более {COMPLAINT_FILES_MAX} файлов (приложено {len(files)}).')
        return []
    rules = file_rules()
    uploads = store_uploads(rules, [UploadedFile(FILES_FIELD, file.filename, file.stream) for file in files])
    messages = [
        problem.message
        for upload in uploads
        for problem in file_problems(FILES_SLOT, upload.facts(rules), rules.allowed_types, rules.max_attachment_size)
    ]
    if messages:
        errors.add(FILES_FIELD, ' '.join(messages))
    return uploads


@contextmanager
def discarded_on_error(uploads: Sequence[StoredUpload]) -> Iterator[None]:
    """Whatever fails inside (a refusal, a card that cannot be made) discards the blobs stored for the complaint."""
    try:
        yield
    except BaseException:
        discard_new(uploads)
        raise


def attach_files(complaint: Complaint, card: Card, uploads: Sequence[StoredUpload]) -> list[ComplaintFile]:
    """The stored files as attachments of the appeal card (one insert) and as the complaint's files."""
    actor = cast(User, AgencyActor(complaint.organization_id))
    description = f'Приложение к жалобе № {complaint.number}'
    stored = [
        StoredFile(upload.sha256 or '', upload.filename, description, upload.size, upload.content_type)
        for upload in uploads
    ]
    rows = [
        ComplaintFile(
            sha256=attachment.sha256,
            filename=attachment.filename,
            content_type=attachment.content_type,
            size=attachment.size,
            attachment_id=attachment.id,
        )
        for attachment in add_stored_attachments(actor, card, stored)
    ]
    complaint.files.extend(rows)
    return rows
