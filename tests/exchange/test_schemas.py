"""Our 2.7.1 XSDs (schemas/medo/): the real Совет Федерации message and passport validate, the 2.7 passports of the
Госдума and Минвостокразвития have the same tree, and the limits of the format are constraints of the schemas
(number ≤ 31, annotation ≤ 4000, organization ≤ 511, comment ≤ 2047, no empty or blank elements and attributes,
GUID patterns, dates). The limit tests mutate a minimal valid passport and message of our own, so they run without
the shared conformance data; the real files are read from ../shared and skipped when absent.
"""

from __future__ import annotations

import zipfile

import pytest
from lxml import etree

from edms.core.xml import load_schema, parse_xml, schema_errors
from edms.exchange.packets.writer_xml import CONTAINER_XSD, MESSAGE_XSD, NS_CONTAINER, NS_MESSAGE
from tests.exchange.conftest import REAL_PACKETS, SAMPLES, shared_folder

SOVFED = REAL_PACKETS / 'v2.7.1-sovfed-2023'
NS_CONTAINER_2_7 = 'http://minsvyaz.ru/container'

PASSPORT = f"""<?xml version="1.0" encoding="UTF-8"?>
<c:container xmlns:c="{NS_CONTAINER}" c:uid="da357998-aa9e-4c0e-aa10-0f7ca5e75472" c:version="2.7.1">
<c:requisites><c:documentKind c:id="DK00000035">Письмо</c:documentKind><c:classification>Обычная информация
</c:classification><c:annotation>О направлении сведений</c:annotation></c:requisites>
<c:authors><c:author><c:organization><c:title>Министерство цифрового развития Энской области</c:title></c:organization>
<c:registration><c:number>01-02/345-ИП</c:number><c:date>2026-03-03</c:date>
<c:registrationStamp c:localName="regnum.png"><c:position><c:page>1</c:page><c:topLeft><c:x>25</c:x><c:y>60</c:y>
</c:topLeft><c:dimension><c:w>70</c:w><c:h>7</c:h></c:dimension></c:position></c:registrationStamp></c:registration>
<c:sign><c:person><c:post>Министр</c:post><c:name>Кузнецова Ольга Владимировна</c:name></c:person>
<c:documentSignature c:localName="document_sign1.p7s" c:type="Утверждающая"><c:signatureStamp c:localName="eds_1.png">
<c:position><c:page>1</c:page><c:topLeft><c:x>110</c:x><c:y>244</c:y></c:topLeft><c:dimension><c:w>80</c:w><c:h>28</c:h>
</c:dimension></c:position></c:signatureStamp></c:documentSignature></c:sign></c:author></c:authors>
<c:addressees><c:addressee><c:organization c:id="1953a86e-e35e-45cc-b031-556ca72c4080"><c:title>Правительство Энской
области</c:title></c:organization></c:addressee></c:addressees>
<c:document c:localName="document.pdf"><c:pagesQuantity>1</c:pagesQuantity></c:document>
<c:attachments><c:attachment c:localName="attachment_1.docx"><c:order>1</c:order>
<c:signature c:localName="attachment_1_sign1.p7s"/></c:attachment></c:attachments>
</c:container>""".encode()

MESSAGE = f"""<?xml version="1.0" encoding="UTF-8"?>
<c:communication xmlns:c="{NS_MESSAGE}" c:version="2.7.1">
<c:header c:type="Транспортный контейнер" c:uid="757247eb-9535-4afb-9218-f044419a57ff"
 c:created="2026-03-03T12:35:58+03:00">
<c:source c:uid="b7eaa52a-ea8e-4f6d-9b2b-c774c58f31e5"><c:organization>Министерство цифрового развития</c:organization>
</c:source><c:comment>Пакет из тестов</c:comment></c:header>
<c:container><c:body>container.edc.zip</c:body></c:container>
<c:deliveryIndex><c:destination><c:destination c:uid="1953a86e-e35e-45cc-b031-556ca72c4080">
<c:organization>Правительство Энской области</c:organization></c:destination></c:destination></c:deliveryIndex>
</c:communication>""".encode()


def container_errors(data: bytes) -> list[str]:
    return schema_errors(load_schema(str(CONTAINER_XSD)), parse_xml(data))


def message_errors(data: bytes) -> list[str]:
    return schema_errors(load_schema(str(MESSAGE_XSD)), parse_xml(data))


def mutated(template: bytes, namespace: str, path: str, value: str, attribute: str | None = None) -> bytes:
    """`template` with the text (or the qualified attribute) of the element at `path` (prefix c:) set to `value`."""
    root = etree.fromstring(template)
    [element] = root.xpath(path, namespaces={'c': namespace})
    if attribute is None:
        element.text = value
    else:
        element.set(f'{{{namespace}}}{attribute}', value)
    return etree.tostring(root)


def removed(template: bytes, namespace: str, path: str, attribute: str) -> bytes:
    root = etree.fromstring(template)
    [element] = root.xpath(path, namespaces={'c': namespace})
    del element.attrib[f'{{{namespace}}}{attribute}']
    return etree.tostring(root)


# --- the real packets -----------------------------------------------------------------------------------------------


def test_real_sovfed_message_validates_against_our_message_xsd():
    folder = shared_folder(SOVFED)

    assert message_errors((folder / 'container.xml').read_bytes()) == []


