"""Reading a МЭДО packet of any generation into an `IncomingPacket`, and verifying its signatures.

`read_packet(files)` takes the files of a packet folder by name; `read_packet_zip(data)` takes that folder as a zip
(what the HTTP transport delivers; opened by `zipsafe`, a single top folder tolerated). Steps: the limits of the
packet, the envelope (when present) and its [ФАЙЛЫ] against the files, the message XML (the one the envelope lists
first, else a known name, else any *.xml whose root is an IEDMS `communication`), then dispatch on the namespace and
`header/@type` — never on the version string — to the classic document, container, notification or receipt reader.
Every refusal is `PacketRejected`; anything unexpected is wrapped as `unsupported` with its detail.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import NamedTuple

from edms.exchange.packets import notices_read, reader_classic, reader_container
from edms.exchange.packets.common import (
    DEFAULT_READ_LIMITS,
    MESSAGE_NAMESPACES,
    NS_MESSAGE,
    Message,
    ReadLimits,
    invalid,
    required,
)
from edms.exchange.packets.envelope import Envelope, check_envelope_files, find_envelope, read_envelope
from edms.exchange.packets.errors import PacketRejected
from edms.exchange.packets.fileset import FileSet
from edms.exchange.packets.model import (
    Generation,
    IncomingDocument,
    IncomingPacket,
    PacketKind,
    Participant,
    Sender,
)
from edms.exchange.packets.xmlread import Node, normalize_guid, parse_datetime, parse_packet_xml
from edms.exchange.packets.zipsafe import open_zip
from edms.signatures.crypto.report import VerificationReport
from edms.signatures.crypto.verify import TrustData, verify_detached

logger = logging.getLogger(__name__)

#: names the message XML carries in the wild, in order of preference
MESSAGE_NAMES = (
    'message.xml',
    'container.xml',
    'passport.xml',
    'document.xml',
    'communication.xml',
    'notification.xml',
    'acknowledgment.xml',
)
#: header/@type (case- and space-insensitive) -> kind; a type starting with «квитанция» is a receipt too
MESSAGE_TYPES = {
    'документ': PacketKind.DOCUMENT,
    'транспортный контейнер': PacketKind.CONTAINER,
    'уведомление': PacketKind.NOTIFICATION,
    'квитанция': PacketKind.ACKNOWLEDGMENT,
}
_SPACES = re.compile(r'\s+')


class SignatureCheck(NamedTuple):
    """One detached signature checked: the signed file's name, the signature file's name and the report."""

    file_name: str
    signature_name: str
    report: VerificationReport


def read_packet(files: Mapping[str, bytes], *, limits: ReadLimits = DEFAULT_READ_LIMITS) -> IncomingPacket:
    """The packet whose folder holds `files` (name -> bytes); PacketRejected when it cannot be accepted."""
    try:
        return _read(files, limits)
    except PacketRejected:
        raise
    except Exception as error:
        logger.exception('unexpected error while reading a packet')
        detail = f'{type(error).__name__}: {error}'[:300]
        raise PacketRejected('unsupported', f'Пакет не удалось прочитать: {detail}.') from None


def read_packet_zip(data: bytes, *, limits: ReadLimits = DEFAULT_READ_LIMITS) -> IncomingPacket:
    """The packet delivered as a zip of its folder (files in the root or in one top folder)."""
    try:
        files = open_zip(data, what='архив пакета', limits=limits.zip, strip_root_folder=True)
    except PacketRejected:
        raise
    except Exception as error:
        logger.exception('unexpected error while opening a packet zip')
        raise PacketRejected('unsupported', f'Архив пакета не удалось открыть: {type(error).__name__}.') from None
    return read_packet(files, limits=limits)


def verify_packet_signatures(packet: IncomingPacket, trust: TrustData) -> list[SignatureCheck]:
    """Every detached signature of the packet's document checked against the exact bytes of the file it signs."""
    if packet.document is None:
        return []
    return [
        SignatureCheck(item.name, signature.file_name, verify_detached(item.data, signature.data, trust))
        for item, signature in packet.document.signatures
    ]


def _read(files: Mapping[str, bytes], limits: ReadLimits) -> IncomingPacket:
    _check_packet_files(files, limits)
    envelope_name = find_envelope(files)
    envelope = None
    if envelope_name is not None:
        envelope = read_envelope(files[envelope_name])
        check_envelope_files(envelope, files)
    fileset = FileSet({name: data for name, data in files.items() if name != envelope_name}, where='Пакет')
    message_file, root = _find_message(fileset, envelope, limits)
    fileset.used.add(message_file)
    return _dispatch(root, message_file, fileset, envelope, limits)


