"""The inside of an outgoing 2.7.1 container (`container.edc.zip`): file names, signatures, stamps, the passport.

Files sit in the zip root under ASCII names (as real senders do; the original names go to the passport's
descriptions): `passport.xml`, `document.pdf`, `document_sign<N>.p7s` (one detached CAdES-BES signature per
signer, `sign_detached`: GOST R 34.10-2012 for a GOST key, RSA/ECDSA otherwise), `regnum.png` and `eds_<N>.png`
(the stamps, positions in millimetres), `attachment_<K>.<ext>` with `attachment_<K>_sign<N>.p7s` by every signer.
The passport (urn:IEDMS:CONTAINER, version 2.7.1) follows the real Совет Федерации passport and is validated
against schemas/medo/container-2.7.1.xsd before the zip is written; zip entries carry the local time of creation.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple
from uuid import UUID

from lxml import etree

from edms.core.clock import to_local
from edms.exchange.packets.writer_stamps import registration_stamp_png, signature_stamp_png
from edms.exchange.packets.writer_xml import (
    CONTAINER_XSD,
    NS_CONTAINER,
    VERSION_271,
    Xml,
    collapse,
    ensure_valid,
    to_bytes,
)
from edms.signatures.crypto.cms import sign_detached

if TYPE_CHECKING:
    from edms.exchange.packets.writer import (
        OutgoingDocument,
        PacketFile,
        Participant,
        Signatory,
        SignerMaterial,
        StampPosition,
    )


PASSPORT_NAME = 'passport.xml'
REGISTRATION_STAMP_NAME = 'regnum.png'
#: default boxes (mm): the registration stamp at the top of page 1, signature stamps at the bottom of the last page
REGISTRATION_BOX = (1, 25.0, 60.0, 70.0, 7.0)
SIGNATURE_BOX = (80.0, 28.0)
MAIN_NAME = 'document.pdf'
_EXTENSION = re.compile(r'\.([A-Za-z0-9]{1,10})$')


class _Box(NamedTuple):
    """A stamp's page and box in millimetres (a `StampPosition` or a default)."""

    page: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class ContainerPlan:
    """What goes into one container: the document, the sender and addressees, the signers paired with the
    signatories they sign for (in the document's order), the moment of signing and the container GUID."""

    document: OutgoingDocument
    sender: Participant
    addressees: list[Participant]
    signers: list[tuple[Signatory, SignerMaterial]]
    created: datetime
    document_uid: UUID


def build_container(plan: ContainerPlan) -> dict[str, bytes]:
    """Every file of the container, the passport first; signatures made, stamps drawn, the passport validated."""
    document = plan.document
    files: dict[str, bytes] = {}
    files[MAIN_NAME] = document.main_file.data
    for index, (_, signer) in enumerate(plan.signers, start=1):
        files[f'document_sign{index}.p7s'] = _signature(document.main_file.data, signer, plan.created)
    for number, attachment in enumerate(document.attachments, start=1):
        name = _attachment_name(number, attachment)
        files[name] = attachment.data
        for index, (_, signer) in enumerate(plan.signers, start=1):
            if _signs(signer, attachment.data):
                files[f'attachment_{number}_sign{index}.p7s'] = _signature(attachment.data, signer, plan.created)
    registration = _registration_box(document)
    files[REGISTRATION_STAMP_NAME] = registration_stamp_png(
        collapse(document.reg_number), document.reg_date, registration.width, registration.height
    )
    for index, (_, signer) in enumerate(plan.signers, start=1):
        box = _signature_box(document, signer, index)
        files[f'eds_{index}.png'] = signature_stamp_png(signer.certificate, box.width, box.height)
    passport = build_passport(plan)
    return {PASSPORT_NAME: passport, **files}


def zip_container(files: dict[str, bytes], created: datetime) -> bytes:
    """The zip of the container: every file in the root, deflated, stamped with the local time of `created`."""
    stamp = to_local(created).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def build_passport(plan: ContainerPlan) -> bytes:
    """passport.xml (urn:IEDMS:CONTAINER 2.7.1), validated against our container XSD."""
    xml = Xml(NS_CONTAINER, 'c')
    root = xml.root('container', uid=str(plan.document_uid), version=VERSION_271)
    _requisites(xml, root, plan.document)
    _author(xml, xml.add(xml.add(root, 'authors'), 'author'), plan)
    _addressees(xml, xml.add(root, 'addressees'), plan)
    _document(xml, root, plan.document)
    if plan.document.attachments:
        _attachments(xml, xml.add(root, 'attachments'), plan)
    ensure_valid(root, CONTAINER_XSD, 'passport.xml')
    return to_bytes(root)


# --- passport parts ---------------------------------------------------------------------------------------------------


def _requisites(xml: Xml, root: etree._Element, document: OutgoingDocument) -> None:
    requisites = xml.add(root, 'requisites')
    xml.add(requisites, 'documentKind', collapse(document.kind))
    if document.place and document.place.strip():
        xml.add(requisites, 'documentPlace', collapse(document.place))
    xml.add(requisites, 'classification', collapse(document.access_mark))
    xml.add(requisites, 'annotation', document.annotation.strip())


