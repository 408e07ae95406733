"""Electronic signatures of a card in the browser: the signatures shown on the «Файлы» tab, signing a file on the
server with one of the user's own certificates (a detached `.sig`, or a PDF signed inside with the visible mark kept
as a new file), uploading a detached signature made with the user's own tool, checking a signature again,
downloading its `.sig` file; the signatures of the registration data on the «Реквизиты» tab; and the
qualified-signature fields of the resolution forms.

The report pages (a verification, the «Проверка подписи» page and the PDF of a report) are added to the same
blueprint by `signature_reports`. Every change goes through `edms.signatures.operations` in one `atomic()` block;
a password is read from the form for the one call that needs it and never written back into a page.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, flash, g, redirect, request, send_file, url_for
from werkzeug.wrappers import Response

from edms.auth.models import User
from edms.core.clock import utcnow
from edms.core.errors import ValidationFailed
from edms.core.tx import atomic
from edms.registry.models import Attachment, Card
from edms.registry.queries import get_attachment
from edms.signatures.credentials import CERTIFICATE_LABEL, PASSWORD_LABEL, credential_fields
from edms.signatures.crypto.cms import MAX_SIGNATURE_SIZE
from edms.signatures.crypto.report import VerificationReport
from edms.signatures.errors import PADES_KEYS, SignatureNotFound
from edms.signatures.models import AttachmentSignature, RegistrationSignature, UserCertificate, VerificationRecord
from edms.signatures.operations import (
    add_client_signature,
    sign_attachment,
    sign_pdf_attachment,
    verify_attachment_signature,
)
from edms.signatures.operations.registrations import check_registration_signature, sign_registration
from edms.signatures.queries import (
    attachment_signatures,
    card_signatures,
    get_signature,
    latest_verification,
    pdf_verifications,
    registration_signatures,
    signature_bytes,
    signing_certificates,
)
from edms.web.session import current_user, login_required
from edms.web.views.cards import card_action

bp = Blueprint('signatures', __name__)
Html = str | tuple[str, int]
TAB = 'files'
SIG_MIMETYPE = 'application/pkcs7-signature'
#: The resolution forms: the method chosen and the certificate (the password is never shown again).
QUALIFIED = 'qualified'
SIGNATURE_LABEL = '«Файл подписи»'


@dataclass
class SignaturePanel:
    """What the «Файлы» tab shows about signatures: each attachment's signatures and the user's certificates."""

    by_attachment: dict[int, list[AttachmentSignature]] = field(default_factory=dict)
    certificates: list[UserCertificate] = field(default_factory=list)
    #: The latest check of the signatures inside each signed PDF (PAdES), by attachment id.
    pdf_reports: dict[int, VerificationRecord] = field(default_factory=dict)

    @property
    def pades_certificates(self) -> list[UserCertificate]:
        """The certificates that can sign inside a PDF (pyhanko has no GOST)."""
        return [item for item in self.certificates if item.key_algorithm in PADES_KEYS]


@dataclass(frozen=True)
class RegistrationCheck:
    """One signature of the registration data as the «Реквизиты» tab shows it: whether the data are unchanged and,
    for a qualified signature, its report over the current data."""

    signature: RegistrationSignature
    unchanged: bool
    report: VerificationReport | None


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {
        'signature_panel': signature_panel,
        'registration_checks': registration_checks,
        'my_signing_certificates': my_signing_certificates,
    }


def signature_panel(card: Card) -> SignaturePanel:
    """The card's signatures and the current user's signing certificates, read once per request."""
    panels: dict[int, SignaturePanel] = g.setdefault('signature_panels', {})
    if card.id not in panels:
        user = current_user()
        panels[card.id] = SignaturePanel(
            card_signatures(user, card), my_signing_certificates(), pdf_verifications(card)
        )
    return panels[card.id]


def registration_checks(card: Card) -> list[RegistrationCheck]:
    """The signatures of the card's registration data, each checked against the current data."""
    return [RegistrationCheck(row, *check_registration_signature(row, card)) for row in registration_signatures(card)]


