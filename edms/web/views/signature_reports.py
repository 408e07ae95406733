"""Verification reports in the browser (routes of the `signatures` blueprint): the report page of a stored verification
with its history, the same report as a PDF, and «Проверка подписи», where any user checks a file against its detached
signature (or a PDF with signatures inside) and only the hashes of the files are kept with the report.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

from flask import current_app, redirect, render_template, request, send_file, url_for
from werkzeug.wrappers import Response

from edms.audit.operations import record as journal
from edms.auth.models import User
from edms.core.db import db
from edms.core.errors import ValidationFailed
from edms.core.tx import atomic
from edms.registry.models import Attachment
from edms.signatures.crypto.cms import MAX_SIGNATURE_SIZE
from edms.signatures.models import VerificationRecord
from edms.signatures.operations import verify_upload
from edms.signatures.operations.common import new_record, record_facts
from edms.signatures.pades import validate_pdf
from edms.signatures.queries import get_signature, get_verification, signature_verifications
from edms.signatures.report_pdf import render_report_pdf
from edms.signatures.trust import trust_data
from edms.web.session import current_user, login_required
from edms.web.views.signatures import bp, read_upload

Html = str | tuple[str, int]
REPORT_TITLE = 'Протокол проверки электронной подписи'
PDF_MAGIC = b'%PDF-'
FILE_LABEL = '«Файл»'
SIGNATURE_LABEL = '«Файл подписи»'


@bp.get('/signatures/verifications/<int:verification_id>')
@login_required
def verification(verification_id: int) -> str:
    """A stored report: what was checked (a card's file and its signature, or an uploaded pair) and every check."""
    user = current_user()
    record = get_verification(user, verification_id)
    return render_template('signatures/verification.html', **_context(user, record))


def _context(user: User, record: VerificationRecord) -> dict[str, Any]:
    signature = get_signature(user, record.attachment_signature_id) if record.attachment_signature_id else None
    attachment = signature.attachment if signature is not None else None
    if attachment is None and record.attachment_id is not None:
        attachment = db.session.get(Attachment, record.attachment_id)
    return {
        'record': record,
        'report': record.verification_report,
        'signature': signature,
        'attachment': attachment,
        'history': signature_verifications(user, signature) if signature is not None else [],
        'checked_by': checker_name(record),
    }


def checker_name(record: VerificationRecord) -> str:
    checker = db.session.get(User, record.checked_by_id) if record.checked_by_id else None
    return checker.full_name if checker is not None else 'Система'


@bp.get('/signatures/verifications/<int:verification_id>/pdf')
@login_required
def verification_pdf(verification_id: int) -> Response:
    """The same report as a PDF document to keep or print."""
    record = get_verification(current_user(), verification_id)
    return send_file(
        io.BytesIO(report_pdf(record)),
        mimetype='application/pdf',
        as_attachment=True,
        download_name=f'Протокол проверки подписи № {record.id}.pdf',
    )


def report_pdf(record: VerificationRecord) -> bytes:
    return render_report_pdf(
        record.verification_report,
        title=REPORT_TITLE,
        file_name=record.file_name or 'без имени',
        file_sha256=record.file_sha256,
        checked_by=checker_name(record),
    )


@bp.route('/signatures/verify', methods=['GET', 'POST'])
@login_required
def verify_page() -> Html | Response:
    """Upload a file and its detached signature (or a signed PDF alone) and get the report."""
    if request.method == 'GET':
        return render_template('signatures/verify.html', errors={})
    user = current_user()
    try:
        data, name, signature, signature_name = _uploaded_pair()
        with atomic():
            if signature is None:
                record = verify_signed_pdf(user, data, name)
            else:
                record = verify_upload(user, data, signature, file_name=name, signature_name=signature_name)
            record_id = record.id
    except ValidationFailed as error:
        return render_template('signatures/verify.html', errors=error.fields), 422
    return redirect(url_for('signatures.verification', verification_id=record_id))


def _uploaded_pair() -> tuple[bytes, str, bytes | None, str]:
    """The file and its signature; a PDF may come alone (its signatures are inside it)."""
    document = read_upload('file', int(current_app.config['MAX_CONTENT_LENGTH']))
    signature = read_upload('signature', MAX_SIGNATURE_SIZE)
    problems = {}
    if document is None:
        problems['file'] = f'{FILE_LABEL}: выберите файл, подпись которого нужно проверить.'
    elif signature is None and not document[0].startswith(PDF_MAGIC):
        problems['signature'] = (
            f'{SIGNATURE_LABEL}: выберите файл отсоединённой подписи (.sig, .p7s); без него проверяются только '
            'документы PDF со встроенной подписью.'
        )
    if problems or document is None:
        raise ValidationFailed(fields=problems)
    if signature is None:
        return document[0], document[1], None, ''
    return document[0], document[1], signature[0], signature[1]


def verify_signed_pdf(actor: User, pdf_bytes: bytes, file_name: str) -> VerificationRecord:
    """Check the PAdES signatures inside a PDF and keep the report with the document's hash only.

    A small entry-point helper until `edms.signatures.operations` offers the same for PDFs: it stores the record
    and the journal entry the way `verify_upload` does, in the caller's transaction.
    """
    digest = hashlib.sha256(pdf_bytes).hexdigest()
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
    journal(actor, 'signatures.verify_upload', verification, facts, organization_id=actor.organization_id)
    return verification
