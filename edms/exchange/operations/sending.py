"""Sending a registered outgoing card to its МЭДО addressees: one 2.7.1 packet per addressee in the outbox, one
dispatch per addressee whose timeline the answers fill («where is my letter»).

The packet carries the card's requisites, its main file (the first PDF file with a valid signature) and the other
files as attachments, each with the detached signatures made in the card (the signer's qualified signatures are
not made again here: the sender organization sends what its officials signed). Every addressee of one card gets the
same container GUID, so their notifications find the card; a second sending to an addressee is refused while the
first is alive (not failed, refused or not accepted).

An addressee served by this system gets the packet through the outbox like any other (see `delivery`): the packet is
handed to the intake, parsed and verified, and lands in that organization's «На регистрацию» queue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import select

from edms.audit.operations import record
from edms.auth.models import User
from edms.core.blobs import blob_store
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.errors import ValidationFailed
from edms.exchange.models import (
    Dispatch,
    DispatchEvent,
    DispatchStatus,
    DispatchStep,
    ExchangeParticipant,
    OutboxKind,
    OutboxPacket,
)
from edms.exchange.operations.common import max_packet_size, medo_identity, zip_files
from edms.exchange.operations.delivery_queue import schedule_delivery
from edms.exchange.packets.writer import (
    ACCESS_GENERAL,
    ACCESS_RESTRICTED,
    OutgoingDocument,
    PacketFile,
    Signatory,
    SignerMaterial,
    build_packet,
)
from edms.exchange.queries import participant_of_organization
from edms.registry.models import AccessMark, Attachment, Card, CardAddressee, CardKind, CardStatus
from edms.registry.permissions import require_registrar
from edms.signatures.crypto.certs import CertificateInfo
from edms.signatures.models import AttachmentSignature
from edms.signatures.operations.common import attachment_bytes, stored_bytes

SENDABLE_STATUSES = (CardStatus.registered, CardStatus.in_work, CardStatus.executed)
#: a dispatch in one of these states no longer stands in the way of sending the card to that addressee again
CLOSED_STATUSES = (DispatchStatus.failed.value, DispatchStatus.refused.value, DispatchStatus.not_accepted.value)
PDF_TYPE = 'application/pdf'
DEFAULT_POST = 'Должностное лицо'
VALID = 'valid'
#: no choice of addressees given: every participant not sent yet
DEFAULT = object()


@dataclass(frozen=True)
class Target:
    """One addressee of the card to send to, with its participant."""

    addressee: CardAddressee
    participant: ExchangeParticipant


def send_card(user: User, card: Card, raw: Mapping[str, Any] | None = None) -> list[Dispatch]:
    """Build and queue the card's packet for each chosen addressee (`raw['addressees']`: card addressee ids; without
    the key, every addressee that is an МЭДО participant and not sent yet). ValidationFailed names what is missing.

    The card is locked first: two clicks or a retried request cannot send it to the same addressee twice."""
    require_registrar(user)
    _lock(card)
    sender = _check_card(card)
    targets = _targets(card, (raw or {}).get('addressees', DEFAULT))
    main, others = _files(card)
    signers = _signers(main, others)
    document = _document(card, main, others, signers, _document_uid(card))
    dispatches = [_dispatch(user, card, document, sender, target, signers) for target in targets]
    facts = {
        'addressees': [dispatch.addressee_name for dispatch in dispatches],
        'document_uid': str(document.document_uid),
        'main_file': main.filename,
        'files': 1 + len(others),
        'signers': [signer.name for signer in signers],
    }
    record(user, 'exchange.card.send', card, facts, organization_id=card.organization_id)
    return dispatches


def _lock(card: Card) -> None:
    db.session.execute(select(Card.id).where(Card.id == card.id).with_for_update())


def _check_card(card: Card) -> ExchangeParticipant:
    if card.kind != CardKind.outgoing:
        raise _refusal('card', 'По МЭДО отправляются только исходящие документы.')
    if card.status not in SENDABLE_STATUSES or card.reg_number is None or card.reg_date is None:
        raise _refusal('card', 'Отправить по МЭДО можно только зарегистрированный документ.')
    sender = participant_of_organization(card.organization_id)
    if sender is None or not sender.is_active or not sender.is_local:
        raise _refusal('card', 'Организация не подключена к МЭДО: администратор добавляет её в справочник участников.')
    return sender


def eligible_targets(card: Card) -> list[Target]:
    """Addressees of the card that are МЭДО participants (other than the card's organization), in the card's order;
    one per participant (two addressees in one organization get one packet)."""
    organization_ids = {item.organization_id for item in card.addressees if item.organization_id is not None}
    organization_ids.discard(card.organization_id)
    if not organization_ids:
        return []
    query = select(ExchangeParticipant).where(
        ExchangeParticipant.organization_id.in_(organization_ids), ExchangeParticipant.is_active.is_(True)
    )
    by_organization = {item.organization_id: item for item in db.session.execute(query).scalars()}
    targets: dict[int, Target] = {}
    for addressee in card.addressees:
        participant = by_organization.get(addressee.organization_id or 0)
        if participant is not None and participant.id not in targets:
            targets[participant.id] = Target(addressee, participant)
    return list(targets.values())


def live_destinations(card: Card) -> set[int]:
    """Participants the card was sent to and whose dispatch is still alive."""
    query = select(Dispatch.destination_id).where(Dispatch.card_id == card.id, Dispatch.status.not_in(CLOSED_STATUSES))
    return set(db.session.execute(query).scalars())


def alive_in(dispatches: list[Dispatch]) -> set[int]:
    """The same for dispatches already loaded (the card's «Обмен» tab has them all)."""
    return {item.destination_id for item in dispatches if item.status not in CLOSED_STATUSES}


def _targets(card: Card, chosen: object) -> list[Target]:
    eligible, sent = eligible_targets(card), live_destinations(card)
    if chosen is DEFAULT:
        targets = [target for target in eligible if target.participant.id not in sent]
        if not targets:
            message = 'Документ уже отправлен всем адресатам — участникам МЭДО.'
            if not eligible:
                message = 'Ни один адресат документа не является участником МЭДО (справочник участников обмена).'
            raise _refusal('addressees', message)
        return targets
    ids = _ids(chosen)
    if not ids:
        raise _refusal('addressees', '«Адресаты»: отметьте хотя бы одного адресата.')
    by_participant = {target.participant.id: target for target in eligible}
    by_id = {
        addressee.id: by_participant[target.participant.id]
        for addressee in card.addressees
        for target in eligible
        if addressee.organization_id == target.participant.organization_id
    }
    names = {addressee.id: addressee.name for addressee in card.addressees}
    unknown = [names.get(item, str(item)) for item in ids if item not in by_id]
    if unknown:
        raise _refusal('addressees', f'«Адресаты»: не участники МЭДО или не адресаты документа: {", ".join(unknown)}.')
    repeated = [names[item] for item in ids if by_id[item].participant.id in sent]
    if repeated:
        raise _refusal('addressees', f'«Адресаты»: документ уже отправлен: {", ".join(repeated)}.')
    return list({by_id[item].participant.id: by_id[item] for item in ids}.values())


def _ids(chosen: object) -> list[int]:
    if chosen in (None, ''):
        return []
    items = chosen if isinstance(chosen, list | tuple) else [chosen]
    try:
        return [int(str(item)) for item in items]
    except ValueError:
        raise _refusal('addressees', '«Адресаты»: укажите адресатов из карточки.') from None


def _files(card: Card) -> tuple[Attachment, list[Attachment]]:
    """The main file (the first PDF signed validly) and the other files, in the card's order."""
    files = [attachment for attachment in card.attachments if attachment.deleted_at is None]
    signed = _valid_signatures([attachment.id for attachment in files])
    main = next((item for item in files if _is_pdf(item) and signed.get(item.id)), None)
    if main is None:
        raise _refusal(
            'files',
            'Нет подписанного файла документа: загрузите PDF и подпишите его квалифицированной подписью '
            '(вкладка «Файлы»), затем отправьте.',
        )
    return main, [item for item in files if item.id != main.id]


def _is_pdf(attachment: Attachment) -> bool:
    return attachment.content_type == PDF_TYPE or attachment.filename.lower().endswith('.pdf')


def _valid_signatures(attachment_ids: list[int]) -> dict[int, list[AttachmentSignature]]:
    if not attachment_ids:
        return {}
    query = (
        select(AttachmentSignature)
        .where(AttachmentSignature.attachment_id.in_(attachment_ids), AttachmentSignature.last_verdict == VALID)
        .order_by(AttachmentSignature.id)
    )
    result: dict[int, list[AttachmentSignature]] = {}
    for signature in db.session.execute(query).scalars():
        result.setdefault(signature.attachment_id, []).append(signature)
    return result


def _signers(main: Attachment, others: list[Attachment]) -> list[SignerMaterial]:
    """The main file's valid signers, each with every signature they made of the card's files."""
    by_file = _valid_signatures([main.id, *(item.id for item in others)])
    signers = []
    for signature in by_file[main.id]:
        made = [
            row for rows in by_file.values() for row in rows if row.signer_fingerprint == signature.signer_fingerprint
        ]
        info = CertificateInfo.from_der(signature.signer_certificate_der)
        signers.append(
            SignerMaterial(
                key=None,
                certificate=signature.signer_certificate_der,
                chain=(),
                name=info.owner,
                post=info.subject.get('T') or DEFAULT_POST,
                signatures={row.file_sha256: stored_bytes(row.signature_sha256) for row in made},
            )
        )
    return signers


def _document(
    card: Card, main: Attachment, others: list[Attachment], signers: list[SignerMaterial], document_uid: UUID
) -> OutgoingDocument:
    if card.reg_number is None or card.reg_date is None:
        raise _refusal('card', 'Отправить по МЭДО можно только зарегистрированный документ.')
    restricted = card.access_mark == AccessMark.restricted
    return OutgoingDocument(
        reg_number=card.reg_number,
        reg_date=card.reg_date,
        kind=card.document_kind,
        annotation=card.summary,
        pages=card.pages or 1,
        main_file=_packet_file(main),
        signatories=tuple(Signatory(name=signer.name, post=signer.post) for signer in signers),
        addressee_organizations=tuple(addressee.name for addressee in card.addressees),
        access_mark=ACCESS_RESTRICTED if restricted else ACCESS_GENERAL,
        attachments=tuple(_packet_file(item) for item in others),
        enclosure_pages=card.attachment_pages,
        document_uid=document_uid,
    )


def _packet_file(attachment: Attachment) -> PacketFile:
    """The file under its own name: the container stores it as document.pdf / attachment_N.ext and the passport's
    description carries the original name, as real senders do (the recipient restores it from there)."""
    return PacketFile(name=attachment.filename, data=attachment_bytes(attachment))


def _document_uid(card: Card) -> UUID:
    """The container GUID of the card: the one of its earlier dispatches, else a new one."""
    query = select(Dispatch.document_uid).where(Dispatch.card_id == card.id).order_by(Dispatch.id).limit(1)
    known = db.session.execute(query).scalar_one_or_none()
    return UUID(known) if known else uuid4()


def _dispatch(
    user: User,
    card: Card,
    document: OutgoingDocument,
    sender: ExchangeParticipant,
    target: Target,
    signers: list[SignerMaterial],
) -> Dispatch:
    now = utcnow()
    built = build_packet(
        document,
        sender=medo_identity(sender),
        addressees=[medo_identity(target.participant)],
        signers=signers,
        created=now,
    )
    blob = blob_store().put_bytes(zip_files(built.files), max_packet_size())
    outbox = OutboxPacket(
        kind=OutboxKind.document.value,
        event=OutboxKind.document.value,
        destination_id=target.participant.id,
        sender_participant_id=sender.id,
        organization_id=card.organization_id,
        card_id=card.id,
        message_uid=str(built.uid),
        subject=f'№ {document.reg_number} от {document.reg_date:%d.%m.%Y} {document.kind}'[:255],
        sha256=blob.sha256,
        size=blob.size,
        next_attempt_at=now,
    )
    db.session.add(outbox)
    db.session.flush()
    dispatch = Dispatch(
        card_id=card.id,
        organization_id=card.organization_id,
        addressee_id=target.addressee.id,
        addressee_name=target.addressee.name,
        destination_id=target.participant.id,
        outbox_id=outbox.id,
        document_uid=str(built.document_uid),
        message_uid=str(built.uid),
        status=DispatchStatus.queued.value,
        sent_by_id=user.id,
        updated_at=now,
    )
    dispatch.steps.append(DispatchEvent(step=DispatchStep.queued.value, happened_at=now, recorded_at=now))
    db.session.add(dispatch)
    db.session.flush()
    schedule_delivery(outbox)
    return dispatch


def _refusal(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={field: message})
