"""Verification reports in the browser (routes of the `signatures` blueprint): the report page of a stored verification
with its history, the same report as a PDF, «Проверка подписи», where any user checks a file against its detached
signature (or a PDF with signatures inside) and only the hashes of the files are kept with the report, and the check
of a signature of a card's registration data (made anew against the current data at each view, so nothing is
stored by a GET).
"""

from __future__ import annotations

import io
from typing import Any

from flask import current_app, redirect, render_template, request, send_file, url_for
from werkzeug.wrappers import Response

from edms.auth.models import User
from edms.core.db import db
from edms.core.errors import ValidationFailed
from edms.core.tx import atomic
from edms.registry.models import Attachment
from edms.registry.queries import get_card
from edms.signatures.crypto.cms import MAX_SIGNATURE_SIZE
from edms.signatures.errors import VerificationNotFound
from edms.signatures.models import VerificationRecord
from edms.signatures.operations import verify_pdf_upload, verify_upload
from edms.signatures.operations.registrations import check_registration_signature, registration_digest
from edms.signatures.queries import (
    get_registration_signature,
    get_signature,
    get_verification,
    signature_verifications,
)
from edms.signatures.report_pdf import render_report_pdf
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
                record = verify_pdf_upload(user, data, file_name=name)
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


REGISTRATION_PATH = '/cards/<int:card_id>/registration-signatures/<int:registration_signature_id>'
REGISTRATION_TITLE = 'Протокол проверки подписи регистрационных данных'


@bp.get(REGISTRATION_PATH)
@login_required
def registration_signature(card_id: int, registration_signature_id: int) -> str:
    """A signature of the registration data checked now: unchanged or not and, for a qualified one, its report."""
    user = current_user()
    row = get_registration_signature(user, card_id, registration_signature_id)
    card = get_card(user, card_id)
    unchanged, report = check_registration_signature(row, card)
    return render_template(
        'signatures/registration_signature.html',
        card=card,
        row=row,
        unchanged=unchanged,
        report=report,
        current_digest=registration_digest(card),
        checked_by=user.full_name,
    )


@bp.get(f'{REGISTRATION_PATH}/pdf')
@login_required
def registration_signature_pdf(card_id: int, registration_signature_id: int) -> Response:
    """The report of a qualified signature of the registration data as a PDF (a simple one has no report)."""
    user = current_user()
    row = get_registration_signature(user, card_id, registration_signature_id)
    card = get_card(user, card_id)
    _, report = check_registration_signature(row, card)
    if report is None:
        raise VerificationNotFound('У простой электронной подписи нет протокола проверки сертификата.')
    pdf = render_report_pdf(
        report,
        title=REGISTRATION_TITLE,
        file_name=f'Регистрационные данные документа № {card.reg_number}',
        file_sha256=registration_digest(card),
        checked_by=user.full_name,
    )
    name = f'Протокол проверки подписи регистрационных данных № {row.id}.pdf'
    return send_file(io.BytesIO(pdf), mimetype='application/pdf', as_attachment=True, download_name=name)