def my_signing_certificates() -> list[UserCertificate]:
    """The current user's valid certificates with a container on the server (what «Подписать» offers)."""
    if 'signing_certificates' not in g:
        g.signing_certificates = signing_certificates(current_user(), utcnow())
    certificates: list[UserCertificate] = g.signing_certificates
    return certificates


@bp.app_template_global()  # a global, not a context variable: the macros of imported templates use it too
def certificate_option(certificate: UserCertificate) -> str:
    """«Иванов Иван Иванович — серийный № 01AB…, действует до 31.12.2027» for the certificate lists."""
    return f'{certificate.owner} — серийный № {certificate.serial}, действует до {certificate.not_after:%d.%m.%Y}'


def read_upload(name: str, limit: int) -> tuple[bytes, str] | None:
    """The bytes (at most `limit` + 1, so that an oversize file is still recognized as one) and the name of an
    uploaded file, or None when the field is empty."""
    upload = request.files.get(name)
    if upload is None or not upload.filename:
        return None
    return upload.stream.read(limit + 1), upload.filename


def record_signature(form: Mapping[str, Any]) -> dict[str, Any] | None:
    """The `signature` argument of the resolution operations: None (the simple signature, the default) unless the
    form chose the qualified one, then the certificate and the password for this one signing."""
    if form.get('signature_method') != QUALIFIED:
        return None
    return {'method': QUALIFIED, 'certificate_id': form.get('certificate_id', ''), 'password': form.get('password', '')}


def signature_of(user: User, card_id: int, attachment_id: int, signature_id: int) -> AttachmentSignature:
    """A signature of this very file of this card (another file's signature is not found here)."""
    signature = get_signature(user, signature_id)
    if signature.attachment_id != attachment_id or signature.card_id != card_id:
        raise SignatureNotFound()
    return signature


@bp.post('/cards/<int:card_id>/attachments/<int:attachment_id>/sign')
@login_required
def sign(card_id: int, attachment_id: int) -> Html | Response:
    """Sign the file on the server with the chosen certificate's stored container and the password typed now."""

    def run(user: User, card: Card) -> str:
        _, attachment = get_attachment(user, card.id, attachment_id)
        certificate_id, password = signing_credentials()
        with credential_fields():
            signature = sign_attachment(user, attachment, certificate_id, password)
        return f'Файл «{attachment.filename}» подписан. Результат проверки подписи: {signature.verdict_title}.'

    return card_action(card_id, run, tab=TAB)


@bp.post('/cards/<int:card_id>/attachments/<int:attachment_id>/pades')
@login_required
def sign_pades(card_id: int, attachment_id: int) -> Html | Response:
    """Sign a PDF inside the document with the visible mark; the signed PDF becomes a new file of the card."""

    def run(user: User, card: Card) -> str:
        _, attachment = get_attachment(user, card.id, attachment_id)
        certificate_id, password = signing_credentials()
        with credential_fields():
            signed = sign_pdf_attachment(user, attachment, certificate_id, password)
        verdict = pdf_verifications(card)[signed.id].verdict_title
        return (
            f'Документ «{attachment.filename}» подписан со штампом: добавлен файл «{signed.filename}», исходный файл '
            f'сохранён. Результат проверки подписи: {verdict}.'
        )

    return card_action(card_id, run, tab=TAB)


@bp.post('/cards/<int:card_id>/registration-signatures')
@login_required
def sign_registration_data(card_id: int) -> Html | Response:
    """Sign the card's registration data: the simple signature by default, the qualified one when chosen."""

    def run(user: User, card: Card) -> str:
        with credential_fields():
            signed = sign_registration(user, card, record_signature(request.form))
        return f'Регистрационные данные подписаны: {signed.method_label}.'

    return card_action(card_id, run)


def signing_credentials(signed: str = 'файл') -> tuple[str, str]:
    """The certificate and the container password of a signing form; both required, `signed` names what is signed
    in the message asking for the certificate."""
    certificate_id, password = request.form.get('certificate_id', '').strip(), request.form.get('password', '')
    problems = {}
    if not certificate_id:
        problems['certificate_id'] = f'{CERTIFICATE_LABEL}: выберите сертификат, которым подписать {signed}.'
    if not password:
        problems['password'] = f'{PASSWORD_LABEL}: введите пароль.'
    if problems:
        raise ValidationFailed(fields=problems)
    return certificate_id, password


