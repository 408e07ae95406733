"""Documents the official issues signed: the approval with the signed result — renders the service's result document
from the application (`results`), keeps it on the agency's card, signs it inside the PDF with the official's qualified
certificate (PAdES with the visible mark, `sign_pdf_attachment`) and completes the approval (`decisions.approve`)
with the SIGNED copy as the application's result, the file the applicant downloads — and the signed notice of an
annulled result (`sign_annulment_notice`, called by `stay.annul`), made by the same steps (`attach_and_sign`).

Nothing of the application changes before the signature is made: a wrong password or an unusable certificate raises
before the status moves, and the caller's transaction drops the unsigned draft with everything else.
"""

from __future__ import annotations

from typing import Any

from edms.audit.operations import record
from edms.auth.models import User
from edms.citizen_services.catalogue.definition import IN_PROGRESS
from edms.citizen_services.errors import ApplicationStateConflict
from edms.citizen_services.models import Application
from edms.citizen_services.operations.agency_card import attach_result
from edms.citizen_services.operations.common import service_of, today
from edms.citizen_services.operations.decisions import approve, lock_application
from edms.citizen_services.permissions import require_official
from edms.citizen_services.results import (
    Annulment,
    Issuer,
    annulment_notice,
    annulment_title,
    render_result_pdf,
    result_document,
)
from edms.core.db import db
from edms.registry.models import Attachment, Card
from edms.signatures.credentials import credential_fields
from edms.signatures.operations.pades_signing import sign_pdf_attachment


def issuer_of(official: User, application: Application) -> Issuer:
    """The agency (its full name), the official (name and position when known) and today as the date of issue."""
    position = official.position.title if official.position is not None else None
    name = f'{official.full_name}, {position}' if position else official.full_name
    return Issuer(application.organization.name, name, today())


def render_result(official: User, application: Application) -> bytes:
    """The application's result document as PDF bytes, issued today by `official`."""
    service = service_of(application)
    return render_result_pdf(result_document(service, application, issuer_of(official, application)))


def attach_and_sign(
    official: User, application: Application, pdf: bytes, title: str, certificate_id: Any, password: str
) -> tuple[Attachment, Attachment]:
    """The PDF as «<title>.pdf» on the application's card (on an outgoing card in reply to it once that card is filed
    or cancelled: `attach_result`) and its copy signed by the official (PAdES, visible mark): (the unsigned draft,
    the signed file). Refusals: no card, and those of `sign_pdf_attachment`."""
    card = db.session.get(Card, application.card_id) if application.card_id else None
    if card is None:
        raise ApplicationStateConflict('У заявления нет карточки в ведомстве: документ некуда приложить.')
    draft = attach_result(official, application, card, pdf, title)
    return draft, sign_pdf_attachment(official, draft, certificate_id, password)


def approve_and_sign(
    official: User, application: Application, certificate_id: Any, password: str, *, comment: str = ''
) -> Application:
    """Render, attach, sign (PAdES, visible mark) and approve; the signed PDF becomes `result_attachment_id`.
    Refusals: not found / forbidden (`require_official`), not in progress, no card, and those of
    `sign_pdf_attachment` (wrong password, no container, GOST key)."""
    require_official(official, application)
    lock_application(application)
    if application.status != IN_PROGRESS:
        raise ApplicationStateConflict('Одобрить можно только заявление в обработке.')
    title = service_of(application).result.title
    draft, signed = attach_and_sign(
        official, application, render_result(official, application), title, certificate_id, password
    )
    application.result_attachment_id = signed.id
    db.session.flush()
    approve(official, application, comment=comment)
    facts = {'number': application.number, 'draft_attachment_id': draft.id, 'result_attachment_id': signed.id}
    record(official, 'application.result_signed', application, facts, organization_id=application.organization_id)
    return application


def sign_annulment_notice(
    official: User, application: Application, annulment: Annulment, certificate_id: Any, password: str
) -> Attachment:
    """«Уведомление об аннулировании…» of the application's result, issued today by the official, on the card and
    signed by them; a refused certificate or password is the message of its form field (`credential_fields`)."""
    service = service_of(application)
    document = annulment_notice(service, application, issuer_of(official, application), annulment)
    pdf, title = render_result_pdf(document), annulment_title(service)
    with credential_fields():
        _, signed = attach_and_sign(official, application, pdf, title, certificate_id, password)
    return signed
