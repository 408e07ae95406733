"""The transport container of МЭДО 2.7 and 2.7.1 (header/@type «Транспортный контейнер», FORMAT.md §3–4).

The message names the zip (`container/body`); the zip (opened by `zipsafe`, no subfolders) holds `passport.xml` in
`http://minsvyaz.ru/container` (2.7) or `urn:IEDMS:CONTAINER` (2.7.1) with the requisites, the authors (organization,
registration number and date with the registration stamp, the signers with their signature files and stamps), the
addressees, the document and the attachments with their own signatures. Every file the passport names must be in the
zip (files_mismatch otherwise); files it does not name are reported in `ContainerInfo.unlisted_files`.
"""

from __future__ import annotations

from edms.exchange.packets.common import (
    PASSPORT_NAMESPACES,
    Message,
    access_mark_of,
    invalid,
    meaningful,
    required,
)
from edms.exchange.packets.errors import PacketRejected
from edms.exchange.packets.fileset import FileSet
from edms.exchange.packets.model import (
    Addressee,
    ContainerInfo,
    DetachedSignature,
    DocumentReference,
    IncomingDocument,
    PacketFile,
    Party,
    Sender,
    Signer,
    Stamp,
)
from edms.exchange.packets.xmlread import Node, normalize_guid, parse_packet_xml
from edms.exchange.packets.zipsafe import open_zip

PASSPORT_NAME = 'passport.xml'


def read_container(message: Message) -> tuple[IncomingDocument, ContainerInfo]:
    """The document of a container message and the container's description."""
    container = required(message.root.child('container'), 'container')
    body = container.text('body')
    if body is None:
        raise invalid('не указано имя архива контейнера container/body')
    found = message.files.get(body, file_type='zip')
    if found is None:
        raise PacketRejected('files_mismatch', f'В пакете нет архива контейнера {body}.', names=[body])
    zip_name, zip_data = found
    signature_file = container.text('signature')
    if signature_file is not None:
        message.files.require(signature_file)
        message.files.raise_missing()
    contents = FileSet(
        open_zip(zip_data, what=f'архив «{zip_name}»', limits=message.limits.zip), where=f'Архив {zip_name}'
    )
    passport_name, passport = _passport(contents, zip_name, message)
    contents.used.add(passport_name)
    document = _read_passport(passport, contents)
    contents.raise_missing()
    info = ContainerInfo(
        body=zip_name,
        uid=normalize_guid(passport.attr('uid')),
        passport_version=passport.attr('version'),
        passport_namespace=passport.ns,
        signature_file=signature_file,
        unlisted_files=tuple(contents.unused()),
    )
    return document, info


def _passport(contents: FileSet, zip_name: str, message: Message) -> tuple[str, Node]:
    name = contents.find(PASSPORT_NAME)
    if name is None:
        xml_names = [item for item in contents if item.lower().endswith('.xml')]
        if len(xml_names) != 1:
            raise PacketRejected(
                'files_mismatch', f'В архиве {zip_name} нет паспорта контейнера {PASSPORT_NAME}.', names=[PASSPORT_NAME]
            )
        name = xml_names[0]
    root = parse_packet_xml(contents.files[name], what=f'Паспорт {name}', max_size=message.limits.max_xml_size)
    passport = Node.root(root)
    if passport.name != 'container' or passport.ns not in PASSPORT_NAMESPACES:
        raise PacketRejected(
            'unsupported',
            f'Паспорт {name} в архиве {zip_name} не распознан: корневой элемент «{passport.name}» в пространстве '
            f'имён «{passport.ns or "без пространства имён"}» не поддерживается.',
        )
    return name, passport


def _read_passport(passport: Node, contents: FileSet) -> IncomingDocument:
    requisites = required(passport.child('requisites'), 'requisites')
    authors = passport.children('authors/author')
    if not authors:
        raise invalid('в паспорте контейнера нет автора authors/author')
    first = authors[0]
    document = required(passport.child('document'), 'document')
    classification = requisites.text('classification')
    kind = requisites.child('documentKind')
    return IncomingDocument(
        uid=normalize_guid(passport.attr('uid')),
        local_id=None,
        document_kind=requisites.text('documentKind'),
        reg_number=first.text('registration/number'),
        reg_date=first.date_of('registration/date'),
        access_mark=access_mark_of(classification),
        classification=classification,
        summary=requisites.text('annotation'),
        pages=document.integer('pagesQuantity'),
        enclosure_pages=document.integer('enclosurePagesQuantity'),
        author=_author(first),
        signers=tuple(_signer(sign, author, contents) for author in authors for sign in author.children('sign')),
        addressees=tuple(_addressee(node) for node in passport.children('addressees/addressee')),
        main_file=_main_file(document, authors, contents),
        attachments=tuple(_attachment(node, contents) for node in passport.children('attachments/attachment')),
        registration_stamp=_stamp(first.child('registration/registrationStamp'), contents),
        document_kind_code=kind.attr('id') if kind is not None else None,
        classification_code=_attr_of(requisites.child('classification'), 'id'),
        place=requisites.text('documentPlace'),
        executor=_executor(first.child('executor')),
        links=tuple(_link(node) for node in requisites.children('links/link')),
    )