@bp.post('/cards/<int:card_id>/attachments/<int:attachment_id>/signatures')
@login_required
def upload(card_id: int, attachment_id: int) -> Html | Response:
    """Accept a detached signature made with the user's own tool once it verified; a refusal keeps its report and
    opens it, with the refusal naming the failed checks above it."""
    user = current_user()
    get_attachment(user, card_id, attachment_id)
    uploaded = read_upload('signature', MAX_SIGNATURE_SIZE)
    if uploaded is None:

        def missing(_user: User, _card: Card) -> str:
            raise ValidationFailed(fields={'signature': f'{SIGNATURE_LABEL}: выберите файл подписи (.sig, .p7s).'})

        return card_action(card_id, missing, tab=TAB)
    data, name = uploaded
    with atomic():
        _, attachment = get_attachment(user, card_id, attachment_id)
        result = add_client_signature(user, attachment, data, signature_name=name)
        record_id, refusal = result.record.id, result.refusal
        verdict = result.signature.verdict_title if result.signature is not None else ''
    if refusal is not None:
        flash(f'Подпись не принята. {refusal}', 'danger')
        return redirect(url_for('signatures.verification', verification_id=record_id))
    flash(f'Подпись принята и сохранена с файлом. Результат проверки: {verdict}.', 'success')
    return redirect(url_for('cards.show', card_id=card_id, tab=TAB))


@bp.post('/cards/<int:card_id>/attachments/<int:attachment_id>/signatures/<int:signature_id>/verify')
@login_required
def verify(card_id: int, attachment_id: int, signature_id: int) -> Response:
    """Check the stored signature again against today's trust store; opens the new report."""
    user = current_user()
    with atomic():
        record = verify_attachment_signature(user, signature_of(user, card_id, attachment_id, signature_id))
        record_id, title = record.id, record.verdict_title
    flash(f'Подпись проверена повторно: {title}.', 'success')
    return redirect(url_for('signatures.verification', verification_id=record_id))


@bp.get('/cards/<int:card_id>/attachments/<int:attachment_id>/signatures/<int:signature_id>')
@login_required
def show(card_id: int, attachment_id: int, signature_id: int) -> Response:
    """The latest report of a signature."""
    user = current_user()
    signature = signature_of(user, card_id, attachment_id, signature_id)
    record = latest_verification(signature)
    if record is None:  # every stored signature has its first report; a missing one is not a page
        raise SignatureNotFound()
    return redirect(url_for('signatures.verification', verification_id=record.id))


@bp.get('/cards/<int:card_id>/attachments/<int:attachment_id>/signatures/<int:signature_id>/file')
@login_required
def download(card_id: int, attachment_id: int, signature_id: int) -> Response:
    """The detached signature (DER) as `<file>.sig`; the signature's number is added when the file has several."""
    user = current_user()
    signature = signature_of(user, card_id, attachment_id, signature_id)
    # A corrupted blob raises BlobCorrupted, which the app-wide handler answers with 409 and its message.
    return send_file(
        io.BytesIO(signature_bytes(signature)),
        mimetype=SIG_MIMETYPE,
        as_attachment=True,
        download_name=sig_name(user, signature),
    )


def sig_name(user: User, signature: AttachmentSignature) -> str:
    """`<file>.sig` (the МЭДО convention, one signature file per signer); `<file>.<n>.sig` among several."""
    attachment: Attachment = signature.attachment
    if len(attachment_signatures(user, attachment)) > 1:
        return signature.signature_filename
    return f'{attachment.filename}.sig'


def signed_message(message: str, form: Mapping[str, Any]) -> str:
    """A resolution form's success message naming the kind of signature the form chose."""
    if form.get('signature_method') != QUALIFIED:
        return message
    return message.replace('простой ЭП', 'квалифицированной ЭП')


from edms.web.views import signature_reports  # noqa: E402, F401  (adds the report pages to `bp`)
