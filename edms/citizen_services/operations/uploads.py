"""The applicant's files and detached signatures before an application is accepted: each file stored as a blob with
the service's size limit (a file over it is read no further and counts as too large), its type detected from the
bytes; each detached signature verified with edms.signatures over the file it signs and turned into
`SignatureFacts`. If the application is refused, the blobs stored only for it are discarded: nothing is kept.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import BinaryIO, Protocol

from flask import current_app

from edms.citizen_services.catalogue.definition import ServiceDefinition
from edms.citizen_services.rules.facts import QUALIFIED, AttachmentFile, SignatureFacts
from edms.citizen_services.rules.problems import SIGNATURE, Problem, signature_path
from edms.core.blobs import BlobTooLarge, blob_store
from edms.core.errors import ValidationFailed
from edms.core.filetypes import detect_content_type
from edms.registry.operations.attachments import clean_filename
from edms.signatures.crypto.report import PASSED, VerificationReport
from edms.signatures.crypto.verify import verify_detached
from edms.signatures.trust import trust_data

#: More files than any service's slots could want is not an application.
MAX_FILES = 30
#: A detached signature is a few kilobytes; a certificate chain with CRLs stays far below this.
MAX_SIGNATURE_SIZE = 1024 * 1024
#: The role of the signature over the application's XML (the «КЭП-signed XML upload» channel).
APPLICATION_ROLE = 'application'


class FileRules(Protocol):
    """What storing and judging files needs: the allowed types and the size limit (a service's, or a complaint's)."""

    @property
    def allowed_types(self) -> frozenset[str]: ...

    @property
    def max_attachment_size(self) -> int: ...


@dataclass(frozen=True)
class UploadedFile:
    """A file as the entry point received it: the slot it fills (`kind`), its name and its bytes."""

    kind: str
    filename: str
    stream: BinaryIO


@dataclass(frozen=True)
class StoredUpload:
    """A file kept in the blob store; `content_type` None when the bytes are of no known type; `too_large` when it
    was cut at the limit (its size is then the limit plus one)."""

    kind: str
    filename: str
    sha256: str | None
    size: int
    content_type: str | None
    is_new: bool = False
    too_large: bool = False

    def facts(self, service: FileRules) -> AttachmentFile:
        # A file over the limit was not read to its end: its type is not judged, only its size.
        content_type = min(service.allowed_types) if self.too_large else self.content_type
        return AttachmentFile(self.kind, self.filename, self.size, content_type)


@dataclass(frozen=True)
class VerifiedSignature:
    """A detached signature checked by edms.signatures: the facts the rules judge, and what the card keeps (the CMS
    and its report) with the file it signs (`kind` a slot; None for the application's XML)."""

    facts: SignatureFacts
    cms: bytes
    report: VerificationReport
    kind: str | None


def within_card_limit(size: int) -> int:
    """A file size limit never above what a card's attachment may be (`MAX_ATTACHMENT_SIZE`): the files of an
    application or a complaint become attachments of the agency's card, and a file passing a larger limit would fail
    there, without its field named."""
    return min(size, current_app.config['MAX_ATTACHMENT_SIZE'])


def with_card_limit(service: ServiceDefinition) -> ServiceDefinition:
    """The service as its files are checked here: its size limit lowered to the cards' when an installation set that
    below the service's own."""
    limit = within_card_limit(service.max_attachment_size)
    return service if limit == service.max_attachment_size else _limited(service, limit)


@functools.lru_cache(maxsize=64)
def _limited(service: ServiceDefinition, limit: int) -> ServiceDefinition:
    return replace(service, max_attachment_size=limit)


def store_uploads(service: FileRules, files: Iterable[UploadedFile]) -> list[StoredUpload]:
    """Every file in the blob store with the service's limit; `ValidationFailed` for more than `MAX_FILES`."""
    files = list(files)
    if len(files) > MAX_FILES:
        raise ValidationFailed(fields={'attachments': f'«Файлы»: не более {MAX_FILES} файлов в заявлении.'})
    store, stored = blob_store(), []
    for file in files:
        name = clean_filename(file.filename or 'file')
        try:
            blob = store.put_stream(file.stream, service.max_attachment_size)
        except BlobTooLarge:
            stored.append(StoredUpload(file.kind, name, None, service.max_attachment_size + 1, None, too_large=True))
            continue
        content_type = detect_content_type(blob.path) if blob.size else None
        stored.append(StoredUpload(file.kind, name, blob.sha256, blob.size, content_type, blob.is_new))
    return stored


def discard_new(uploads: Iterable[StoredUpload]) -> None:
    """Remove the blobs this application stored and nothing references (the application was refused)."""
    store = blob_store()
    for upload in uploads:
        if upload.is_new and upload.sha256 is not None:
            store.discard(upload.sha256)


def stored_bytes(sha256: str) -> bytes:
    with blob_store().open_verified(sha256) as file:
        return file.read()


def verify_detached_signatures(
    service: ServiceDefinition,
    uploads: list[StoredUpload],
    detached: Mapping[str, bytes],
    sent_at: datetime,
    *,
    xml: bytes | None = None,
) -> tuple[list[VerifiedSignature], list[Problem]]:
    """Each detached signature (role → CMS bytes) verified over the one file of the slot named like the role (the
    owner's consent over the consent file), or, for the role 'application', over the application's XML."""
    verified, problems = [], []
    for role, cms in detached.items():
        label = service.labels.get(signature_path(role), role)
        if len(cms) > MAX_SIGNATURE_SIZE:
            problems.append(Problem(signature_path(role), f'«{label}»: файл подписи слишком велик.', SIGNATURE))
            continue
        if role == APPLICATION_ROLE and xml is not None:
            verified.append(verify_signature(role, xml, cms, sent_at, None))
            continue
        signed = [upload for upload in uploads if upload.kind == role and upload.sha256 is not None]
        if len(signed) != 1:
            text = f'«{label}»: подпись относится к одному файлу вложения «{role}», а приложено {len(signed)}.'
            problems.append(Problem(signature_path(role), text, SIGNATURE))
            continue
        data = stored_bytes(signed[0].sha256 or '')
        verified.append(verify_signature(role, data, cms, sent_at, role))
    return verified, problems


def verify_signature(role: str, data: bytes, cms: bytes, sent_at: datetime, kind: str | None) -> VerifiedSignature:
    """The facts of a detached CMS signature over `data` as of `sent_at` (its first signer; none: invalid)."""
    report = verify_detached(data, cms, trust_data(sent_at))
    if report.signers:
        facts = SignatureFacts.from_report(role, report.signers[0], sent_at=sent_at)
    else:
        detail = '; '.join(f'{check.title}: {check.detail}' for check in report.checks if check.status != PASSED)
        facts = SignatureFacts(role, QUALIFIED, 'invalid', sent_at, detail=detail or 'подпись не прочитана')
    return VerifiedSignature(facts, cms, report, kind)