def _check_packet_files(files: Mapping[str, bytes], limits: ReadLimits) -> None:
    if not files:
        raise PacketRejected('unsupported', 'Пакет пуст: в нём нет ни одного файла.')
    if len(files) > limits.max_files:
        raise PacketRejected('oversize', f'В пакете {len(files)} файлов, допустимо не больше {limits.max_files}.')
    total = sum(len(data) for data in files.values())
    if total > limits.max_packet_size:
        raise PacketRejected('oversize', f'Пакет занимает {total} байт, допустимо {limits.max_packet_size}.')
    for name in files:
        if not name or name in {'.', '..'} or any(char in name for char in '/\\\x00'):
            raise PacketRejected('zip_path', f'Недопустимое имя файла в пакете: «{name[:200]}».', names=[name])


def _message_candidates(fileset: FileSet, envelope: Envelope | None) -> list[str]:
    xml_names = [name for name in fileset if name.lower().endswith('.xml')]
    listed = [real for name in (envelope.files if envelope else []) if (real := fileset.find(name)) in xml_names]
    known = [real for name in MESSAGE_NAMES if (real := fileset.find(name)) in xml_names]
    ordered = [*listed, *known, *sorted(xml_names)]
    return list(dict.fromkeys(ordered))


def _find_message(fileset: FileSet, envelope: Envelope | None, limits: ReadLimits) -> tuple[str, Node]:
    candidates = _message_candidates(fileset, envelope)
    if not candidates:
        raise PacketRejected('unsupported', 'В пакете нет XML-файла сообщения.')
    refusal: PacketRejected | None = None  # the first candidate's, raised when no candidate is a message
    for name in candidates:
        try:
            root = Node.root(parse_packet_xml(fileset.files[name], what=f'Файл {name}', max_size=limits.max_xml_size))
        except PacketRejected as error:
            refusal = refusal or error
            continue
        if root.name == 'communication' and root.ns in MESSAGE_NAMESPACES:
            return name, root
        refusal = refusal or PacketRejected(
            'unsupported',
            f'Файл {name} не является сообщением МЭДО: корневой элемент «{root.name}» '
            f'в пространстве имён «{root.ns or "без пространства имён"}» не поддерживается.',
        )
    raise refusal or PacketRejected('unsupported', 'В пакете нет XML-файла сообщения.')


def _kind_of(message_type: str) -> PacketKind:
    normalized = _SPACES.sub(' ', message_type).strip().casefold()
    kind = MESSAGE_TYPES.get(normalized)
    if kind is None and normalized.startswith('квитанция'):
        kind = PacketKind.ACKNOWLEDGMENT
    if kind is None:
        raise PacketRejected('unsupported', f'Тип сообщения «{message_type[:100]}» не поддерживается.')
    return kind


def _generation(root: Node, kind: PacketKind) -> Generation:
    if root.ns == NS_MESSAGE:
        return Generation.V2_7_1
    return Generation.V2_7 if kind is PacketKind.CONTAINER else Generation.CLASSIC


def _dispatch(
    root: Node, message_file: str, fileset: FileSet, envelope: Envelope | None, limits: ReadLimits
) -> IncomingPacket:
    header = required(root.child('header'), 'header')
    message_type = header.attr('type')
    if message_type is None:
        raise invalid('не указан тип сообщения header/@type')
    kind = _kind_of(message_type)
    message_uid = normalize_guid(header.attr('uid'))
    if message_uid is None:
        raise invalid('нет идентификатора сообщения header/@uid или он не является GUID')
    source = required(header.child('source'), 'header/source')
    packet = IncomingPacket(
        kind=kind,
        generation=_generation(root, kind),
        version=root.attr('version'),
        message_type=message_type,
        message_uid=message_uid,
        created=parse_datetime(header.attr('created')),
        sender=Sender(
            organization=source.text('organization'),
            participant_uid=normalize_guid(source.attr('uid')),
            comment=source.text('comment'),
        ),
        message_file=message_file,
        envelope=envelope,
        destinations=_destinations(root),
        comment=header.text('comment'),
    )
    message = Message(root, message_file, packet.generation, fileset, limits)
    return _read_body(packet, message)


def _read_body(packet: IncomingPacket, message: Message) -> IncomingPacket:
    if packet.kind is PacketKind.DOCUMENT:
        return replace(packet, document=reader_classic.read_document(message))
    if packet.kind is PacketKind.CONTAINER:
        document, container = reader_container.read_container(message)
        return replace(packet, document=document, container=container, sender=_with_author(packet.sender, document))
    if packet.kind is PacketKind.NOTIFICATION:
        return replace(packet, notification=notices_read.read_notification(message.root))
    return replace(packet, acknowledgment=notices_read.read_acknowledgment(message.root, packet.message_uid))


def _with_author(sender: Sender, document: IncomingDocument) -> Sender:
    author = document.author
    if author is None:
        return sender
    return replace(
        sender,
        organization=sender.organization or author.organization,
        address=author.address,
        phone=author.phone,
        email=author.email,
    )


def _destinations(root: Node) -> tuple[Participant, ...]:
    found = []
    for destination in root.children('deliveryIndex/destination'):
        partner = destination.child('destination')
        if partner is not None:
            found.append(Participant(partner.text('organization'), normalize_guid(partner.attr('uid'))))
    return tuple(found)
