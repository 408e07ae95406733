"""build_packet: a 2.7.1 packet signed by the test PKI's RSA and GOST signers, unzipped and checked file by file.

message.xml and passport.xml validate against our XSDs and carry the requisites; every detached signature (the PDF
and each attachment, by each signer) verifies with verify_detached and with `openssl cms -verify` (GOST with the
engine config, skipped without the engine); the stamps are PNGs of their boxes with text drawn; envelope.ltr is
windows-1251 and lists exactly the other files; the reader takes the packet back with every requisite and signature.
Refusals are in test_writer_limits.py.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from lxml import etree

from edms.core.xml import load_schema, parse_xml, schema_errors
from edms.exchange.packets import writer_stamps
from edms.exchange.packets.envelope import read_envelope
from edms.exchange.packets.reader import read_packet, verify_packet_signatures
from edms.exchange.packets.writer import (
    ACCESS_RESTRICTED,
    BuiltPacket,
    Executor,
    OutgoingDocument,
    PacketFile,
    Participant,
    Signatory,
    SignerMaterial,
    StampPosition,
    build_packet,
)
from edms.exchange.packets.writer_stamps import DOTS_PER_MM
from edms.exchange.packets.writer_xml import CONTAINER_XSD, MESSAGE_XSD, NS_CONTAINER, NS_MESSAGE
from edms.signatures.crypto import keys
from edms.signatures.crypto.verify import TrustData, verify_detached
from scripts.make_test_pki import PEOPLE, TestPki
from tests.signatures.openssl_tools import openssl, requires_engine, requires_openssl

CREATED = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
MESSAGE_UID = UUID('58b20a11-7397-4b3e-9c65-c33caf1e4769')
DOCUMENT_UID = UUID('74a2644d-6206-4311-8cce-6ab2c5ea263a')
SENDER = Participant(
    UUID('f052becd-89ea-4a71-826d-1977cf59b346'),
    'Министерство цифрового развития Энской области',
    'MINCIFR_S',
    'г. Энск, ул. Ленина, д. 1',
)
GOVERNMENT = Participant(UUID('a02291b3-250a-472b-be61-0c7eeb7a4646'), 'Правительство Энской области', 'PRAV_S')
CHAMBER = Participant(UUID('1953a86e-e35e-45cc-b031-556ca72c4080'), 'Счётная палата Энской области', 'SP_S~MEDOGU')
PDF = b'%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n' * 40
ATTACHMENT = b'PK\x03\x04 an attachment of the letter' * 50
USERS = ('rsa', 'gost256')


def person(user: str) -> tuple[str, str]:
    surname, names, title, *_ = PEOPLE[user]
    return f'{surname} {names}', title


def signer(pki: TestPki, user: str, **extra: object) -> SignerMaterial:
    name, post = person(user)
    key = keys.load_private_key(pki.users[user].key_der.read_bytes())
    return SignerMaterial(key, pki.user_der(user), pki.chain_ders(user), name, post, **extra)


def document(**changes: object) -> OutgoingDocument:
    values: dict[str, object] = {
        'reg_number': '01-02/345-ИП',
        'reg_date': date(2026, 3, 3),
        'kind': 'Письмо',
        'annotation': 'О направлении сведений о ходе исполнения поручения',
        'pages': 2,
        'main_file': PacketFile('Письмо министерства.pdf', PDF),
        'signatories': tuple(Signatory(*person(user)) for user in USERS),
        'addressee_organizations': ('Правительство Энской области', 'Администрация г. Энска'),
        'attachments': (PacketFile('Приложение 1.docx', ATTACHMENT, 'Сведения об исполнении'),),
        'enclosure_pages': 3,
        'place': 'г. Энск',
        'executor': Executor('Петрова Мария Сергеевна', 'Консультант', '+7 (4012) 00-00-00'),
        'comment': 'Направляется по МЭДО',
        'document_uid': DOCUMENT_UID,
    }
    values.update(changes)
    return OutgoingDocument(**values)


def build(pki: TestPki, doc: OutgoingDocument | None = None, **options: object) -> BuiltPacket:
    arguments: dict[str, object] = {
        'sender': SENDER,
        'addressees': [GOVERNMENT, CHAMBER],
        'signers': [signer(pki, user) for user in USERS],
        'created': CREATED,
        'uid': MESSAGE_UID,
    }
    arguments.update(options)
    return build_packet(doc or document(), **arguments)


@pytest.fixture(scope='module')
def packet(test_pki: TestPki) -> BuiltPacket:
    return build(test_pki)


@pytest.fixture(scope='module')
def container(packet: BuiltPacket) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(packet.files['container.edc.zip'])) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


@pytest.fixture(scope='module')
def passport(container: dict[str, bytes]) -> etree._Element:
    return parse_xml(container['passport.xml'])


def c(path: str) -> str:
    return path.replace('c:', f'{{{NS_CONTAINER}}}')


def trust(pki: TestPki) -> TrustData:
    return TrustData(
        anchors=[pki.ca_der('root'), pki.ca_der('gost_root')],
        crls=pki.crl_ders(),
        accredited=set(pki.accredited_fingerprints),
        now=CREATED + timedelta(minutes=5),
    )


# --- the files --------------------------------------------------------------------------------------------------------


def test_packet_is_message_container_and_envelope(packet: BuiltPacket):
    assert set(packet.files) == {'message.xml', 'container.edc.zip', 'envelope.ltr'}
    assert packet.uid == MESSAGE_UID
    assert packet.document_uid == DOCUMENT_UID


def test_message_is_utf8_2_7_1_and_validates(packet: BuiltPacket):
    data = packet.files['message.xml']
    root = parse_xml(data)
    m = f'{{{NS_MESSAGE}}}'

    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert schema_errors(load_schema(str(MESSAGE_XSD)), root) == []
    assert root.tag == f'{m}communication'
    assert root.get(f'{m}version') == '2.7.1'
    header = root.find(f'{m}header')
    assert header.get(f'{m}type') == 'Транспортный контейнер'
    assert header.get(f'{m}uid') == str(MESSAGE_UID)
    assert header.get(f'{m}created').endswith('+03:00')
    assert header.find(f'{m}source').get(f'{m}uid') == str(SENDER.guid)
    assert header.findtext(f'{m}comment') == 'Направляется по МЭДО'
    assert root.findtext(f'{m}container/{m}body') == 'container.edc.zip'
    destinations = root.findall(f'{m}deliveryIndex/{m}destination/{m}destination')
    assert [d.get(f'{m}uid') for d in destinations] == [str(GOVERNMENT.guid), str(CHAMBER.guid)]


def test_container_holds_every_file_in_its_root(container: dict[str, bytes], packet: BuiltPacket):
    assert list(container) == [
        'passport.xml',
        'document.pdf',
        'document_sign1.p7s',
        'document_sign2.p7s',
        'attachment_1.docx',
        'attachment_1_sign1.p7s',
        'attachment_1_sign2.p7s',
        'regnum.png',
        'eds_1.png',
        'eds_2.png',
    ]
    assert container['document.pdf'] == PDF
    assert container['attachment_1.docx'] == ATTACHMENT
    assert container == packet.container_files


def test_passport_validates_and_names_every_file_of_the_zip(container: dict[str, bytes], passport: etree._Element):
    named = set(passport.xpath('//@c:localName', namespaces={'c': NS_CONTAINER}))

    assert schema_errors(load_schema(str(CONTAINER_XSD)), passport) == []
    assert named == set(container) - {'passport.xml'}


def test_passport_carries_the_requisites(passport: etree._Element):
    text = passport.findtext

    assert passport.get(c('c:uid')) == str(DOCUMENT_UID)
    assert passport.get(c('c:version')) == '2.7.1'
    assert text(c('c:requisites/c:documentKind')) == 'Письмо'
    assert text(c('c:requisites/c:documentPlace')) == 'г. Энск'
    assert text(c('c:requisites/c:classification')) == 'Обычная информация'
    assert text(c('c:requisites/c:annotation')) == 'О направлении сведений о ходе исполнения поручения'
    author = passport.find(c('c:authors/c:author'))
    assert author.findtext(c('c:organization/c:title')) == SENDER.name
    assert author.findtext(c('c:organization/c:address')) == SENDER.postal_address
    assert author.findtext(c('c:registration/c:number')) == '01-02/345-ИП'
    assert author.findtext(c('c:registration/c:date')) == '2026-03-03'
    signs = [(s.findtext(c('c:person/c:name')), s.findtext(c('c:person/c:post'))) for s in author.findall(c('c:sign'))]
    assert signs == [person(user) for user in USERS]
    assert author.findtext(c('c:executor/c:name')) == 'Петрова Мария Сергеевна'
    assert text(c('c:document/c:pagesQuantity')) == '2'
    assert text(c('c:document/c:enclosurePagesQuantity')) == '3'
    assert text(c('c:document/c:description')) == 'Письмо министерства.pdf'
    attachment = passport.find(c('c:attachments/c:attachment'))
    assert attachment.findtext(c('c:order')) == '1'
    assert attachment.findtext(c('c:description')) == 'Сведения об исполнении'


def test_passport_addressees_are_the_document_s_and_the_packet_s(passport: etree._Element):
    """Every addressee of the document is listed; the МЭДО addressees of the packet carry their GUID as @id."""
    organizations = passport.findall(c('c:addressees/c:addressee/c:organization'))
    listed = [(o.findtext(c('c:title')), o.get(c('c:id'))) for o in organizations]

    assert listed == [
        (GOVERNMENT.name, str(GOVERNMENT.guid)),
        ('Администрация г. Энска', None),
        (CHAMBER.name, str(CHAMBER.guid)),
    ]


def test_restricted_access_mark_goes_to_the_classification(test_pki: TestPki):
    built = build(test_pki, document(access_mark=ACCESS_RESTRICTED))
    passport = parse_xml(built.container_files['passport.xml'])

    assert passport.findtext(c('c:requisites/c:classification')) == 'Информация ограниченного распространения'


# --- signatures -------------------------------------------------------------------------------------------------------


def signed_pairs() -> list[tuple[str, str, str]]:
    """(signed file, signature file, user) for every signature of the container."""
    pairs = []
    for index, user in enumerate(USERS, start=1):
        pairs.append(('document.pdf', f'document_sign{index}.p7s', user))
        pairs.append(('attachment_1.docx', f'attachment_1_sign{index}.p7s', user))
    return pairs


def test_every_signature_verifies_and_names_its_signer(test_pki: TestPki, container: dict[str, bytes]):
    pairs = signed_pairs()
    for name, signature, user in pairs:
        report = verify_detached(container[name], container[signature], trust(test_pki))

        assert report.verdict == 'valid', (signature, report.to_dict())
        [signer_report] = report.signers
        assert signer_report.certificate.snils == test_pki.users[user].profile['snils']
        assert signer_report.signing_time == CREATED
    assert len(pairs) == 4


def test_a_signature_does_not_verify_another_file(test_pki: TestPki, container: dict[str, bytes]):
    report = verify_detached(container['attachment_1.docx'], container['document_sign1.p7s'], trust(test_pki))

    assert report.verdict == 'invalid'
    assert 'integrity' in report.failed_checks()


def openssl_verify(pki: TestPki, folder: Path, user: str, data: bytes, signature: bytes) -> int:
    issuer = pki.users[user].issuer
    root = pki.cas[issuer].issuer
    ca_file = folder / f'{user}-ca.pem'
    ca_file.write_text(
        pki.cas[root].cert_pem.read_text() + pki.cas[issuer].crl_pem.read_text() + pki.cas[root].crl_pem.read_text()
    )
    (folder / 'content.bin').write_bytes(data)
    (folder / 'signature.p7s').write_bytes(signature)
    result = openssl(
        'cms', '-verify', '-binary', '-inform', 'DER', '-in', folder / 'signature.p7s', '-content',
        folder / 'content.bin', '-CAfile', ca_file, '-crl_check_all', '-purpose', 'any', '-out', '/dev/null',
        conf=pki.openssl_conf if user.startswith('gost') else None,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode(errors='replace')
    return result.returncode


@pytest.mark.parametrize(
    'user', [pytest.param('rsa', marks=requires_openssl), pytest.param('gost256', marks=requires_engine)]
)
def test_openssl_accepts_the_signatures(test_pki: TestPki, container: dict[str, bytes], tmp_path: Path, user: str):
    checked = [
        openssl_verify(test_pki, tmp_path, user, container[name], container[signature])
        for name, signature, owner in signed_pairs()
        if owner == user
    ]

    assert checked == [0, 0]


# --- stamps -----------------------------------------------------------------------------------------------------------


def decode_png(data: bytes) -> tuple[int, int, bytes]:
    """(width, height, alpha channel) of an RGBA PNG written without filters; every chunk's CRC checked."""
    assert data[:8] == b'\x89PNG\r\n\x1a\n'
    position, chunks = 8, {}
    while position < len(data):
        (length,) = struct.unpack('>I', data[position : position + 4])
        kind, body = data[position + 4 : position + 8], data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack('>I', data[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, kind
        chunks[kind] = chunks.get(kind, b'') + body
        position += 12 + length
    width, height, depth, color = struct.unpack('>IIBB', chunks[b'IHDR'][:10])
    assert (depth, color) == (8, 6)
    assert b'IEND' in chunks
    raw = zlib.decompress(chunks[b'IDAT'])
    assert len(raw) == height * (1 + 4 * width)
    rows = [raw[row * (1 + 4 * width) + 1 : (row + 1) * (1 + 4 * width)] for row in range(height)]
    return width, height, b''.join(row[3::4] for row in rows)


def box(stamp: etree._Element) -> tuple[int, float, float, float, float]:
    position = stamp.find(c('c:position'))
    values = [
        position.findtext(c(path)) for path in ('c:topLeft/c:x', 'c:topLeft/c:y', 'c:dimension/c:w', 'c:dimension/c:h')
    ]
    return (int(position.findtext(c('c:page'))), *map(float, values))


def test_stamps_are_pngs_of_their_boxes_with_text(container: dict[str, bytes], passport: etree._Element):
    stamps = passport.xpath('//c:registrationStamp | //c:signatureStamp', namespaces={'c': NS_CONTAINER})
    for stamp in stamps:
        *_, width_mm, height_mm = box(stamp)
        width, height, alpha = decode_png(container[stamp.get(c('c:localName'))])

        assert (width, height) == (round(width_mm * DOTS_PER_MM), round(height_mm * DOTS_PER_MM))
        inner = [
            alpha[row * width + width // 10 : row * width + width * 9 // 10]
            for row in range(height // 4, height * 3 // 4)
        ]
        assert sum(value > 128 for row in inner for value in row) > width  # glyphs drawn inside, not just a frame
    assert len(stamps) == 3


def test_without_the_font_stamps_are_framed_boxes(monkeypatch: pytest.MonkeyPatch, test_pki: TestPki):
    writer_stamps._signature_stamp.cache_clear()
    monkeypatch.setattr(writer_stamps, '_face', lambda weight: None)
    try:
        registration = decode_png(writer_stamps.registration_stamp_png('1-П', date(2026, 3, 3), 70, 7))
        signature = decode_png(writer_stamps.signature_stamp_png(test_pki.user_der('rsa'), 80, 28))
    finally:
        writer_stamps._signature_stamp.cache_clear()

    for width, height, alpha in (registration, signature):
        assert alpha[0] == alpha[-1] == 255  # the frame's corners
        assert alpha[(height // 2) * width + width // 2] == 0  # nothing inside
        assert sum(value > 0 for value in alpha) < 2 * (width + height) * max(2, height // 30)


def test_default_stamp_positions(passport: etree._Element):
    """The registration stamp at the top of page 1, the signature stamps side by side at the bottom of the last page."""
    [registration] = passport.findall(c('.//c:registrationStamp'))
    signatures = passport.findall(c('.//c:signatureStamp'))

    assert box(registration) == (1, 25.0, 60.0, 70.0, 7.0)
    assert [box(stamp) for stamp in signatures] == [(2, 20.0, 240.0, 80.0, 28.0), (2, 115.0, 240.0, 80.0, 28.0)]


def test_given_stamp_positions_are_kept(test_pki: TestPki):
    doc = document(registration_stamp=StampPosition(1, 12.5, 30, 60, 6))
    signers = [signer(test_pki, 'rsa', stamp=StampPosition(2, 100, 200.25, 70, 25)), signer(test_pki, 'gost256')]
    built = build(test_pki, doc, signers=signers)
    passport = parse_xml(built.container_files['passport.xml'])

    assert box(passport.find(c('.//c:registrationStamp'))) == (1, 12.5, 30.0, 60.0, 6.0)
    assert box(passport.find(c('.//c:signatureStamp'))) == (2, 100.0, 200.25, 70.0, 25.0)
    assert decode_png(built.container_files['eds_1.png'])[:2] == (700, 250)


# --- envelope ---------------------------------------------------------------------------------------------------------


def test_envelope_is_windows_1251_and_lists_exactly_the_files(packet: BuiltPacket):
    data = packet.files['envelope.ltr']
    envelope = read_envelope(data)

    assert 'ТЕМА'.encode('cp1251') in data
    assert '№'.encode('cp1251') in data
    with pytest.raises(UnicodeDecodeError):
        data.decode('utf-8')
    assert envelope.subject == '№ 01-02/345-ИП от 03/03/2026 Письмо'
    assert envelope.addresses == ['PRAV_S~MEDOGU', 'SP_S~MEDOGU']
    assert envelope.files == ['message.xml', 'container.edc.zip']
    assert set(envelope.files) == set(packet.files) - {'envelope.ltr'}


# --- round trip -------------------------------------------------------------------------------------------------------


def test_reader_takes_the_packet_back(test_pki: TestPki, packet: BuiltPacket):
    incoming = read_packet(packet.files)
    doc = incoming.document

    assert (incoming.kind, incoming.generation, incoming.message_uid) == ('container', '2.7.1', str(MESSAGE_UID))
    assert incoming.sender.organization == SENDER.name
    assert incoming.sender.participant_uid == str(SENDER.guid)
    assert (doc.uid, doc.reg_number, doc.reg_date) == (str(DOCUMENT_UID), '01-02/345-ИП', date(2026, 3, 3))
    assert (doc.document_kind, doc.access_mark, doc.summary) == ('Письмо', 'public', document().annotation)
    assert (doc.pages, doc.enclosure_pages) == (2, 3)
    assert [(s.name, s.post) for s in doc.signers] == [person(user) for user in USERS]
    assert [a.organization for a in doc.addressees] == [GOVERNMENT.name, 'Администрация г. Энска', CHAMBER.name]
    assert (doc.main_file.data, doc.main_file.description) == (PDF, 'Письмо министерства.pdf')
    assert [(a.data, a.description) for a in doc.attachments] == [(ATTACHMENT, 'Сведения об исполнении')]
    assert [d.uid for d in incoming.destinations] == [str(GOVERNMENT.guid), str(CHAMBER.guid)]


def test_reader_verifies_every_signature(test_pki: TestPki, packet: BuiltPacket):
    checks = verify_packet_signatures(read_packet(packet.files), trust(test_pki))

    assert sorted((check.file_name, check.signature_name) for check in checks) == sorted(
        (name, signature) for name, signature, _ in signed_pairs()
    )
    assert {check.report.verdict for check in checks} == {'valid'}
