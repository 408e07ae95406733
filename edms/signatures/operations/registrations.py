"""Signing a card's registration data: the requisites the registrar entered and the hashes of the card's files, bound
to the card's id and serialized canonically (records.py), signed with a simple or a qualified signature.

Several people may sign the registration of one card (the registrar, the head of the office…), each once; a signer
whose earlier signature no longer matches the data (the card was corrected) signs again in place of it. A check
compares the stored digest with the current data and, for a qualified signature, verifies its CMS against the trust
store over the current canonical bytes, so a change after signing fails the integrity check of the report.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from edms.audit.operations import record
from edms.auth.models import User
from edms.core.db import db
from edms.core.errors import Conflict
from edms.core.validation import ID_MAX, RawInput
from edms.registry.models import Attachment, Card, CardStatus
from edms.registry.queries import get_card
from edms.signatures.crypto.report import VerificationReport
from edms.signatures.models import RegistrationSignature
from edms.signatures.records import QUALIFIED, SIMPLE, record_digest, sign_record, verify_digest, verify_record_value

RECORD_TYPE = 'card_registration'
SIGNATURE_FIELDS = ('method', 'certificate_id', 'password')
METHOD_LABEL = 'Вид подписи'


class NotRegistered(Conflict):
    code = 'card_not_registered'
    message = 'Подписать можно только регистрационные данные зарегистрированного документа.'


class RegistrationAlreadySigned(Conflict):
    code = 'registration_already_signed'
    message = 'Вы уже подписали регистрационные данные этого документа, и с тех пор они не изменялись.'


def registration_payload(card: Card) -> dict[str, Any]:
    """What a registration signature covers: the requisites of the registration and, in order, the sha256 of every
    file of the card (a file added or removed later changes the signed content)."""
    files = select(Attachment.sha256).where(Attachment.card_id == card.id, Attachment.deleted_at.is_(None))
    return {
        'organization': {'id': card.organization_id, 'ogrn': card.organization.ogrn},
        'kind': card.kind,
        'reg_number': card.reg_number,
        'reg_date': card.reg_date,
        'document_kind': card.document_kind,
        'summary': card.summary,
        'correspondent': {
            'type': card.correspondent_type,
            'organization_id': card.correspondent_organization_id,
            'name': card.correspondent_name,
        },
        'sender_number': card.sender_number,
        'sender_date': card.sender_date,
        'pages': card.pages,
        'attachment_pages': card.attachment_pages,
        'access_mark': card.access_mark,
        'files': list(db.session.execute(files.order_by(Attachment.id)).scalars()),
    }


def registration_digest(card: Card) -> str:
    """SHA-256 (hex) of what a registration signature made now would cover."""
    return record_digest(RECORD_TYPE, card.id, registration_payload(card))


def sign_registration(actor: User, card: Card, signature: Mapping[str, Any] | None = None) -> RegistrationSignature:
    """Sign the registration data of a visible, registered card as `actor`: `signature` is None or
    `{'method': 'simple'}`, or `{'method': 'qualified', 'certificate_id': …, 'password': …}` (the actor's stored
    container; the password is used once and never stored or journaled)."""
    card = get_card(actor, card.id)
    if card.reg_number is None or card.status in (CardStatus.draft, CardStatus.cancelled):
        raise NotRegistered()
    method, credentials = _read_signature(signature or {})
    db.session.execute(select(Card.id).where(Card.id == card.id).with_for_update())
    existing = db.session.execute(
        select(RegistrationSignature).where(
            RegistrationSignature.card_id == card.id, RegistrationSignature.signer_id == actor.id
        )
    ).scalar_one_or_none()
    payload = registration_payload(card)
    if existing is not None and verify_digest(RECORD_TYPE, card.id, payload, existing.digest):
        raise RegistrationAlreadySigned()
    signed = sign_record(actor, RECORD_TYPE, card.id, payload, method=method, **credentials)
    row = existing or RegistrationSignature(card_id=card.id, signer_id=signed.signer_id)
    row.method, row.signed_at, row.digest, row.value = signed.method, signed.signed_at, signed.digest, signed.value
    if existing is None:
        db.session.add(row)
    db.session.flush()
    facts = {
        'signature_id': row.id,
        'method': row.method,
        'digest': row.digest,
        'replaced': existing is not None,
        'reg_number': card.reg_number,
    }
    record(actor, 'card.sign_registration', card, facts, organization_id=card.organization_id)
    return row


def _read_signature(raw: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The method and, for a qualified signature, the credentials; unknown fields and wrong types are refused."""
    form = RawInput(raw, SIGNATURE_FIELDS)
    method = form.text('method', METHOD_LABEL, max_length=20) or SIMPLE
    if method not in (SIMPLE, QUALIFIED):
        form.errors.add('method', f'«{METHOD_LABEL}»: simple (простая) или qualified (квалифицированная).')
    certificate_id = form.integer('certificate_id', 'Сертификат', min_value=1, max_value=ID_MAX)
    password = raw.get('password')
    if password is not None and not isinstance(password, str):
        form.errors.add('password', '«Пароль к контейнеру ключа»: ожидается строка.')
    form.finish()
    if method == SIMPLE:
        return SIMPLE, {}
    return QUALIFIED, {'certificate_id': certificate_id, 'password': password or ''}


def check_registration_signature(row: RegistrationSignature, card: Card) -> tuple[bool, VerificationReport | None]:
    """(the data are unchanged since signing, the verification report of a qualified signature over the current
    data — None for a simple one). Never raises on a damaged signature: the report says what failed."""
    payload = registration_payload(card)
    unchanged = verify_digest(RECORD_TYPE, card.id, payload, row.digest)
    if row.value is None:
        return unchanged, None
    return unchanged, verify_record_value(RECORD_TYPE, card.id, payload, bytes(row.value))
