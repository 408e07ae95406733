"""Writing an outgoing МЭДО 2.7.1 packet: the input dataclasses, the limit checks and `build_packet`.

A packet is the files of one folder: `message.xml` (urn:IEDMS:MESSAGE, UTF-8, type «Транспортный контейнер»),
`container.edc.zip` (the passport in urn:IEDMS:CONTAINER, the PDF, one detached CAdES signature per signer, the
stamps, the attachments with their own signatures; see `writer_container`) and `envelope.ltr` (windows-1251, subject
«№ <номер> от ДД/ММ/ГГГГ <вид документа>», addresses «mailbox~MEDOGU», [ФАЙЛЫ] listing the two other files).

Input beyond the limits is refused with a Russian `ValidationFailed` naming each field before anything is signed;
an emitted message or passport that violates our XSDs is `PacketBuildError` (a bug, never sent).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID, uuid4

from edms.core.clock import to_local
from edms.exchange.packets.envelope import envelope_subject, write_envelope
from edms.exchange.packets.writer_container import ContainerPlan, build_container, zip_container
from edms.exchange.packets.writer_xml import (
    MAX_COMMENT,
    MAX_FILE_NAME,
    MESSAGE_XSD,
    NS_MESSAGE,
    VERSION_271,
    Checks,
    Xml,
    collapse,
    ensure_valid,
    moment,
    require_aware,
    to_bytes,
)
from edms.signatures.crypto.keys import PrivateKey

MESSAGE_NAME = 'message.xml'
CONTAINER_NAME = 'container.edc.zip'
ENVELOPE_NAME = 'envelope.ltr'
#: the МЭДО server part of an envelope address («mailbox~MEDOGU»)
MEDO_SERVER = 'MEDOGU'
ACCESS_GENERAL = 'Обычная информация'
ACCESS_RESTRICTED = 'Информация ограниченного распространения'
SIGNATURE_APPROVING = 'Утверждающая'
MAX_PAGES = 100_000
MAX_ATTACHMENTS = 999
#: a stamp box lies on a sheet up to A0 and is at most 200 mm wide or high
MAX_MILLIMETRES = 1189
MAX_STAMP_SIZE = 200


@dataclass(frozen=True)
class Participant:
    """An МЭДО participant: its GUID, organization name, МЭДО mailbox («ASF_S» or «ASF_S~MEDOGU») and, for the
    passport, an optional postal address."""

    guid: UUID
    name: str
    medo_address: str
    postal_address: str | None = None

    @property
    def envelope_address(self) -> str:
        address = self.medo_address.strip()
        return address if '~' in address else f'{address}~{MEDO_SERVER}'


@dataclass(frozen=True)
class PacketFile:
    """A file of the document: its original name (kept as the passport's description), bytes, optional description
    (used instead of the name)."""

    name: str
    data: bytes = field(repr=False)
    description: str | None = None


@dataclass(frozen=True)
class Signatory:
    """A person who signed the document, as the registration card names them."""

    name: str
    post: str


@dataclass(frozen=True)
class StampPosition:
    """Where a stamp is drawn: the page (from 1) and the box's top left corner and size, in millimetres."""

    page: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Executor:
    """The executor (исполнитель) named in the passport."""

    name: str
    post: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class OutgoingDocument:
    """The requisites of a registered outgoing document and its files.

    `signatories` are the persons who signed it (each needs a `SignerMaterial` of the same name);
    `addressee_organizations` are every addressee of the document (the МЭДО addressees of this packet are added when
    missing); `document_uid` is the container GUID the addressees' notifications refer to (keep it per document;
    a new one is made when None); stamp positions default to the registration stamp at the top of page 1 and the
    signature stamps at the bottom of the last page.
    """

    reg_number: str
    reg_date: date
    kind: str
    annotation: str
    pages: int
    main_file: PacketFile
    signatories: tuple[Signatory, ...]
    addressee_organizations: tuple[str, ...] = ()
    access_mark: str = ACCESS_GENERAL
    attachments: tuple[PacketFile, ...] = ()
    enclosure_pages: int | None = None
    place: str | None = None
    executor: Executor | None = None
    comment: str | None = None
    document_uid: UUID | None = None
    registration_stamp: StampPosition | None = None


@dataclass(frozen=True)
class SignerMaterial:
    """A signer's key and certificate (DER) with the chain to embed, their name and post; the signature kind of
    the passport («Утверждающая», «Визирующая», «Заверяющая») and where their stamp goes.

    Without a key the signer's detached signatures were made before (a registered document signed in the card):
    `signatures` maps the sha256 (hex) of each signed file to its CMS signature; the main file must be among them,
    an attachment the signer did not sign goes without their signature."""

    key: PrivateKey | None = field(repr=False)
    certificate: bytes = field(repr=False)
    chain: Sequence[bytes] = field(repr=False)
    name: str
    post: str
    signature_type: str = SIGNATURE_APPROVING
    stamp: StampPosition | None = None
    signatures: Mapping[str, bytes] = field(repr=False, default_factory=dict)


@dataclass(frozen=True)
class BuiltPacket:
    """The packet's files (name → bytes), the message GUID (header/@uid, acknowledged by receipts), the document
    GUID (container/@uid, referred to by notifications) and the files inside the container."""

    files: dict[str, bytes] = field(repr=False)
    uid: UUID
    document_uid: UUID
    container_files: dict[str, bytes] = field(repr=False, default_factory=dict)


def build_packet(
    document: OutgoingDocument,
    *,
    sender: Participant,
    addressees: list[Participant],
    signers: list[SignerMaterial],
    created: datetime,
    uid: UUID | None = None,
) -> BuiltPacket:
    """The 2.7.1 packet of `document` from `sender` to `addressees`, signed by `signers` at `created` (aware).

    ValidationFailed (Russian, per field) when the input breaks a limit; PacketBuildError when what was built does
    not validate against our XSDs.
    """
    require_aware(created)
    check_packet(document, sender=sender, addressees=addressees, signers=signers)
    message_uid, document_uid = uid or uuid4(), document.document_uid or uuid4()
    plan = ContainerPlan(document, sender, addressees, _pair_signers(document, signers), created, document_uid)
    container_files = build_container(plan)
    message = build_message(sender, addressees, message_uid, created, document.comment)
    envelope = write_envelope(
        subject=envelope_subject(collapse(document.reg_number), document.reg_date, collapse(document.kind)),
        addresses=[participant.envelope_address for participant in addressees],
        files=[MESSAGE_NAME, CONTAINER_NAME],
        date=to_local(created).replace(tzinfo=None),
    )
    files = {MESSAGE_NAME: message, CONTAINER_NAME: zip_container(container_files, created), ENVELOPE_NAME: envelope}
    return BuiltPacket(files=files, uid=message_uid, document_uid=document_uid, container_files=container_files)


def build_message(
    sender: Participant, addressees: list[Participant], uid: UUID, created: datetime, comment: str | None
) -> bytes:
    """message.xml of a transport container: header, container/body, deliveryIndex with every addressee."""
    xml = Xml(NS_MESSAGE, 'c')
    root = xml.root('communication', version=VERSION_271)
    header = xml.add(root, 'header', type='Транспортный контейнер', uid=str(uid), created=moment(created))
    source = xml.add(header, 'source', uid=str(sender.guid))
    xml.add(source, 'organization', collapse(sender.name))
    if comment and comment.strip():
        xml.add(header, 'comment', comment.strip())
    container = xml.add(root, 'container')
    xml.add(container, 'body', CONTAINER_NAME)
    index = xml.add(root, 'deliveryIndex')
    for addressee in addressees:
        destination = xml.add(xml.add(index, 'destination'), 'destination', uid=str(addressee.guid))
        xml.add(destination, 'organization', collapse(addressee.name))
    ensure_valid(root, MESSAGE_XSD, 'message.xml')
    return to_bytes(root)


def _pair_signers(document: OutgoingDocument, signers: list[SignerMaterial]) -> list[tuple[Signatory, SignerMaterial]]:
    by_name = {_person_key(signer.name): signer for signer in signers}
    return [(signatory, by_name[_person_key(signatory.name)]) for signatory in document.signatories]


def _person_key(name: str) -> str:
    return collapse(name).casefold().replace('ё', 'е')


# --- the limits -------------------------------------------------------------------------------------------------------


def check_packet(
    document: OutgoingDocument,
    *,
    sender: Participant,
    addressees: list[Participant],
    signers: list[SignerMaterial],
) -> None:
    """ValidationFailed naming every field of the input that breaks a limit of the format; nothing else."""
    checks = Checks()
    _check_requisites(checks, document)
    _check_files(checks, document)
    check_participant(checks, 'sender', 'Отправитель', sender)
    checks.rule('addressees', bool(addressees), '«Адресаты»: укажите хотя бы одного адресата МЭДО.')
    for index, addressee in enumerate(addressees):
        check_participant(checks, f'addressees.{index}', 'Адресат', addressee)
    guids = [addressee.guid for addressee in addressees]
    checks.rule('addressees', len(set(guids)) == len(guids), '«Адресаты»: один адресат указан дважды.')
    for index, organization in enumerate(document.addressee_organizations):
        checks.line(f'addressee_organizations.{index}', 'Организация адресата', organization)
    _check_signers(checks, document, signers)
    checks.done()


def _check_requisites(checks: Checks, document: OutgoingDocument) -> None:
    checks.number('reg_number', 'Регистрационный номер', document.reg_number)
    checks.line('kind', 'Вид документа', document.kind)
    checks.line('access_mark', 'Гриф доступа', document.access_mark)
    checks.text('annotation', 'Краткое содержание', document.annotation)
    checks.line('place', 'Место издания', document.place, required=False)
    checks.text('comment', 'Комментарий', document.comment, MAX_COMMENT, required=False)
    checks.rule('pages', 1 <= document.pages <= MAX_PAGES, f'«Листов»: от 1 до {MAX_PAGES}.')
    enclosure = document.enclosure_pages
    enclosure_ok = enclosure is None or 0 <= enclosure <= MAX_PAGES
    checks.rule('enclosure_pages', enclosure_ok, f'«Листов приложений»: от 0 до {MAX_PAGES}.')
    if document.executor is not None:
        checks.line('executor', 'Исполнитель', document.executor.name)
        checks.line('executor_post', 'Должность исполнителя', document.executor.post, required=False)
        checks.line('executor_phone', 'Телефон исполнителя', document.executor.phone, MAX_FILE_NAME, required=False)
        checks.line('executor_email', 'Эл. почта исполнителя', document.executor.email, MAX_FILE_NAME, required=False)
    _check_stamp(checks, 'registration_stamp', 'Штамп регистрации', document.registration_stamp, document.pages)


def _check_files(checks: Checks, document: OutgoingDocument) -> None:
    main = document.main_file
    checks.line('main_file', 'Файл документа', main.name, MAX_FILE_NAME)
    checks.line('main_file', 'Описание файла документа', main.description, required=False)
    checks.rule('main_file', main.data.startswith(b'%PDF-'), '«Файл документа»: должен быть в формате PDF.')
    checks.rule(
        'attachments',
        len(document.attachments) <= MAX_ATTACHMENTS,
        f'«Приложения»: не больше {MAX_ATTACHMENTS} файлов.',
    )
    for index, attachment in enumerate(document.attachments):
        checks.line(f'attachments.{index}', 'Файл приложения', attachment.name, MAX_FILE_NAME)
        checks.line(f'attachments.{index}', 'Описание приложения', attachment.description, required=False)
        checks.rule(f'attachments.{index}', bool(attachment.data), f'«Файл приложения»: файл «{attachment.name}» пуст.')


def check_participant(checks: Checks, field_name: str, title: str, participant: Participant) -> None:
    """The organization name, the МЭДО mailbox (plain, windows-1251) and the optional postal address."""
    checks.line(field_name, f'{title}: организация', participant.name)
    checks.line(f'{field_name}.medo_address', f'{title}: адрес МЭДО', participant.medo_address, MAX_FILE_NAME)
    address = participant.medo_address or ''
    plain = address.strip() and not any(char.isspace() or char in '=[];' for char in address.strip())
    checks.rule(
        f'{field_name}.medo_address',
        bool(plain) and _cp1251(address),
        f'«{title}: адрес МЭДО»: почтовый ящик вида ASF_S или ASF_S~MEDOGU без пробелов.',
    )
    checks.line(f'{field_name}.postal_address', f'{title}: почтовый адрес', participant.postal_address, required=False)


def _check_signers(checks: Checks, document: OutgoingDocument, signers: list[SignerMaterial]) -> None:
    checks.rule('signatories', bool(document.signatories), '«Подписавшие»: укажите хотя бы одного подписавшего.')
    for index, person in enumerate(document.signatories):
        checks.line(f'signatories.{index}', 'Подписавший', person.name)
        checks.line(f'signatories.{index}.post', 'Должность подписавшего', person.post)
    for index, signer in enumerate(signers):
        checks.line(f'signers.{index}', 'Подписант', signer.name)
        checks.line(f'signers.{index}.post', 'Должность подписанта', signer.post)
        checks.line(f'signers.{index}.signature_type', 'Вид подписи', signer.signature_type, 127)
        _check_stamp(checks, f'signers.{index}.stamp', 'Штамп подписи', signer.stamp, document.pages)
    wanted = {_person_key(person.name): person.name for person in document.signatories if person.name}
    given = {_person_key(signer.name): signer.name for signer in signers if signer.name}
    unsigned = [name for key, name in wanted.items() if key not in given]
    strangers = [name for key, name in given.items() if key not in wanted]
    checks.rule('signers', not unsigned, f'«Подписи»: нет электронной подписи подписавшего: {", ".join(unsigned)}.')
    checks.rule('signers', not strangers, f'«Подписи»: подписант не указан среди подписавших: {", ".join(strangers)}.')
    checks.rule('signers', len(given) == len(signers), '«Подписи»: один подписант указан дважды.')
    main = hashlib.sha256(document.main_file.data).hexdigest()
    unsigned_main = [signer.name for signer in signers if signer.key is None and main not in signer.signatures]
    checks.rule(
        'signers',
        not unsigned_main,
        f'«Подписи»: нет подписи файла документа подписантом: {", ".join(unsigned_main)}.',
    )


def _check_stamp(checks: Checks, field_name: str, title: str, stamp: StampPosition | None, pages: int) -> None:
    if stamp is None:
        return
    inside = 1 <= stamp.page <= max(1, pages)
    checks.rule(field_name, inside, f'«{title}»: страница {stamp.page} вне документа (листов: {pages}).')
    placed = 0 <= stamp.x <= MAX_MILLIMETRES and 0 <= stamp.y <= MAX_MILLIMETRES
    sized = 0 < stamp.width <= MAX_STAMP_SIZE and 0 < stamp.height <= MAX_STAMP_SIZE
    checks.rule(field_name, placed, f'«{title}»: положение в миллиметрах от 0 до {MAX_MILLIMETRES}.')
    checks.rule(field_name, sized, f'«{title}»: ширина и высота больше 0 и не больше {MAX_STAMP_SIZE} мм.')


def _cp1251(value: str) -> bool:
    try:
        value.encode('cp1251')
    except UnicodeEncodeError:
        return False
    return True
