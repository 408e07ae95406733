"""The facts an application is checked against besides its fields: its files and its signatures.

Both are plain values built by the caller. `AttachmentFile.from_path` detects the content type from the file's bytes
(`edms.core.filetypes.detect_content_type`, never from the name). `SignatureFacts` carries what a verification
found (`edms.signatures` verifies; `SignatureFacts.from_report` copies a signer's report), or an SMS confirmation;
the rules then judge the facts without doing any cryptography.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from edms.core.filetypes import detect_content_type
from edms.signatures.crypto.report import PASSED, SignerReport, Verdict

#: How a document was signed or confirmed: a qualified signature (КЭП), an advanced or simple one, an SMS code.
QUALIFIED, ADVANCED, SIMPLE, SMS = 'qualified', 'advanced', 'simple', 'sms'
Method = Literal['qualified', 'advanced', 'simple', 'sms']
METHOD_LABELS = {
    QUALIFIED: 'квалифицированная электронная подпись (КЭП)',
    ADVANCED: 'усиленная неквалифицированная подпись',
    SIMPLE: 'простая электронная подпись',
    SMS: 'подтверждение кодом из СМС',
}


@dataclass(frozen=True)
class AttachmentFile:
    """One uploaded file: the slot it fills (`kind`, e.g. 'passport'), its name, size and detected content type."""

    kind: str
    filename: str
    size: int
    #: Detected from the bytes; None when the bytes are of no allowed type at all.
    content_type: str | None

    @classmethod
    def from_path(cls, kind: str, filename: str, path: str | os.PathLike[str]) -> AttachmentFile:
        """The facts of a stored file (e.g. a blob's path): its size and the content type its bytes show."""
        size = os.path.getsize(path)
        return cls(kind, filename, size, detect_content_type(path) if size else None)


@dataclass(frozen=True)
class SignatureFacts:
    """What is known about the signature (or SMS confirmation) of one signed document of the application.

    `role` names the document ('application', 'owner_consent', 'power_of_attorney'); `sent_at` is the moment the
    signed document was sent to the system; `verdict` is the verification's verdict (for an SMS: 'valid' once the code
    was confirmed); the certificate fields are None for an SMS confirmation. Moments are timezone-aware.
    """

    role: str
    method: Method
    verdict: Verdict
    sent_at: datetime
    signing_time: datetime | None = None
    qualified: bool = False
    not_before: datetime | None = None
    not_after: datetime | None = None
    ogrn: str | None = None
    inn_le: str | None = None
    inn: str | None = None
    snils: str | None = None
    #: The verification's own words when it was not valid (shown to the applicant).
    detail: str = ''
    #: An SMS confirmation: the confirmation code's id (`auth_confirmation_codes`) and its phone, masked.
    confirmation_code_id: int | None = None
    phone: str | None = None

    @classmethod
    def sms(
        cls,
        role: str,
        confirmed_at: datetime,
        *,
        sent_at: datetime | None = None,
        code_id: int | None = None,
        phone: str | None = None,
    ) -> SignatureFacts:
        """A document confirmed at `confirmed_at` by the one-time code `code_id` sent to `phone` (masked)."""
        return cls(
            role,
            SMS,
            'valid',
            sent_at or confirmed_at,
            signing_time=confirmed_at,
            confirmation_code_id=code_id,
            phone=phone,
        )

    @classmethod
    def from_report(cls, role: str, report: SignerReport, *, sent_at: datetime) -> SignatureFacts:
        """The facts of one signer of a verified CMS signature (`edms.signatures.crypto.verify.verify_detached`)."""
        certificate = report.certificate
        qualified = report.check('qualified').status == PASSED
        problems = [f'{check.title}: {check.detail}' for check in report.checks if check.status != PASSED]
        return cls(
            role=role,
            method=QUALIFIED if qualified else ADVANCED,
            verdict=report.verdict,
            sent_at=sent_at,
            signing_time=report.signing_time,
            qualified=qualified,
            not_before=certificate.not_before if certificate else None,
            not_after=certificate.not_after if certificate else None,
            ogrn=certificate.ogrn if certificate else None,
            inn_le=certificate.inn_le if certificate else None,
            inn=certificate.inn if certificate else None,
            snils=certificate.snils if certificate else None,
            detail='; '.join(problems),
        )
