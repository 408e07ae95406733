"""The neutral result of reading a МЭДО packet of any generation: plain frozen dataclasses, no XML, no database.

`IncomingPacket` is what the readers return. Its `kind` says what the message carries: a classic `document`
(2.2–2.6, files beside the XML), a transport `container` (2.7 / 2.7.1, files in the *.edc.zip), a `notification`
about a document sent earlier, or an `acknowledgment` (a receipt, including the МЭДО gateway's error receipts).
Documents and containers both fill `document` (the requisites, the files and their detached signatures); the names
follow DOMAIN.md (`reg_number`, `reg_date`, `document_kind`, `access_mark`, `summary`). GUIDs are lower case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from edms.exchange.packets.envelope import Envelope


class PacketKind(StrEnum):
    DOCUMENT = 'document'
    CONTAINER = 'container'
    NOTIFICATION = 'notification'
    ACKNOWLEDGMENT = 'acknowledgment'


class Generation(StrEnum):
    """The format generation, told by the namespaces (never by the unreliable version attribute)."""

    CLASSIC = 'classic'  # http://www.infpres.com/IEDMS without a container: 2.2–2.6 (and 2.7 notices)
    V2_7 = '2.7'  # a container message in http://www.infpres.com/IEDMS, passport in http://minsvyaz.ru/container
    V2_7_1 = '2.7.1'  # message in urn:IEDMS:MESSAGE, passport in urn:IEDMS:CONTAINER


class AccessMark(StrEnum):
    PUBLIC = 'public'
    RESTRICTED = 'restricted'  # ДСП, «информация ограниченного распространения»


class NotificationEvent(StrEnum):
    """notification/@type (the Russian text in `NOTIFICATION_TYPES`) and its event element."""

    REGISTERED = 'registered'  # Зарегистрирован / documentAccepted
    REFUSED = 'refused'  # Отказано в регистрации / documentRefused
    EXECUTOR_ASSIGNED = 'executor_assigned'  # Назначен исполнитель / executorAssigned
    REPORT_PREPARED = 'report_prepared'  # Доклад подготовлен / reportPrepared
    REPORT_SENT = 'report_sent'  # Доклад направлен / reportSent
    COURSE_CHANGED = 'course_changed'  # Исполнение / courseChanged
    PUBLISHED = 'published'  # Опубликование / documentPublished


#: event -> (notification/@type, the event element's local name)
NOTIFICATION_TYPES: dict[NotificationEvent, tuple[str, str]] = {
    NotificationEvent.REGISTERED: ('Зарегистрирован', 'documentAccepted'),
    NotificationEvent.REFUSED: ('Отказано в регистрации', 'documentRefused'),
    NotificationEvent.EXECUTOR_ASSIGNED: ('Назначен исполнитель', 'executorAssigned'),
    NotificationEvent.REPORT_PREPARED: ('Доклад подготовлен', 'reportPrepared'),
    NotificationEvent.REPORT_SENT: ('Доклад направлен', 'reportSent'),
    NotificationEvent.COURSE_CHANGED: ('Исполнение', 'courseChanged'),
    NotificationEvent.PUBLISHED: ('Опубликование', 'documentPublished'),
}


@dataclass(frozen=True)
class Participant:
    """An МЭДО participant (communicationPartner): the organization and its participant GUID."""

    organization: str | None
    uid: str | None = None


@dataclass(frozen=True)
class Sender:
    """Who sent the packet: header/source (organization, participant GUID, comment) completed, for containers,
    from the passport's first author (postal address, phone, e-mail)."""

    organization: str | None
    participant_uid: str | None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class Party:
    """The IEDMS `anyone` (a signatory, addressee, correspondent, executor…): any of its parts may be absent."""

    organization: str | None = None
    person: str | None = None
    post: str | None = None
    department: str | None = None
    region: str | None = None
    contact: str | None = None

    @property
    def label(self) -> str:
        return ', '.join(part for part in (self.person, self.post, self.department, self.organization) if part)


@dataclass(frozen=True)
class Stamp:
    """A PNG stamp placed on the PDF: page (from 1), top-left corner and size in millimetres."""

    file_name: str
    data: bytes
    page: int | None
    x: float | None
    y: float | None
    width: float | None
    height: float | None


@dataclass(frozen=True)
class DetachedSignature:
    """A detached CMS signature file of one packet file; `signer` is the signer's name when the message names it."""

    file_name: str
    data: bytes
    signer: str | None = None
    signature_type: str | None = None  # Утверждающая | Визирующая | Заверяющая (containers)
    signed_at: datetime | None = None  # signerInfo/digestTime (classic 2.6)


