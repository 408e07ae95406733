"""Verifying signatures and keeping the reports: a signature the user made with their own tool (accepted only when
it is over this very file and by the user's bound certificate), a stored signature checked again, and the
"check a file and its signature" page — a file with its detached signature, or a signed PDF alone (PAdES) — where
only the hashes of the uploaded files are kept.

A refused client signature is not an exception inside the transaction: its report must be stored either way, so the
operation returns a `ClientSignatureResult` and the entry point commits, then shows `refusal` (or calls
`raise_if_refused()` after the commit).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

from edms.audit.operations import record
from edms.auth.models import User
from edms.registry.models import Attachment
from edms.registry.queries import get_attachment
from edms.signatures.crypto.report import PASSED, STATUS_TITLES, Check, VerificationReport
from edms.signatures.crypto.verify import verify_detached
from edms.signatures.errors import AlreadySigned, SignatureRefused
from edms.signatures.models import METHOD_CLIENT, AttachmentSignature, VerificationRecord
from edms.signatures.operations.common import (
    attachment_bytes,
    new_record,
    record_facts,
    sha256_hex,
    signer_summary,
    stored_bytes,
)
from edms.signatures.operations.signing import require_unsigned, store_signature
from edms.signatures.queries import bound_certificate, bound_fingerprints, get_signature
from edms.signatures.trust import trust_data

#: The checks a client signature must pass to be kept with the file: it is a signature, over these bytes, whole.
REQUIRED_CHECKS = ('format', 'integrity', 'signature_value')
#: Setting: accept a client signature by any signer, not only by a certificate bound to the uploading user.
ANY_SIGNER_SETTING = 'SIGNATURE_ACCEPT_ANY_SIGNER'


@dataclass(frozen=True)
class ClientSignatureResult:
    """The outcome of an uploaded signature: the stored signature (None when refused) and the stored report."""

    signature: AttachmentSignature | None
    record: VerificationRecord
    refusal: str | None = None
    failed: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.signature is not None

    def raise_if_refused(self) -> None:
        """For entry points that answer a refusal as an error: call after the commit (the report is kept)."""
        if self.refusal is not None:
            raise SignatureRefused(self.refusal, record_id=self.record.id, failed=self.failed)


def add_client_signature(
    actor: User,
    attachment: Attachment,
    signature_bytes: bytes,
    *,
    any_signer: bool | None = None,
    signature_name: str = '',
) -> ClientSignatureResult:
    """Verify a detached signature made on the user's machine and keep it with the attachment when acceptable."""
    card, attachment = get_attachment(actor, attachment.card_id, attachment.id)
    data = attachment_bytes(attachment)
    signature_bytes = signature_bytes or b''
    report = verify_detached(data, signature_bytes, trust_data())
    if any_signer is None:
        any_signer = bool(current_app.config.get(ANY_SIGNER_SETTING, False))
    refusal, failed = _refusal(actor, attachment, report, any_signer)
    if refusal is None:
        own = bound_certificate(actor, sha256_hex(report.signers[0].certificate_der or b''))
        signature, verification = store_signature(actor, card, attachment, signature_bytes, report, METHOD_CLIENT, own)
        return ClientSignatureResult(signature, verification)
    verification = new_record(
        actor,
        report,
        organization_id=card.organization_id,
        file_sha256=attachment.sha256,
        signature_sha256=sha256_hex(signature_bytes),
        attachment_id=attachment.id,
        file_name=attachment.filename,
        signature_name=signature_name,
    )
    facts = {
        'card_id': card.id,
        'attachment_id': attachment.id,
        'filename': attachment.filename,
        'refusal': refusal,
        'failed': failed,
        **record_facts(verification),
    }
    record(actor, 'signatures.signature.refuse', verification, facts, organization_id=card.organization_id)
    return ClientSignatureResult(None, verification, refusal, failed)