def test_real_sovfed_passport_validates_against_our_container_xsd():
    folder = shared_folder(SOVFED)
    with zipfile.ZipFile(folder / 'container.edc.zip') as archive:
        passport = archive.read('passport.xml')

    assert passport.startswith(b'\xef\xbb\xbf')  # the real file has a BOM: the parser must take it
    assert container_errors(passport) == []


def test_real_2_7_1_receipt_sample_validates_against_our_message_xsd():
    sample = shared_folder(SAMPLES) / 'v2.7.1_sovfed_container_type_kvitanciya_EDITED.xml'

    assert message_errors(sample.read_bytes()) == []


@pytest.mark.parametrize(('packet', 'archive_name'), [('v2.7-gosduma-2023', 'container.edc.zip'),
                                                      ('v2.7-minvostok-2022', 'document.edc.zip')])  # fmt: skip
def test_real_2_7_passports_have_the_same_tree(packet: str, archive_name: str):
    """The 2.7 passports (namespace http://minsvyaz.ru/container) validate once moved into urn:IEDMS:CONTAINER."""
    folder = shared_folder(REAL_PACKETS / packet)
    with zipfile.ZipFile(folder / archive_name) as archive:
        passport = archive.read('passport.xml')

    assert container_errors(passport.replace(NS_CONTAINER_2_7.encode(), NS_CONTAINER.encode())) == []


# --- the limits as constraints --------------------------------------------------------------------------------------


def test_minimal_passport_and_message_of_the_limit_tests_are_valid():
    assert container_errors(PASSPORT) == []
    assert message_errors(MESSAGE) == []


@pytest.mark.parametrize(
    ('path', 'value', 'facet'),
    [
        ('//c:registration/c:number', 'N' * 32, 'maxLength'),
        ('//c:annotation', 'а' * 4001, 'maxLength'),
        ('//c:author/c:organization/c:title', 'О' * 512, 'maxLength'),
        ('//c:addressee/c:organization/c:title', 'О' * 512, 'maxLength'),
        ('//c:documentKind', 'В' * 512, 'maxLength'),
        ('//c:annotation', '', 'minLength'),
        ('//c:annotation', '   \n  ', 'pattern'),
        ('//c:sign/c:person/c:name', '', 'minLength'),
        ('//c:registration/c:number', '   ', 'minLength'),
        ('//c:registration/c:date', '03.03.2026', 'date'),
        ('//c:pagesQuantity', '-1', 'nonNegativeInteger'),
        ('//c:registrationStamp/c:position/c:page', '0', 'positiveInteger'),
    ],
)
def test_passport_limits_are_schema_constraints(path: str, value: str, facet: str):
    errors = container_errors(mutated(PASSPORT, NS_CONTAINER, path, value))

    assert errors, f'{path} = {value[:20]!r} must be refused'
    assert any(facet in error for error in errors), errors


@pytest.mark.parametrize(
    ('path', 'attribute', 'value'),
    [
        ('/c:container', 'uid', 'not-a-guid'),
        ('/c:container', 'uid', ''),
        ('/c:container', 'version', ''),
        ('//c:document', 'localName', ''),
        ('//c:document', 'localName', '../passport.xml'),
        ('//c:documentSignature', 'localName', '  '),
        ('//c:documentSignature', 'type', ''),
        ('//c:addressee/c:organization', 'id', ''),
        ('//c:documentKind', 'id', ''),
    ],
)
def test_passport_attributes_may_not_be_empty_or_malformed(path: str, attribute: str, value: str):
    errors = container_errors(mutated(PASSPORT, NS_CONTAINER, path, value, attribute))

    assert errors, f'{path}/@{attribute} = {value!r} must be refused'


def test_passport_requires_a_qualified_uid():
    errors = container_errors(removed(PASSPORT, NS_CONTAINER, '/c:container', 'uid'))

    assert any("}uid' is required" in error for error in errors), errors


@pytest.mark.parametrize(
    ('path', 'value', 'attribute', 'facet'),
    [
        ('//c:header/c:comment', 'к' * 2048, None, 'maxLength'),
        ('//c:header/c:comment', ' ', None, 'pattern'),
        ('//c:source/c:organization', 'О' * 512, None, 'maxLength'),
        ('//c:destination/c:destination/c:organization', '', None, 'minLength'),
        ('//c:container/c:body', '', None, 'minLength'),
        ('//c:header', 'Письмо', 'type', 'enumeration'),
        ('//c:header', '2026-03-03 12:35', 'created', 'dateTime'),
        ('//c:header', '757247eb-9535-4afb-9218', 'uid', 'pattern'),
        ('//c:source', 'B7EAA52A', 'uid', 'pattern'),
        ('/c:communication', '', 'version', 'minLength'),
    ],
)
def test_message_limits_are_schema_constraints(path: str, value: str, attribute: str | None, facet: str):
    errors = message_errors(mutated(MESSAGE, NS_MESSAGE, path, value, attribute))

    assert errors, f'{path} = {value[:20]!r} must be refused'
    assert any(facet in error for error in errors), errors


def test_message_requires_the_header_uid():
    """The МЭДО gateway refuses a message without header/@uid (error 248): so does our XSD."""
    errors = message_errors(removed(MESSAGE, NS_MESSAGE, '//c:header', 'uid'))

    assert any("}uid' is required" in error for error in errors), errors


def test_guids_in_upper_case_are_valid():
    """Вологда's adapter writes GUIDs in upper case: the pattern takes both cases."""
    data = mutated(MESSAGE, NS_MESSAGE, '//c:header', '757247EB-9535-4AFB-9218-F044419A57FF', 'uid')

    assert message_errors(data) == []
