"""What the readers of every generation share: the namespaces, the limits, the message being read, and the readers
of the common IEDMS types (`anyone`, `documentNumber`, `documentReference`) and of the access mark."""

from __future__ import annotations

import re
from dataclasses import dataclass

from edms.core.xml import MAX_XML_SIZE
from edms.exchange.packets.errors import PacketRejected
from edms.exchange.packets.fileset import FileSet
from edms.exchange.packets.model import AccessMark, DocumentReference, Generation, Party
from edms.exchange.packets.xmlread import Node, normalize_guid
from edms.exchange.packets.zipsafe import DEFAULT_LIMITS, ZipLimits

NS_IEDMS = 'http://www.infpres.com/IEDMS'
NS_MESSAGE = 'urn:IEDMS:MESSAGE'
NS_CONTAINER_2_7 = 'http://minsvyaz.ru/container'
NS_CONTAINER = 'urn:IEDMS:CONTAINER'
MESSAGE_NAMESPACES = (NS_IEDMS, NS_MESSAGE)
PASSPORT_NAMESPACES = (NS_CONTAINER_2_7, NS_CONTAINER)

_RESTRICTED = re.compile(r'дсп|ограниченного\s+распространения|служебного\s+пользования|конфиденциальн', re.IGNORECASE)
_PLACEHOLDERS = {'нет данных'}


@dataclass(frozen=True)
class ReadLimits:
    """Limits of one packet: its files, their total size, each XML file, and the zips (the packet zip and the
    container)."""

    max_files: int = 200
    max_packet_size: int = 256 * 1024 * 1024
    max_xml_size: int = MAX_XML_SIZE
    zip: ZipLimits = DEFAULT_LIMITS


DEFAULT_READ_LIMITS = ReadLimits()


@dataclass(frozen=True)
class Message:
    """The message being read: its root, its file's name, the generation, the packet's files and the limits."""

    root: Node
    message_file: str
    generation: Generation
    files: FileSet
    limits: ReadLimits


def invalid(message: str) -> PacketRejected:
    """A structural violation of the message schema (reason xsd)."""
    return PacketRejected('xsd', f'Сообщение не соответствует схеме МЭДО: {message}.')


def required(node: Node | None, what: str) -> Node:
    if node is None:
        raise invalid(f'нет обязательного элемента {what}')
    return node


def meaningful(value: str | None) -> str | None:
    """None for an absent value and for the placeholder «НЕТ ДАННЫХ» real senders write."""
    return None if value is None or value.strip().casefold() in _PLACEHOLDERS else value


def access_mark_of(classification: str | None) -> AccessMark:
    """restricted for ДСП / «информация ограниченного распространения» / «для служебного пользования»."""
    return AccessMark.RESTRICTED if classification and _RESTRICTED.search(classification) else AccessMark.PUBLIC


def read_party(node: Node | None) -> Party | None:
    """The IEDMS `anyone`: region, organization, person, department, post, contactInfo; None when all are absent."""
    if node is None:
        return None
    party = Party(
        organization=node.text('organization'),
        person=meaningful(node.text('person')),
        post=meaningful(node.text('post')),
        department=node.text('department'),
        region=node.text('region'),
        contact=meaningful(node.text('contactInfo')),
    )
    return party if any(vars(party).values()) else None


def read_reference(node: Node | None, *, link_type: str | None = None) -> DocumentReference | None:
    """A documentReference (or a document with `num`): number and date, whose, and its uid when given."""
    if node is None:
        return None
    return DocumentReference(
        number=node.text('num/number'),
        date=node.date_of('num/date'),
        uid=normalize_guid(node.attr('uid')),
        organization=node.text('organization'),
        person=node.text('person'),
        link_type=link_type,
    )