def verify_attachment_signature(actor: User, signature: AttachmentSignature) -> VerificationRecord:
    """Check a stored signature again against the current trust data and keep the new report."""
    signature = get_signature(actor, signature.id)
    attachment = signature.attachment
    report = verify_detached(attachment_bytes(attachment), stored_bytes(signature.signature_sha256), trust_data())
    verification = new_record(
        actor,
        report,
        organization_id=signature.organization_id,
        file_sha256=attachment.sha256,
        signature_sha256=signature.signature_sha256,
        signature=signature,
        attachment_id=attachment.id,
        file_name=attachment.filename,
        signature_name=signature.signature_filename,
    )
    previous = signature.last_verdict
    signature.last_verdict, signature.last_verified_at = report.verdict, report.checked_at
    facts = {
        'card_id': signature.card_id,
        'attachment_id': attachment.id,
        'previous_verdict': previous,
        **record_facts(verification),
    }
    record(actor, 'signatures.signature.verify', signature, facts, organization_id=signature.organization_id)
    return verification


def verify_upload(
    actor: User, file_bytes: bytes, signature_bytes: bytes, *, file_name: str = '', signature_name: str = ''
) -> VerificationRecord:
    """Check any file against its detached signature; the report is kept, the files are not (only their hashes)."""
    file_bytes, signature_bytes = file_bytes or b'', signature_bytes or b''
    report = verify_detached(file_bytes, signature_bytes, trust_data())
    verification = new_record(
        actor,
        report,
        organization_id=actor.organization_id,
        file_sha256=sha256_hex(file_bytes),
        signature_sha256=sha256_hex(signature_bytes),
        file_name=file_name,
        signature_name=signature_name,
    )
    facts = {
        'file_name': verification.file_name,
        'signature_name': verification.signature_name,
        **record_facts(verification),
    }
    record(actor, 'signatures.verify_upload', verification, facts, organization_id=actor.organization_id)
    return verification


def verify_pdf_upload(actor: User, pdf_bytes: bytes, *, file_name: str = '') -> VerificationRecord:
    """Check the signatures inside an uploaded PDF (PAdES); the report is kept with the document's hash only (it is
    both the file's and the signature's hash: the signatures are inside the file)."""
    pdf_bytes = pdf_bytes or b''
    digest = sha256_hex(pdf_bytes)
    from edms.signatures.pades import validate_pdf  # pyHanko loads in ~0.5 s: only when a PDF is checked

    report = validate_pdf(pdf_bytes, trust_data())
    verification = new_record(
        actor,
        report,
        organization_id=actor.organization_id,
        file_sha256=digest,
        signature_sha256=digest,
        file_name=file_name,
        signature_name=file_name,
    )
    facts = {'file_name': verification.file_name, 'pades': True, **record_facts(verification)}
    record(actor, 'signatures.verify_upload', verification, facts, organization_id=actor.organization_id)
    return verification


def _refusal(
    actor: User, attachment: Attachment, report: VerificationReport, any_signer: bool
) -> tuple[str | None, list[str]]:
    """Why the signature cannot be kept with the file (Russian, naming the checks) and the reason codes: the codes
    of the checks that did not pass, `several_signers`, `signer_not_bound` or `already_signed`; (None, []) if none."""
    if not report.signers:
        unpassed = [check for check in report.checks if check.status != PASSED]
        return _named('Файл не является подписью этого документа', unpassed), [c.code for c in unpassed] or ['format']
    if len(report.signers) > 1:
        message = (
            f'В файле {len(report.signers)} подписи: загрузите для каждого подписанта отдельный файл подписи '
            '(по правилам МЭДО — один файл подписи на подписанта).'
        )
        return message, ['several_signers']
    signer = report.signers[0]
    missing = [check for check in signer.checks if check.code in REQUIRED_CHECKS and check.status != PASSED]
    if missing:
        return _named('Подпись не относится к этому файлу или повреждена', missing), [c.code for c in missing]
    fingerprint = sha256_hex(signer.certificate_der or b'')
    if not any_signer and fingerprint not in bound_fingerprints(actor):
        message = (
            f'Подпись сделана сертификатом ({signer_summary(signer.certificate, signer.signer)}), который не привязан '
            'к вашей учётной записи: сначала добавьте свой сертификат в профиль.'
        )
        return message, ['signer_not_bound']
    try:
        require_unsigned(attachment, fingerprint)
    except AlreadySigned as error:
        return error.message, ['already_signed']
    return None, []


def _named(lead: str, checks: list[Check]) -> str:
    listed = '; '.join(f'«{check.title}» {STATUS_TITLES[check.status]}: {check.detail}' for check in checks)
    return f'{lead}. Проверки: {listed}' if listed else f'{lead}.'