def _author(xml: Xml, author: etree._Element, plan: ContainerPlan) -> None:
    document = plan.document
    _organization(xml, author, plan.sender.name, plan.sender.postal_address)
    registration = xml.add(author, 'registration')
    xml.add(registration, 'number', collapse(document.reg_number))
    xml.add(registration, 'date', document.reg_date.isoformat())
    stamp = xml.add(registration, 'registrationStamp', localName=REGISTRATION_STAMP_NAME)
    _position(xml, stamp, _registration_box(document))
    for index, (signatory, signer) in enumerate(plan.signers, start=1):
        sign = xml.add(author, 'sign')
        person = xml.add(sign, 'person')
        xml.add(person, 'post', collapse(signatory.post or signer.post))
        xml.add(person, 'name', collapse(signatory.name))
        signature = xml.add(
            sign, 'documentSignature', localName=f'document_sign{index}.p7s', type=collapse(signer.signature_type)
        )
        stamp = xml.add(signature, 'signatureStamp', localName=f'eds_{index}.png')
        _position(xml, stamp, _signature_box(document, signer, index))
    executor = document.executor
    if executor is not None:
        element = xml.add(author, 'executor')
        for name, value in (('post', executor.post), ('name', executor.name), ('phone', executor.phone)):
            xml.add_if(element, name, value and collapse(value))
        xml.add_if(element, 'email', executor.email and collapse(executor.email))


def _organization(
    xml: Xml, parent: etree._Element, title: str, address: str | None, uid: UUID | None = None
) -> etree._Element:
    organization = xml.add(parent, 'organization', id=str(uid) if uid else None)
    xml.add(organization, 'title', collapse(title))
    xml.add_if(organization, 'address', address and collapse(address))
    return organization


def _addressees(xml: Xml, parent: etree._Element, plan: ContainerPlan) -> None:
    """Every addressee of the document; the МЭДО addressees of this packet carry their participant GUID as @id."""
    by_name = {collapse(participant.name).casefold(): participant for participant in plan.addressees}
    titles = [collapse(title) for title in plan.document.addressee_organizations]
    listed = {title.casefold() for title in titles}
    titles += [collapse(p.name) for p in plan.addressees if collapse(p.name).casefold() not in listed]
    for title in titles:
        participant = by_name.get(title.casefold())
        addressee = xml.add(parent, 'addressee')
        if participant is None:
            _organization(xml, addressee, title, None)
        else:
            _organization(xml, addressee, title, participant.postal_address, participant.guid)


def _document(xml: Xml, root: etree._Element, document: OutgoingDocument) -> None:
    element = xml.add(root, 'document', localName=MAIN_NAME)
    xml.add(element, 'pagesQuantity', str(document.pages))
    if document.enclosure_pages is not None:
        xml.add(element, 'enclosurePagesQuantity', str(document.enclosure_pages))
    xml.add(element, 'description', _description(document.main_file))


def _attachments(xml: Xml, parent: etree._Element, plan: ContainerPlan) -> None:
    for number, attachment in enumerate(plan.document.attachments, start=1):
        element = xml.add(parent, 'attachment', localName=_attachment_name(number, attachment))
        xml.add(element, 'order', str(number))
        xml.add(element, 'description', _description(attachment))
        for index, (_, signer) in enumerate(plan.signers, start=1):
            if _signs(signer, attachment.data):
                xml.add(element, 'signature', localName=f'attachment_{number}_sign{index}.p7s')


def _position(xml: Xml, stamp: etree._Element, box: _Box) -> None:
    position = xml.add(stamp, 'position')
    xml.add(position, 'page', str(box.page))
    top_left = xml.add(position, 'topLeft')
    xml.add(top_left, 'x', _mm(box.x))
    xml.add(top_left, 'y', _mm(box.y))
    dimension = xml.add(position, 'dimension')
    xml.add(dimension, 'w', _mm(box.width))
    xml.add(dimension, 'h', _mm(box.height))


# --- helpers ----------------------------------------------------------------------------------------------------------


def _signs(signer: SignerMaterial, data: bytes) -> bool:
    """Whether the container holds the signer's signature of the file: always with a key, else when made before."""
    return signer.key is not None or hashlib.sha256(data).hexdigest() in signer.signatures


def _signature(data: bytes, signer: SignerMaterial, created: datetime) -> bytes:
    if signer.key is None:
        return signer.signatures[hashlib.sha256(data).hexdigest()]
    return sign_detached(data, signer.key, signer.certificate, list(signer.chain), signing_time=created)


def _registration_box(document: OutgoingDocument) -> _Box:
    return _box(document.registration_stamp) or _Box(*REGISTRATION_BOX)


def _signature_box(document: OutgoingDocument, signer: SignerMaterial, index: int) -> _Box:
    """The signer's own box, or the n-th default box: two per row from the bottom of the last page upwards."""
    own = _box(signer.stamp)
    if own is not None:
        return own
    width, height = SIGNATURE_BOX
    column, row = (index - 1) % 2, (index - 1) // 2
    return _Box(document.pages, 20.0 + column * 95.0, max(0.0, 240.0 - row * (height + 4)), width, height)


def _box(position: StampPosition | None) -> _Box | None:
    if position is None:
        return None
    return _Box(position.page, position.x, position.y, position.width, position.height)


def _attachment_name(number: int, attachment: PacketFile) -> str:
    extension = _extension(attachment.name)
    return f'attachment_{number}.{extension}' if extension else f'attachment_{number}'


def _extension(name: str) -> str | None:
    match = _EXTENSION.search(name.strip())
    return match.group(1).lower() if match else None


def _description(item: PacketFile) -> str:
    return collapse(item.description or item.name)


def _mm(value: float) -> str:
    text = f'{round(float(value), 2):.2f}'.rstrip('0').rstrip('.')
    return text or '0'
