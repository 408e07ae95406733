"""The project's own МЭДО test packets, built here (the shared real packets are never copied into the project).

`classic_folder()` is a 2.2/2.6 folder (windows-1251 document.xml, envelope.ini, the files beside it);
`container_packet()` a 2.7.1 packet (message.xml, container.edc.zip with passport.xml, envelope.ltr) — or a 2.7 one
with `generation='2.7'`; `notification_message()` and `acknowledgment_message()` the notices; `zip_folder()` zips a
packet folder as the HTTP transport delivers it. Signatures are made by a `sign(data) -> bytes` callable.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Mapping
from datetime import datetime

from lxml import etree

from edms.exchange.packets.envelope import write_envelope

NS_IEDMS = 'http://www.infpres.com/IEDMS'
NS_MESSAGE = 'urn:IEDMS:MESSAGE'
NS_CONTAINER = 'urn:IEDMS:CONTAINER'
NS_CONTAINER_2_7 = 'http://minsvyaz.ru/container'

HEADER_UID = '9E57088E-00DB-4A67-A4F7-F4B734B39264'
SOURCE_UID = 'BC0BFE52-FDCB-4EE8-9ECD-8FE1ECF2EF22'
DOCUMENT_UID = '113674E4-123C-4845-8DC3-079867133948'
ADDRESSEE_UID = 'e3db2942-8539-4cec-8ba4-ff8a16ec5f20'
CONTAINER_UID = 'da357998-aa9e-4c0e-aa10-0f7ca5e75472'
MESSAGE_UID = '757247eb-9535-4afb-9218-f044419a57ff'
DESTINATION_UID = '1953a86e-e35e-45cc-b031-556ca72c4080'
SENDER = 'Министерство цифрового развития Энской области'
PDF = b'%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'
PNG = b'\x89PNG\r\n\x1a\n' + b'\x00' * 32

Signer = Callable[[bytes], bytes]


def placeholder_signature(data: bytes) -> bytes:
    return b'not a signature of ' + str(len(data)).encode()


def element(parent: etree._Element, ns: str, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    """A child element in `ns` with namespace-qualified attributes, as real МЭДО files write them."""
    node = etree.SubElement(parent, f'{{{ns}}}{name}', {f'{{{ns}}}{key}': value for key, value in attrs.items()})
    if text is not None:
        node.text = text
    return node


def communication(ns: str, message_type: str, *, version: str = '2.2', uid: str = HEADER_UID) -> etree._Element:
    prefix = 'xdms' if ns == NS_IEDMS else 'c'
    root = etree.Element(f'{{{ns}}}communication', {f'{{{ns}}}version': version}, nsmap={prefix: ns})
    header = element(root, ns, 'header', type=message_type, uid=uid, created='2026-03-02T10:15:00+03:00')
    source = element(header, ns, 'source', uid=SOURCE_UID)
    element(source, ns, 'organization', SENDER)
    return root


def to_bytes(root: etree._Element, encoding: str = 'UTF-8') -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding=encoding)


# --- classic 2.2 / 2.6 ------------------------------------------------------------------------------------------------


def classic_document(*, classification: str = 'ДСП', signature_name: str | None = None) -> etree._Element:
    root = communication(NS_IEDMS, 'Документ')
    document = element(root, NS_IEDMS, 'document', uid=DOCUMENT_UID, id='1001')
    element(document, NS_IEDMS, 'kind', 'Письмо')
    num = element(document, NS_IEDMS, 'num')
    element(num, NS_IEDMS, 'number', '12-01/345')
    element(num, NS_IEDMS, 'date', '2026-03-02')
    element(document, NS_IEDMS, 'classification', classification)
    signatory = element(element(document, NS_IEDMS, 'signatories'), NS_IEDMS, 'signatory')
    for name, value in (('organization', SENDER), ('person', 'Иванов И.И.'), ('post', 'Министр')):
        element(signatory, NS_IEDMS, name, value)
    element(signatory, NS_IEDMS, 'signed', '2026-03-02')
    addressee = element(element(document, NS_IEDMS, 'addressees'), NS_IEDMS, 'addressee', uid=ADDRESSEE_UID)
    element(addressee, NS_IEDMS, 'organization', 'Администрация города Энска')
    element(document, NS_IEDMS, 'pages', '2')
    element(document, NS_IEDMS, 'enclosuresPages', '1')
    element(document, NS_IEDMS, 'annotation', 'О проведении совещания по цифровизации')
    files = element(root, NS_IEDMS, 'files')
    letter = element(files, NS_IEDMS, 'file', localName='Письмо', localId='0', type='pdf')
    element(letter, NS_IEDMS, 'group', 'Текст документа')
    element(letter, NS_IEDMS, 'description', 'Письмо о совещании')
    if signature_name:
        info = element(element(letter, NS_IEDMS, 'signedData'), NS_IEDMS, 'signerInfo', signature=signature_name)
        element(info, NS_IEDMS, 'digestTime', '2026-03-02T10:00:00')
        element(element(info, NS_IEDMS, 'signer'), NS_IEDMS, 'person', 'Иванов И.И.')
    annex = element(files, NS_IEDMS, 'file', localName='Приложение.pdf', localId='1', type='pdf')
    element(annex, NS_IEDMS, 'group', 'Текст приложения')
    element(annex, NS_IEDMS, 'description', 'Смета')
    element(annex, NS_IEDMS, 'pages', '1')
    return root


def classic_folder(*, sign: Signer | None = None, classification: str = 'ДСП') -> dict[str, bytes]:
    """A 2.2-style folder: envelope.ini, document.xml in windows-1251, «Письмо.pdf» (named «Письмо» in the XML),
    «Приложение.pdf», and with `sign` a 2.6 signedData signature «Письмо.sig»."""
    signature_name = 'Письмо.sig' if sign else None
    root = classic_document(classification=classification, signature_name=signature_name)
    files = {'document.xml': to_bytes(root, 'windows-1251'), 'Письмо.pdf': PDF, 'Приложение.pdf': PDF + b'annex'}
    if sign:
        files['Письмо.sig'] = sign(PDF)
    files['envelope.ini'] = write_envelope(
        subject='№ 12-01/345 от 02/03/2026 Письмо',
        addresses=['ENSK_S~MEDOGU'],
        files=list(files),
        date=datetime(2026, 3, 2, 10, 15),
    )
    return files


# --- 2.7 / 2.7.1 containers -------------------------------------------------------------------------------------------


def _position(parent: etree._Element, ns: str, page: str, x: str, y: str, w: str, h: str) -> None:
    position = element(parent, ns, 'position')
    element(position, ns, 'page', page)
    top_left = element(position, ns, 'topLeft')
    element(top_left, ns, 'x', x)
    element(top_left, ns, 'y', y)
    dimension = element(position, ns, 'dimension')
    element(dimension, ns, 'w', w)
    element(dimension, ns, 'h', h)


def passport(*, ns: str = NS_CONTAINER, classification: str = 'Обычная информация') -> etree._Element:
    attributes = {f'{{{ns}}}uid': CONTAINER_UID, f'{{{ns}}}version': '2.7.1'}
    root = etree.Element(f'{{{ns}}}container', attributes, nsmap={'c': ns})
    requisites = element(root, ns, 'requisites')
    element(requisites, ns, 'documentKind', 'Письмо', id='DK00000001')
    element(requisites, ns, 'documentPlace', 'г. Энск')
    element(requisites, ns, 'classification', classification, id='DC00000000')
    element(requisites, ns, 'annotation', 'О направлении отчёта о цифровизации')
    author = element(element(root, ns, 'authors'), ns, 'author')
    organization = element(author, ns, 'organization')
    element(organization, ns, 'title', SENDER)
    element(organization, ns, 'address', 'г. Энск, пл. Ленина, д. 1')
    registration = element(author, ns, 'registration')
    element(registration, ns, 'number', '01-02/77')
    element(registration, ns, 'date', '2026-03-03')
    _position(element(registration, ns, 'registrationStamp', localName='reg.png'), ns, '1', '20', '60', '70', '8')
    sign = element(author, ns, 'sign')
    person = element(sign, ns, 'person')
    element(person, ns, 'post', 'Министр')
    element(person, ns, 'name', 'Петров Пётр Петрович')
    signature = element(sign, ns, 'documentSignature', localName='sign1.p7s', type='Утверждающая')
    _position(element(signature, ns, 'signatureStamp', localName='sign1.png'), ns, '2', '67', '56', '80', '28')
    addressee = element(element(root, ns, 'addressees'), ns, 'addressee')
    target = element(addressee, ns, 'organization', id='ORG00000042')
    element(target, ns, 'title', 'Администрация города Энска')
    element(element(addressee, ns, 'person'), ns, 'name', 'МЭДО')
    document = element(root, ns, 'document', localName='letter.pdf')
    element(document, ns, 'pagesQuantity', '2')
    element(document, ns, 'enclosurePagesQuantity', '1')
    element(document, ns, 'description', 'Письмо')
    attachment = element(element(root, ns, 'attachments'), ns, 'attachment', localName='annex.pdf')
    element(attachment, ns, 'order', '0')
    element(attachment, ns, 'description', 'Приложение 1')
    element(attachment, ns, 'signature', localName='annex.p7s')
    return root


def container_zip(
    *,
    sign: Signer = placeholder_signature,
    passport_xml: bytes | None = None,
    entries: Mapping[str, bytes | None] | None = None,
) -> bytes:
    """container.edc.zip; `entries` adds or replaces files (None removes one)."""
    annex = PDF + b'annex'
    files: dict[str, bytes | None] = {
        'passport.xml': passport_xml or to_bytes(passport()),
        'letter.pdf': PDF,
        'sign1.p7s': sign(PDF),
        'reg.png': PNG,
        'sign1.png': PNG,
        'annex.pdf': annex,
        'annex.p7s': sign(annex),
        **(entries or {}),
    }
    return zip_folder({name: data for name, data in files.items() if data is not None})


def container_message(*, ns: str = NS_MESSAGE, version: str = '2.7.1', body: str = 'container.edc.zip') -> bytes:
    root = communication(ns, 'Транспортный контейнер', version=version, uid=MESSAGE_UID)
    element(element(root, ns, 'container'), ns, 'body', body)
    destination = element(element(element(root, ns, 'deliveryIndex'), ns, 'destination'), ns, 'destination')
    destination.set(f'{{{ns}}}uid', DESTINATION_UID)
    element(destination, ns, 'organization', 'Администрация города Энска')
    return to_bytes(root)


def container_packet(
    *, generation: str = '2.7.1', sign: Signer = placeholder_signature, archive: bytes | None = None
) -> dict[str, bytes]:
    """A 2.7.1 packet (message.xml, container.edc.zip, envelope.ltr); `generation='2.7'` gives the 2.7 namespaces."""
    if generation == '2.7':
        message = container_message(ns=NS_IEDMS, version='2.7')
        archive = archive or container_zip(sign=sign, passport_xml=to_bytes(passport(ns=NS_CONTAINER_2_7)))
    else:
        message = container_message()
        archive = archive or container_zip(sign=sign)
    files = {'message.xml': message, 'container.edc.zip': archive}
    files['envelope.ltr'] = write_envelope(
        subject='№ 01-02/77 от 03/03/2026 Письмо', addresses=['ENSK_S~MEDOGU'], files=list(files), date=None
    )
    return files


# --- notices ----------------------------------------------------------------------------------------------------------


def notification_message(
    type_text: str, element_name: str, fill: Callable[[etree._Element, str], None], *, ns: str = NS_IEDMS
) -> bytes:
    """A notification about DOCUMENT_UID with time, foundation and correspondent; `fill(event, ns)` adds the rest."""
    root = communication(ns, 'Уведомление', version='2.6' if ns == NS_IEDMS else '2.7.1')
    notification = element(root, ns, 'notification', type=type_text, uid=DOCUMENT_UID.lower(), id='1001')
    event = element(notification, ns, element_name)
    element(event, ns, 'time', '2026-03-04T09:30:00+03:00')
    foundation = element(event, ns, 'foundation')
    element(foundation, ns, 'organization', 'Администрация города Энска')
    num = element(foundation, ns, 'num')
    element(num, ns, 'number', '12-01/345')
    element(num, ns, 'date', '2026-03-02')
    element(element(event, ns, 'correspondent'), ns, 'organization', SENDER)
    fill(event, ns)
    element(notification, ns, 'comment', 'Комментарий')
    return to_bytes(root)


def acknowledgment_message(*, ns: str = NS_IEDMS, **fields: str) -> bytes:
    """A receipt for MESSAGE_UID; `fields` are child elements (accepted, comment, errorCode…) besides time."""
    root = communication(ns, 'Квитанция', version='2.7.1' if ns == NS_MESSAGE else '2.6')
    attrs = {'uid': fields.pop('uid', MESSAGE_UID.upper())}
    if 'content' in fields:
        attrs['content'] = fields.pop('content')
    acknowledgment = element(root, ns, 'acknowledgment', **attrs)
    element(acknowledgment, ns, 'time', '2026-03-04T09:31:00+03:00')
    element(acknowledgment, ns, 'accepted', fields.pop('accepted', 'true'))
    for name, value in fields.items():
        element(acknowledgment, ns, name, value)
    return to_bytes(root)


# --- zips -------------------------------------------------------------------------------------------------------------


def zip_folder(files: Mapping[str, bytes], *, root: str | None = None) -> bytes:
    """The files zipped (deflated), in the archive root or in the folder `root`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_DEFLATED) as archive:
        if root:
            archive.writestr(zipfile.ZipInfo(f'{root}/'), b'')
        for name, data in files.items():
            archive.writestr(f'{root}/{name}' if root else name, data)
    return buffer.getvalue()


def raw_zip(entries: Mapping[str, bytes]) -> bytes:
    """A zip whose entry names are written exactly as given (no sanitizing), stored uncompressed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_STORED) as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name), data)
    return buffer.getvalue()


def set_general_flag(data: bytes, bit: int) -> bytes:
    """The one-entry zip `data` with `bit` set in the general purpose flags (local header and central directory)."""
    patched = bytearray(data)
    local, central = patched.find(b'PK\x03\x04'), patched.find(b'PK\x01\x02')
    for offset in (local + 6, central + 8):
        patched[offset] |= bit
    return bytes(patched)