@dataclass(frozen=True)
class PacketFile:
    """The main file or an attachment: its name in the packet (or container), bytes and detached signatures."""

    name: str
    data: bytes
    description: str | None = None
    order: int | None = None
    pages: int | None = None
    group: str | None = None  # classic fileGroup: Текст документа | Текст приложения | Данные
    signatures: tuple[DetachedSignature, ...] = ()

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class Signer:
    """A person who signed the document: name, position, organization, the date signed (classic) or the signature
    file, its type and the signature stamp (containers)."""

    name: str | None
    post: str | None
    organization: str | None = None
    department: str | None = None
    signed: date | None = None
    signature_file: str | None = None
    signature_type: str | None = None
    stamp: Stamp | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Addressee:
    """An addressee of the document; `participant_uid` (classic addressee/@uid) or `classifier_id` (2.7.1
    organization/@id) identify it for routing when present."""

    organization: str | None
    person: str | None = None
    post: str | None = None
    department: str | None = None
    region: str | None = None
    address: str | None = None
    participant_uid: str | None = None
    classifier_id: str | None = None


@dataclass(frozen=True)
class DocumentReference:
    """A reference to a document: its uid when known, number and date, and whose it is."""

    number: str | None
    date: date | None
    uid: str | None = None
    organization: str | None = None
    person: str | None = None
    link_type: str | None = None  # В ответ на | Во исполнение | … (document links)


@dataclass(frozen=True)
class IncomingDocument:
    """The document of a classic message or of a container passport, with its requisites and files."""

    uid: str | None
    local_id: str | None
    document_kind: str | None
    reg_number: str | None
    reg_date: date | None
    access_mark: AccessMark
    classification: str | None
    summary: str | None
    pages: int | None
    enclosure_pages: int | None
    author: Sender | None
    signers: tuple[Signer, ...]
    addressees: tuple[Addressee, ...]
    main_file: PacketFile | None
    attachments: tuple[PacketFile, ...]
    registration_stamp: Stamp | None = None
    document_kind_code: str | None = None
    classification_code: str | None = None
    place: str | None = None
    urgency: str | None = None
    instead_of_distributed: bool | None = None
    correspondents: tuple[Party, ...] = ()
    executor: Party | None = None
    links: tuple[DocumentReference, ...] = ()
    comment: str | None = None

    @property
    def files(self) -> tuple[PacketFile, ...]:
        return ((self.main_file,) if self.main_file else ()) + self.attachments

    @property
    def signatures(self) -> tuple[tuple[PacketFile, DetachedSignature], ...]:
        return tuple((item, signature) for item in self.files for signature in item.signatures)


@dataclass(frozen=True)
class IncomingNotification:
    """A notification about a document sent earlier (refers to it by `document_uid` and `foundation`).

    `reg_number`/`reg_date` are the number and date the notifying organization gave: its registration (registered) or
    the publication (published)."""

    event: NotificationEvent
    type: str
    document_uid: str | None
    time: datetime | None
    foundation: DocumentReference | None
    document_local_id: str | None = None
    message_uid: str | None = None
    correspondent: Party | None = None
    reg_number: str | None = None
    reg_date: date | None = None
    reason: str | None = None
    secretary: Party | None = None
    manager: Party | None = None
    executor: Party | None = None
    signatory: Party | None = None
    report: DocumentReference | None = None
    course_text: str | None = None
    reference: DocumentReference | None = None
    publication_point: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class FileHash:
    name: str
    code: str


@dataclass(frozen=True)
class IncomingAcknowledgment:
    """A receipt for the message `acknowledged_uid` (a header/@uid). `accepted` is None when the receipt carries no
    acknowledgment element (then the header names the acknowledged message). Gateway error receipts carry
    `error_code` and `error_file`."""

    acknowledged_uid: str | None
    accepted: bool | None
    time: datetime | None = None
    content: str | None = None
    comment: str | None = None
    error_code: int | None = None
    error_file: str | None = None
    hash_algorithm: str | None = None
    hashes: tuple[FileHash, ...] = ()

    @property
    def is_gateway_error(self) -> bool:
        return self.error_code is not None or self.content == 'MEDOErrorAcknowledgment'


@dataclass(frozen=True)
class ContainerInfo:
    """The transport container of a 2.7 / 2.7.1 packet: the zip's name, the passport's uid, version and namespace,
    the optional container signature, and the zip's files the passport does not mention."""

    body: str
    uid: str | None
    passport_version: str | None
    passport_namespace: str
    signature_file: str | None = None
    unlisted_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class IncomingPacket:
    """A packet as read. `message_type` is header/@type as written, `version` the version attribute as written."""

    kind: PacketKind
    generation: Generation
    version: str | None
    message_type: str
    message_uid: str
    created: datetime | None
    sender: Sender
    message_file: str
    envelope: Envelope | None = None
    destinations: tuple[Participant, ...] = ()
    document: IncomingDocument | None = None
    container: ContainerInfo | None = None
    notification: IncomingNotification | None = None
    acknowledgment: IncomingAcknowledgment | None = None
    comment: str | None = None
