"""The classic IEDMS document (versions 2.2–2.6, header/@type «Документ»): requisites in `document`, the files flat
in the packet folder, listed in `files/file` (FORMAT.md §2.3–2.4).

The main file is the first of group «Текст документа» (else the first file); the others are attachments. A file's
`localName` may lack its extension; `signedData/signerInfo/@signature` (2.6) names the detached signature files.
Every file the message names must be in the folder (files_mismatch otherwise).
"""

from __future__ import annotations

from dataclasses import replace

from edms.exchange.packets.common import Message, access_mark_of, invalid, read_party, read_reference, required
from edms.exchange.packets.fileset import FileSet
from edms.exchange.packets.model import (
    Addressee,
    DetachedSignature,
    DocumentReference,
    IncomingDocument,
    PacketFile,
    Signer,
)
from edms.exchange.packets.xmlread import Node, normalize_guid

MAIN_GROUP = 'текст документа'


def read_document(message: Message) -> IncomingDocument:
    """The document of a classic message with its files read from the packet folder."""
    document = required(message.root.child('document'), 'document')
    uid = normalize_guid(document.attr('uid'))
    if uid is None:
        raise invalid('нет идентификатора документа document/@uid или он не является GUID')
    number = document.text('num/number')
    if number is None:
        raise invalid('не указан регистрационный номер документа document/num/number')
    files = [_read_file(node, message.files) for node in message.root.children('files/file')]
    message.files.raise_missing()
    main, attachments = _split_main(files)
    classification = document.text('classification')
    return IncomingDocument(
        uid=uid,
        local_id=document.attr('id'),
        document_kind=document.text('kind') or document.text('type'),
        reg_number=number,
        reg_date=document.date_of('num/date'),
        access_mark=access_mark_of(classification),
        classification=classification,
        summary=document.text('annotation'),
        pages=document.integer('pages'),
        enclosure_pages=document.integer('enclosuresPages'),
        author=None,
        signers=tuple(_signer(node) for node in document.children('signatories/signatory')),
        addressees=tuple(_addressee(node) for node in document.children('addressees/addressee')),
        main_file=main,
        attachments=tuple(attachments),
        urgency=document.text('urgency'),
        instead_of_distributed=document.boolean('insteadOfDistributed'),
        correspondents=tuple(
            party for node in document.children('correspondents/correspondent') if (party := read_party(node))
        ),
        executor=read_party(document.child('executor')),
        links=tuple(_link(node) for node in document.children('links/link')),
        comment=document.text('comment'),
    )


def _signer(node: Node) -> Signer:
    return Signer(
        name=node.text('person'),
        post=node.text('post'),
        organization=node.text('organization'),
        department=node.text('department'),
        signed=node.date_of('signed'),
    )


def _addressee(node: Node) -> Addressee:
    return Addressee(
        organization=node.text('organization'),
        person=node.text('person'),
        post=node.text('post'),
        department=node.text('department'),
        region=node.text('region'),
        participant_uid=normalize_guid(node.attr('uid')),
    )


def _link(node: Node) -> DocumentReference:
    link_type = node.text('linkType')
    target = node.child('document') or node.child('reference')
    reference = read_reference(target, link_type=link_type) or DocumentReference(None, None, link_type=link_type)
    return replace(reference, uid=normalize_guid(node.attr('uid')) or reference.uid)


def _read_file(node: Node, files: FileSet) -> PacketFile:
    local_name = node.attr('localName')
    if local_name is None:
        raise invalid('у файла files/file нет атрибута localName')
    file_type = node.attr('type')
    name, data = files.require(local_name, file_type=file_type)
    signatures = [
        _signature(info, files) for signed in node.children('signedData') for info in signed.children('signerInfo')
    ]
    local_id = node.attr('localId')
    return PacketFile(
        name=name,
        data=data,
        description=node.text('description'),
        order=int(local_id) if local_id and local_id.isascii() and local_id.isdigit() else None,
        pages=node.integer('pages'),
        group=node.text('group'),
        signatures=tuple(signatures),
    )


def _signature(info: Node, files: FileSet) -> DetachedSignature:
    signature_name = info.attr('signature')
    if signature_name is None:
        raise invalid('у подписи signerInfo нет атрибута signature')
    name, data = files.require(signature_name, file_type='sig')
    signer = read_party(info.child('signer'))
    return DetachedSignature(
        file_name=name,
        data=data,
        signer=(signer.person or signer.label) if signer else None,
        signed_at=info.moment('digestTime'),
    )


def _split_main(files: list[PacketFile]) -> tuple[PacketFile | None, list[PacketFile]]:
    if not files:
        return None, []
    main = next((item for item in files if (item.group or '').casefold() == MAIN_GROUP), files[0])
    return main, [item for item in files if item is not main]
