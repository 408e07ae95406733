"""The incoming card draft made from a received document, in the recipient organization, through the registry's own
operations (acting as the system for that organization): the requisites pre-filled from the packet, the main file
and the attachments as card files, and each file's detached signatures kept with their verification reports.

The correspondent is the sender organization (the organization of the system when the sender is a participant of
the directory), with the sender's number and date; the document kind, access mark, summary, pages, signers and
addressees as the packet gives them; delivery by МЭДО. Texts are trimmed to the card's limits. The draft is then
routed by the recipient organization's routing rules (department, executor).
"""

from __future__ import annotations

from datetime import date
from pathlib import PurePosixPath
from typing import Any, cast

from edms.auth.models import User
from edms.core.validation import CONTROL_CHARACTERS
from edms.exchange.models import ExchangeParticipant
from edms.exchange.operations.checks import PreparedFile, normalize_name
from edms.exchange.operations.common import ExchangeActor
from edms.exchange.packets.model import AccessMark, IncomingDocument, IncomingPacket, PacketFile, Signer
from edms.exchange.packets.reader import SignatureCheck
from edms.registry.models import Attachment, Card
from edms.registry.operations import create_card
from edms.registry.operations.attachments import StoredFile, add_stored_attachments
from edms.registry.operations.cards import today
from edms.registry.validation import SUMMARY_MAX
from edms.routing.matching import sample_of
from edms.routing.operations import route_card
from edms.signatures.crypto.report import VerificationReport
from edms.signatures.models import METHOD_CLIENT
from edms.signatures.operations.common import sha256_hex
from edms.signatures.operations.signing import store_signatures

MAX_ADDRESSEES = 500
MAX_PAGES = 100_000


def make_draft(
    packet: IncomingPacket,
    recipient: ExchangeParticipant,
    sender: ExchangeParticipant | None,
    files: list[PreparedFile],
    checks: list[SignatureCheck],
) -> Card:
    """The draft in the recipient organization with its files and their signatures."""
    document = packet.document
    if document is None:
        raise ValueError('only a document becomes a draft')
    actor = cast(User, ExchangeActor(recipient.organization_id))
    card = create_card(actor, card_values(packet, document, recipient, sender))
    reports = {(check.file_name, check.signature_name): check.report for check in checks}
    stored = []
    for prepared in files:
        name = original_name(prepared.item)
        description = _description(prepared, document, renamed=name != prepared.item.name)
        stored.append(StoredFile(prepared.sha256, name, description, len(prepared.item.data), prepared.content_type))
    attachments = add_stored_attachments(actor, card, stored) if stored else []
    kept = [
        signature
        for prepared, attachment in zip(files, attachments, strict=True)
        for signature in _kept_signatures(attachment, prepared, reports)
    ]
    if kept:
        store_signatures(actor, card, kept, METHOD_CLIENT)
    route_card(card, sample_of(card), new=True)
    return card


def card_values(
    packet: IncomingPacket,
    document: IncomingDocument,
    recipient: ExchangeParticipant,
    sender: ExchangeParticipant | None,
) -> dict[str, Any]:
    """The card's fields as the registry reads them, pre-filled from the packet."""
    number = clip(document.reg_number, 64)
    return {
        'kind': 'incoming',
        'document_kind': clip(document.document_kind, 100) or 'Документ',
        'summary': clip(document.summary, SUMMARY_MAX) or _fallback_summary(document),
        'correspondent_type': 'organization',
        'correspondent_organization_id': sender.organization_id if sender is not None else None,
        'correspondent_name': clip(packet.sender.organization, 511) or (sender.organization.name if sender else ''),
        'sender_number': number or None,
        'sender_date': _past(document.reg_date),
        'received_date': today(),
        'signer': clip('; '.join(_signer_label(signer) for signer in document.signers), 255),
        'addressees': _addressees(document, recipient),
        'pages': _count(document.pages, 1),
        'attachment_pages': _count(document.enclosure_pages, 0),
        'access_mark': 'restricted' if document.access_mark is AccessMark.RESTRICTED else 'public',
        'delivery_method': 'medo',
    }


def clip(text: str | None, limit: int) -> str:
    """The text without control characters and outer spaces, cut to `limit` characters (with «…» when cut)."""
    cleaned = CONTROL_CHARACTERS.sub(' ', text or '').strip()
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + '…'


def _fallback_summary(document: IncomingDocument) -> str:
    number = f' № {document.reg_number}' if document.reg_number else ''
    dated = f' от {document.reg_date:%d.%m.%Y}' if document.reg_date else ''
    return f'Документ{number}{dated}, поступивший по МЭДО'


def _past(day: date | None) -> date | None:
    """The sender's date unless it lies ahead of today (a clock or time zone mistake the card would refuse)."""
    return day if day is not None and day <= today() else None


def _count(value: int | None, minimum: int) -> int | None:
    return value if value is not None and minimum <= value <= MAX_PAGES else None


def _signer_label(signer: Signer) -> str:
    name = signer.name or ''
    return f'{name} ({signer.post})' if name and signer.post else name or signer.post or ''


def _addressees(document: IncomingDocument, recipient: ExchangeParticipant) -> list[dict[str, Any]]:
    ours = {normalize_name(recipient.organization.name), normalize_name(recipient.organization.short_name)}
    result = []
    for addressee in document.addressees[:MAX_ADDRESSEES]:
        person = addressee.person if addressee.person and addressee.person.casefold() != 'мэдо' else None
        name = clip(', '.join(part for part in (addressee.organization, person) if part), 511)
        is_ours = addressee.participant_uid == recipient.guid or normalize_name(addressee.organization) in ours
        if name:
            result.append({'name': name, 'organization_id': recipient.organization_id if is_ours else None})
    return result


def original_name(item: PacketFile) -> str:
    """The file's original name: real senders store files under generated names (document.pdf, 250547366.docx) and
    give the original in the passport's description («письмо ФСО 2022.docx»); taken when it is a plain file name with
    the same extension, else the name in the packet."""
    described = clip(item.description, 255)
    stored_extension = PurePosixPath(item.name).suffix.lower()
    plain = described and not any(char in described for char in '/\\') and described not in ('.', '..')
    if plain and stored_extension and PurePosixPath(described).suffix.lower() == stored_extension:
        return described
    return item.name


def _description(prepared: PreparedFile, document: IncomingDocument, *, renamed: bool) -> str:
    """The description for the card: the passport's one, unless it was the original file name (then the file's role)."""
    item = prepared.item
    own = None if renamed else item.description
    if document.main_file is not None and item is document.main_file:
        return clip(own or 'Текст документа', 500)
    # numbered by position: senders count <order> from 0 (Госдума) or from 1 (Совет Федерации)
    position = next((number for number, other in enumerate(document.attachments, 1) if other is item), None)
    return clip(own or (f'Приложение {position}' if position else 'Приложение'), 500)


def _kept_signatures(
    attachment: Attachment,
    prepared: PreparedFile,
    reports: dict[tuple[str, str], Any],
) -> list[tuple[Attachment, bytes, VerificationReport]]:
    """Each detached signature of the file with its report; a second signature by the same certificate is skipped
    (one signature file per signer per file)."""
    kept: dict[str, tuple[Attachment, bytes, VerificationReport]] = {}
    for signature in prepared.item.signatures:
        report = reports[(prepared.item.name, signature.file_name)]
        fingerprint = sha256_hex(report.signers[0].certificate_der or b'')
        kept.setdefault(fingerprint, (attachment, signature.data, report))
    return list(kept.values())