def _attr_of(node: Node | None, name: str) -> str | None:
    return node.attr(name) if node is not None else None


def _author(author: Node) -> Sender:
    return Sender(
        organization=author.text('organization/title'),
        participant_uid=None,
        address=meaningful(author.text('organization/address')),
        phone=meaningful(author.text('organization/phone')),
        email=meaningful(author.text('organization/email')),
    )


def _signer(sign: Node, author: Node, contents: FileSet) -> Signer:
    signature = sign.child('documentSignature')
    return Signer(
        name=meaningful(sign.text('person/name')),
        post=meaningful(sign.text('person/post')),
        organization=author.text('organization/title'),
        department=author.text('department') or author.text('department/title'),
        signature_file=_attr_of(signature, 'localName'),
        signature_type=_attr_of(signature, 'type'),
        stamp=_stamp(signature.child('signatureStamp') if signature is not None else None, contents),
        phone=meaningful(sign.text('person/phone')),
        email=meaningful(sign.text('person/email')),
    )


def _stamp(node: Node | None, contents: FileSet) -> Stamp | None:
    if node is None:
        return None
    local_name = node.attr('localName')
    if local_name is None:
        raise invalid(f'у штампа {node.name} нет атрибута localName')
    name, data = contents.require(local_name)
    return Stamp(
        file_name=name,
        data=data,
        page=node.integer('position/page'),
        x=node.decimal('position/topLeft/x'),
        y=node.decimal('position/topLeft/y'),
        width=node.decimal('position/dimension/w'),
        height=node.decimal('position/dimension/h'),
    )


def _main_file(document: Node, authors: list[Node], contents: FileSet) -> PacketFile:
    local_name = document.attr('localName')
    if local_name is None:
        raise invalid('у документа контейнера нет атрибута document/@localName')
    name, data = contents.require(local_name)
    signatures = []
    for sign in (sign for author in authors for sign in author.children('sign')):
        node = sign.child('documentSignature')
        signature_name = _attr_of(node, 'localName')
        if node is None or signature_name is None:
            continue
        file_name, signature = contents.require(signature_name)
        signatures.append(
            DetachedSignature(file_name, signature, meaningful(sign.text('person/name')), node.attr('type'))
        )
    return PacketFile(
        name=name,
        data=data,
        description=document.text('description'),
        pages=document.integer('pagesQuantity'),
        signatures=tuple(signatures),
    )


def _attachment(node: Node, contents: FileSet) -> PacketFile:
    local_name = node.attr('localName')
    if local_name is None:
        raise invalid('у приложения attachment нет атрибута localName')
    name, data = contents.require(local_name)
    signatures = []
    for signature in node.children('signature'):
        signature_name = signature.attr('localName')
        if signature_name is None:
            raise invalid('у подписи приложения attachment/signature нет атрибута localName')
        file_name, signature_data = contents.require(signature_name)
        signatures.append(DetachedSignature(file_name, signature_data, signature_type=signature.attr('type')))
    return PacketFile(
        name=name,
        data=data,
        description=node.text('description'),
        order=node.integer('order'),
        signatures=tuple(signatures),
    )


def _addressee(node: Node) -> Addressee:
    organization = node.child('organization')
    return Addressee(
        organization=node.text('organization/title') or node.text('organization'),
        person=meaningful(node.text('person/name')),
        post=meaningful(node.text('person/post')),
        department=node.text('department'),
        address=meaningful(node.text('organization/address')),
        classifier_id=_attr_of(organization, 'id'),
        participant_uid=normalize_guid(_attr_of(organization, 'uid') or node.attr('uid')),
    )


def _executor(node: Node | None) -> Party | None:
    if node is None:
        return None
    party = Party(
        person=meaningful(node.text('name')),
        post=meaningful(node.text('post')),
        contact=meaningful(node.text('phone')) or meaningful(node.text('email')),
    )
    return party if any(vars(party).values()) else None


def _link(node: Node) -> DocumentReference:
    return DocumentReference(
        number=node.text('registration/number') or node.text('number'),
        date=node.date_of('registration/date') or node.date_of('date'),
        uid=normalize_guid(node.attr('uid')),
        organization=node.text('organization/title') or node.text('organization'),
        link_type=node.attr('type'),
    )
