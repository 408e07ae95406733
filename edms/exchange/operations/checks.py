"""The checks a read document passes before anything of it is registered: who it is for among the organizations
served here, whether every signature holds, and whether every file may become a card attachment. Each failure is a
`PacketRejected` with its reason code (unknown_addressee, signature, unsupported, oversize) — the quarantine's.

Addressees, in order: the packet's routing list (deliveryIndex: its GUIDs only, as the МЭДО network routes by it);
without one, the addressees' participant GUIDs (classic addressee/@uid), the envelope's mailboxes, the addressees'
organization names. The sender itself is never its own addressee.

Signatures: a signature is kept when nothing failed and its format, integrity, value, chain to a trusted root and
validity at signing time all passed; an indeterminate verdict because revocation or the qualified status could not
be checked (no CRL, no list of accredited CAs) is acceptable and recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import current_app

from edms.core.blobs import blob_store
from edms.core.filetypes import ALLOWED_TYPES, describe_allowed, detect_content_type
from edms.exchange.models import ExchangeParticipant
from edms.exchange.packets.errors import PacketRejected
from edms.exchange.packets.model import IncomingDocument, IncomingPacket, PacketFile
from edms.exchange.packets.reader import SignatureCheck, verify_packet_signatures
from edms.exchange.queries import local_participants
from edms.signatures.crypto.report import FAILED, PASSED, STATUS_TITLES, VerificationReport
from edms.signatures.trust import trust_data

#: Checks every signer of a kept signature must pass.
REQUIRED_CHECKS = ('format', 'integrity', 'signature_value', 'chain', 'validity_at_signing_time')
_QUOTES = re.compile(r'[«»"\'“”„]')
_SPACES = re.compile(r'\s+')


@dataclass(frozen=True)
class PreparedFile:
    """A file of the document checked for the card: stored in the blob store, of an allowed type."""

    item: PacketFile
    sha256: str
    content_type: str


# --- addressees -------------------------------------------------------------------------------------------------------


def resolve_recipients(
    packet: IncomingPacket, local_ones: list[ExchangeParticipant] | None = None
) -> list[ExchangeParticipant]:
    """The organizations served here that the packet is addressed to; PacketRejected unknown_addressee if none.
    `local_ones`: the active local participants when the caller has read them already."""
    sender = packet.sender.participant_uid
    known = local_participants() if local_ones is None else local_ones
    local = [participant for participant in known if participant.guid != sender]
    by_guid = {participant.guid: participant for participant in local}
    if packet.destinations:
        steps = [[by_guid.get(destination.uid or '') for destination in packet.destinations]]
    else:
        steps = _fallback_steps(packet, local, by_guid)
    for step in steps:
        found = list(dict.fromkeys(participant for participant in step if participant is not None))
        if found:
            return found
    raise PacketRejected('unknown_addressee', _unknown_message(packet))


def _fallback_steps(
    packet: IncomingPacket, local: list[ExchangeParticipant], by_guid: dict[str, ExchangeParticipant]
) -> list[list[ExchangeParticipant | None]]:
    addressees = packet.document.addressees if packet.document else ()
    by_mailbox = {participant.mailbox: participant for participant in local}
    by_name: dict[str, ExchangeParticipant] = {}
    for participant in local:
        for name in (participant.organization.name, participant.organization.short_name):
            by_name.setdefault(normalize_name(name), participant)
    envelope = packet.envelope.addresses if packet.envelope else []
    return [
        [by_guid.get(addressee.participant_uid or '') for addressee in addressees],
        [by_mailbox.get(address.split('~', 1)[0].strip().upper()) for address in envelope],
        [by_name.get(normalize_name(addressee.organization)) for addressee in addressees],
    ]


def normalize_name(name: str | None) -> str:
    """An organization's name for comparison: case, quotes, «ё» and runs of spaces do not matter."""
    text = _QUOTES.sub('', (name or '').casefold().replace('ё', 'е'))
    return _SPACES.sub(' ', text).strip()


def _unknown_message(packet: IncomingPacket) -> str:
    named = [f'{item.organization or "—"} ({item.uid})' for item in packet.destinations]
    if not named and packet.document:
        named = [addressee.organization or '—' for addressee in packet.document.addressees[:5]]
    if not named and packet.envelope:
        named = list(packet.envelope.addresses)
    listed = '; '.join(named) or 'адресат не указан'
    return f'Среди участников обмена, обслуживаемых системой, нет адресата пакета: {listed[:1500]}.'


# --- signatures -------------------------------------------------------------------------------------------------------


def check_signatures(packet: IncomingPacket) -> list[SignatureCheck]:
    """Every signature of the document verified against the trust store as it is now."""
    return verify_packet_signatures(packet, trust_data())


def require_acceptable(checks: list[SignatureCheck]) -> None:
    """PacketRejected signature naming each signature that does not hold and why."""
    refused = [check for check in checks if not acceptable(check.report)]
    if refused:
        described = '; '.join(_refusal(check) for check in refused)
        raise PacketRejected('signature', f'Подпись не прошла проверку: {described}'[:3900])


def acceptable(report: VerificationReport) -> bool:
    if report.verdict == 'invalid' or not report.signers or report.failed_checks():
        return False
    return all(signer.check(code).status == PASSED for signer in report.signers for code in REQUIRED_CHECKS)


def _refusal(check: SignatureCheck) -> str:
    report = check.report
    unpassed = [
        c for c in report.all_checks() if c.status == FAILED or (c.code in REQUIRED_CHECKS and c.status != PASSED)
    ]
    listed = ', '.join(f'«{c.title}» {STATUS_TITLES[c.status]}: {c.detail}' for c in unpassed[:4])
    return f'«{check.signature_name}» к файлу «{check.file_name}» ({report.verdict_title.lower()}; {listed})'


def signature_facts(checks: list[SignatureCheck]) -> list[dict[str, Any]]:
    """What the inbox keeps about each signature: file, signature file, verdict, failed and unchecked checks."""
    return [
        {
            'file': check.file_name,
            'signature': check.signature_name,
            'verdict': check.report.verdict,
            'signer': check.report.signers[0].signer if check.report.signers else '',
            'failed': sorted(check.report.failed_checks()),
            'not_checked': sorted(check.report.not_checked()),
        }
        for check in checks
    ]


# --- files ------------------------------------------------------------------------------------------------------------


def prepare_files(document: IncomingDocument) -> list[PreparedFile]:
    """The main file and the attachments stored and typed; PacketRejected when one may not be a card attachment.
    The files are stored together (`put_many`: one wait for the disk for all of them, not one per file)."""
    store, limit = blob_store(), int(current_app.config['MAX_ATTACHMENT_SIZE'])
    files = document.files
    for item in files:
        if len(item.data) > limit:
            raise PacketRejected(
                'oversize', f'Файл «{item.name}» больше допустимого размера вложения ({limit} байт).', names=[item.name]
            )
    prepared = []
    for item, blob in zip(files, store.put_many([item.data for item in files], limit), strict=True):
        content_type = detect_content_type(blob.path) if blob.size else None
        if content_type is None or content_type not in ALLOWED_TYPES:
            if blob.is_new:
                store.discard(blob.sha256)
            problem = 'пуст' if not blob.size else f'в формате, который система не принимает ({describe_allowed()})'
            raise PacketRejected('unsupported', f'Файл «{item.name}» {problem}.', names=[item.name])
        prepared.append(PreparedFile(item, blob.sha256, content_type))
    return prepared
