"""One submission of an application, first or corrected: the files stored, the detached signatures verified, the
whole application checked (every problem at once, including who the applicant is), and — when anything is wrong —
the files stored for it discarded before `ApplicationInvalid` is raised.

Filing and resubmitting both go through `prepare`; a resubmission passes the files and signature facts it keeps
from the version before (the slots and roles it does not send again).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from edms.auth.models import User
from edms.citizen_services.catalogue.definition import Channel, ServiceDefinition
from edms.citizen_services.errors import ApplicationInvalid
from edms.citizen_services.models import ApplicationFile
from edms.citizen_services.operations.applicants import Applicant, applicant_of
from edms.citizen_services.operations.common import today
from edms.citizen_services.operations.uploads import (
    StoredUpload,
    UploadedFile,
    VerifiedSignature,
    discard_new,
    store_uploads,
    verify_detached_signatures,
    with_card_limit,
)
from edms.citizen_services.rules.facts import AttachmentFile, SignatureFacts
from edms.citizen_services.validation import check_application, in_form_order


@dataclass(frozen=True)
class Submission:
    """A checked application: its normalized values, the files stored for it, the signatures verified now and the
    facts of every signature it was checked with, and its applicant."""

    values: dict[str, Any]
    uploads: list[StoredUpload]
    verified: list[VerifiedSignature]
    facts: list[SignatureFacts]
    applicant: Applicant


@dataclass(frozen=True)
class Kept:
    """What a resubmission keeps from the version before: the current files and the signature facts."""

    files: tuple[ApplicationFile, ...] = ()
    facts: tuple[SignatureFacts, ...] = ()


@dataclass(frozen=True)
class Draft:
    """What was sent: the data, the signature facts the entry point established (an SMS code), the detached
    signatures (role → CMS bytes) to verify, the XML of an XML upload, who the applicant is (their account or the
    `on_behalf` block), and what a resubmission keeps."""

    channel: Channel
    data: Mapping[str, Any]
    sent_at: datetime
    signatures: tuple[SignatureFacts, ...] = ()
    detached: Mapping[str, bytes] = field(default_factory=dict)
    account: User | None = None
    block: Applicant | None = None
    xml: bytes | None = None
    kept: Kept = Kept()


def prepare(service: ServiceDefinition, draft: Draft, files: Iterable[UploadedFile]) -> Submission:
    """The checked submission; `ApplicationInvalid` naming every problem (and nothing kept) otherwise."""
    service = with_card_limit(service)
    uploads = store_uploads(service, files)
    try:
        return _check(service, draft, uploads)
    except BaseException:
        discard_new(uploads)
        raise


def _check(service: ServiceDefinition, draft: Draft, uploads: list[StoredUpload]) -> Submission:
    verified, problems = verify_detached_signatures(service, uploads, draft.detached, draft.sent_at, xml=draft.xml)
    facts = _merged_facts(draft.kept.facts, draft.signatures, [item.facts for item in verified])
    sent_kinds = {upload.kind for upload in uploads}
    files = [_kept_file(row) for row in draft.kept.files if row.kind not in sent_kinds]
    files += [upload.facts(service) for upload in uploads]
    checked = check_application(service, draft.data, files, today=today(), signatures=facts, channel=draft.channel)
    applicant, missing = applicant_of(service, checked.values, account=draft.account, block=draft.block)
    problems = [*checked.problems, *problems, *missing]
    if problems:
        raise ApplicationInvalid(in_form_order(service, problems))
    return Submission(checked.values, uploads, verified, facts, applicant)


def _merged_facts(*groups: Iterable[SignatureFacts]) -> list[SignatureFacts]:
    """One set of facts per role; a later group (sent now, verified now) replaces an earlier one."""
    by_role: dict[str, SignatureFacts] = {}
    for group in groups:
        for facts in group:
            by_role[facts.role] = facts
    return list(by_role.values())


def _kept_file(row: ApplicationFile) -> AttachmentFile:
    return AttachmentFile(row.kind, row.filename, row.size, row.content_type)
