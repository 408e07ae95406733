"""Approval with the signed result: the official's decision that renders the service's result document from the
application (`results`), keeps it on the agency's card, signs it inside the PDF with the official's qualified
certificate (PAdES with the visible mark, `sign_pdf_attachment`) and completes the approval (`decisions.approve`)
with the SIGNED copy as the application's result — the file the applicant downloads.

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
from edms.citizen_services.results import Issuer, render_result_pdf, result_document
from edms.core.db import db
from edms.registry.models import Card
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


def approve_and_sign(
    official: User, application: Application, certificate_id: Any, password: str, *, comment: str = ''
) -> Application:
    """Render, attach, sign (PAdES, visible mark) and approve; the signed PDF becomes `result_attachment_id`.
    Refusals: not found / forbidden (`require_official`), not in progress, no card, and those of
    `sign_pdf_attachment` (wrong password, no container, GOST key, card closed)."""
    require_official(official, application)
    lock_application(application)
    if application.status != IN_PROGRESS:
        raise ApplicationStateConflict('Одобрить можно только заявление в обработке.')
    card = db.session.get(Card, application.card_id) if application.card_id else None
    if card is None:
        raise ApplicationStateConflict('У заявления нет карточки в ведомстве: результат некуда приложить.')
    service = service_of(application)
    draft = attach_result(official, application, card, render_result(official, application), service.result.title)
    signed = sign_pdf_attachment(official, draft, certificate_id, password)
    application.result_attachment_id = signed.id
    db.session.flush()
    approve(official, application, comment=comment)
    facts = {'number': application.number, 'draft_attachment_id': draft.id, 'result_attachment_id': signed.id}
    record(official, 'application.result_signed', application, facts, organization_id=application.organization_id)
    return application
