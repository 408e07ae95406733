"""The hardened XML parser refuses every hazard class of notes/reliability-security-performance.md §1.2."""

from __future__ import annotations

import time

import pytest

from edms.core.xml import UnsafeXml, load_schema, parse_xml, schema_errors

SECRET = '/etc/hostname'


def test_plain_document_parses_with_namespaces() -> None:
    root = parse_xml('<m:a xmlns:m="urn:IEDMS:MESSAGE"><m:b>Текст</m:b></m:a>'.encode())
    assert root.tag == '{urn:IEDMS:MESSAGE}a'
    assert root[0].text == 'Текст'


@pytest.mark.parametrize(
    'payload',
    [
        f'<!DOCTYPE a [<!ENTITY x SYSTEM "file://{SECRET}">]><a>&x;</a>',
        '<!DOCTYPE a [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]><a/>',
        '<!DOCTYPE a SYSTEM "http://127.0.0.1:9/a.dtd"><a/>',
        '<!DOCTYPE a [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><a>&c;</a>',
        '<!doctype a><a/>',
    ],
    ids=['external-entity', 'parameter-entity', 'external-dtd', 'billion-laughs', 'lowercase-doctype'],
)
def test_doctype_and_entities_are_refused_before_parsing(payload: str) -> None:
    started = time.monotonic()
    with pytest.raises(UnsafeXml, match='DOCTYPE'):
        parse_xml(payload.encode(), what='Паспорт контейнера')
    assert time.monotonic() - started < 0.1


def test_xinclude_is_never_processed() -> None:
    root = parse_xml(f'<a xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="{SECRET}"/></a>'.encode())
    assert root[0].tag == '{http://www.w3.org/2001/XInclude}include'
    assert (root.text or '') == ''


def test_deep_nesting_is_refused() -> None:
    payload = '<a>' * 5000 + '</a>' * 5000
    with pytest.raises(UnsafeXml, match='не разбирается как XML'):
        parse_xml(payload.encode())


def test_oversize_is_refused_before_parsing() -> None:
    with pytest.raises(UnsafeXml, match='больше допустимых 100'):
        parse_xml(b'<a>' + b'x' * 200 + b'</a>', max_size=100)


def test_malformed_xml_names_what_was_refused() -> None:
    with pytest.raises(UnsafeXml) as refused:
        parse_xml(b'<a><b></a>', what='Сообщение МЭДО')
    assert refused.value.message.startswith('Сообщение МЭДО отклонён: не разбирается как XML')
    assert 'xml' in refused.value.fields


def test_schema_from_a_local_file_reports_errors_with_lines(tmp_path) -> None:
    xsd = tmp_path / 'a.xsd'
    xsd.write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        '<xs:element name="a"><xs:complexType><xs:sequence>'
        '<xs:element name="b" type="xs:int"/></xs:sequence></xs:complexType></xs:element></xs:schema>',
        encoding='utf-8',
    )
    schema = load_schema(str(xsd))
    assert schema_errors(schema, parse_xml(b'<a><b>1</b></a>')) == []
    errors = schema_errors(schema, parse_xml(b'<a>\n<b>x</b></a>'))
    assert len(errors) == 1
    assert errors[0].startswith('строка 2:')
