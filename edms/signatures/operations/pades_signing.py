"""Signing a card's PDF inside the document (PAdES B-B with the visible mark of ГОСТ Р 7.0.97): the signed PDF is kept
as a new file of the card beside the original, with the report of its validation.

Signing is personal, as for detached signatures: whoever may see the card signs with one of their own certificates
whose container is stored on the server, with its password typed now (used once, never stored). pyhanko has no
GOST R 34.11-2012, so a GOST certificate is refused before its container is opened, with the advice to sign the file
with a detached GOST signature instead.
"""

from __future__ import annotations

import os

from flask import current_app

from edms.audit.operations import record
from edms.auth.models import User
from edms.core.blobs import blob_store
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.errors import DomainError
from edms.registry.errors import CardStateConflict
from edms.registry.models import Attachment, Card, CardStatus
from edms.registry.operations.attachments import clean_filename
from edms.registry.queries import get_attachment
from edms.signatures.errors import PADES_KEYS, GostPadesUnsupported, NoContainer
from edms.signatures.operations.common import attachment_bytes, certificate_facts, new_record, record_facts
from edms.signatures.operations.signing import open_container
from edms.signatures.queries import own_certificate
from edms.signatures.trust import trust_data

PDF_TYPE = 'application/pdf'
SIGNED_SUFFIX = ' (подписан)'
REASON = 'Документ подписан электронной подписью'


class NotPdf(DomainError):
    code = 'not_pdf'
    status = 422
    message = 'Подписать со штампом внутри документа можно только файл PDF.'


def sign_pdf_attachment(actor: User, attachment: Attachment, certificate_id: object, password: str) -> Attachment:
    """Sign the PDF attachment with the actor's certificate and keep the result as a new file of the card,
    «<имя> (подписан).pdf»; the original stays. Refusals: NotPdf, a closed card, GostPadesUnsupported, NoContainer,
    the container's own (wrong password, expired…), PdfSigningFailed."""
    card, attachment = get_attachment(actor, attachment.card_id, attachment.id)
    if card.status in (CardStatus.cancelled, CardStatus.filed):
        raise CardStateConflict('К аннулированной карточке или карточке в деле нельзя добавлять файлы.')
    if attachment.content_type != PDF_TYPE:
        raise NotPdf()
    certificate = own_certificate(actor, certificate_id)
    if certificate.key_algorithm not in PADES_KEYS:
        raise GostPadesUnsupported()
    if not certificate.has_key:
        raise NoContainer()
    from edms.signatures.pades import sign_pdf, validate_pdf  # pyHanko loads in ~0.5 s: only when a PDF is signed

    now = utcnow()
    bundle = open_container(certificate, password, now)
    location = card.organization.short_name
    signed = sign_pdf(attachment_bytes(attachment), bundle, signing_time=now, reason=REASON, location=location)
    result = _store(actor, card, attachment, signed, f'Подписан ЭП со штампом: {certificate.owner}')
    report = validate_pdf(signed, trust_data(now))
    verification = new_record(
        actor,
        report,
        organization_id=card.organization_id,
        file_sha256=result.sha256,
        signature_sha256=result.sha256,
        attachment_id=result.id,
        file_name=result.filename,
        signature_name=result.filename,
    )
    facts = {
        'card_id': card.id,
        'source_attachment_id': attachment.id,
        'attachment_id': result.id,
        'filename': result.filename,
        **certificate_facts(certificate.info),
        **record_facts(verification),
    }
    record(actor, 'signatures.pades.sign', result, facts, organization_id=card.organization_id)
    return result


def signed_name(filename: str) -> str:
    """«приказ.pdf» → «приказ (подписан).pdf»; a file signed before keeps its name (the signatures add up in it)."""
    stem, _ = os.path.splitext(filename)
    if stem.endswith(SIGNED_SUFFIX):
        return clean_filename(f'{stem}.pdf')
    return clean_filename(f'{stem[: 255 - len(SIGNED_SUFFIX) - 4]}{SIGNED_SUFFIX}.pdf')


def _store(actor: User, card: Card, source: Attachment, data: bytes, description: str) -> Attachment:
    stored = blob_store().put_bytes(data, int(current_app.config['MAX_ATTACHMENT_SIZE']))
    attachment = Attachment(
        card_id=card.id,
        sha256=stored.sha256,
        filename=signed_name(source.filename),
        content_type=PDF_TYPE,
        size=stored.size,
        description=description[:500],
        created_by_id=actor.id,
    )
    db.session.add(attachment)
    db.session.flush()
    facts = {
        'attachment_id': attachment.id,
        'filename': attachment.filename,
        'sha256': attachment.sha256,
        'size': attachment.size,
        'content_type': attachment.content_type,
        'signed_from_attachment_id': source.id,
    }
    record(actor, 'attachment.add', card, facts)
    return attachment
