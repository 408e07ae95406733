"""Interagency requests and answers as СМЭВ 3 messages: what the system emits validates against the СМЭВ 3
message-exchange types 1.3 XSD (from ../shared/conformance, skipped when absent) and against our payload XSD, reads
back to the same message, and a malformed or hostile message is refused with a message saying why."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from edms.citizen_services.interagency_xml import (
    PAYLOAD_SCHEMA,
    Agency,
    AnswerField,
    AnswerMessage,
    InteragencyXmlInvalid,
    RequestMessage,
    build_answer,
    build_request,
    new_message_id,
    read_answer,
    read_request,
)
from edms.core.xml import UnsafeXml, load_schema, parse_xml, schema_errors

SMEV_TYPES = Path(__file__).resolve().parents[2] / '..' / 'shared' / 'conformance' / 'smev3' / 'xsd'
SMEV_XSD = SMEV_TYPES / 'smev-message-exchange-types-1.3.xsd'


def request_message() -> RequestMessage:
    return RequestMessage(
        message_id=new_message_id(),
        requester=Agency('Министерство цифрового развития', '1027700132195', '7707083893'),
        responder=Agency('Управление ФНС'),
        service_code='legal_entity_cabinet',
        service_title='Регистрация кабинета юридического лица',
        application_number='З-2026-000001',
        legal_basis='ст. 7, 7.2 Федерального закона от 27.07.2010 № 210-ФЗ',
        data_kind='egrul',
        requested_data='Сведения о юридическом лице из ЕГРЮЛ',
        subject={'ogrn': '1027700132195', 'inn': '7707083893'},
        official_name='Исполнителев Пётр Андреевич',
        official_position='Главный специалист',
        request_date=date(2026, 3, 2),
        due_date=date(2026, 3, 10),
    )


def answer_message(to: str) -> AnswerMessage:
    return AnswerMessage(
        message_id=new_message_id(),
        to=to,
        responder=Agency('Управление ФНС'),
        official_name='Автоматический ответ из ЕГРЮЛ',
        answer_date=date(2026, 3, 3),
        text='Сведения из ЕГРЮЛ',
        fields=(AnswerField('organization.ogrn', 'ОГРН', '1027700132195'),),
    )


def rejection(to: str, code: str = 'NO_DATA') -> AnswerMessage:
    return AnswerMessage(new_message_id(), to, rejection_code=code, rejection_reason='Сведений нет.')


def smev_schema() -> etree.XMLSchema:
    if not SMEV_XSD.exists():
        pytest.skip(f'СМЭВ 3 schemas are absent ({SMEV_XSD}): the conformance check needs ../shared')
    return load_schema(str(SMEV_XSD))


def test_the_request_is_a_valid_smev3_send_request_with_our_valid_payload() -> None:
    xml = build_request(request_message())
    root = parse_xml(xml)
    assert schema_errors(smev_schema(), root) == []
    payload = root.find('.//{*}MessagePrimaryContent')[0]
    assert schema_errors(load_schema(str(PAYLOAD_SCHEMA)), payload) == []
    assert root.find('{*}SenderProvidedRequestData').get('Id')


def test_the_answer_and_the_rejection_are_valid_smev3_send_responses() -> None:
    to = new_message_id()
    for message in (answer_message(to), rejection(to)):
        root = parse_xml(build_answer(message))
        assert schema_errors(smev_schema(), root) == []
    payload = parse_xml(build_answer(answer_message(to))).find('.//{*}MessagePrimaryContent')[0]
    assert schema_errors(load_schema(str(PAYLOAD_SCHEMA)), payload) == []


def test_a_schema_check_catches_a_broken_message() -> None:
    """The conformance check itself is not vacuous: a request without its MessageID fails the СМЭВ XSD."""
    root = parse_xml(build_request(request_message()))
    data = root.find('{*}SenderProvidedRequestData')
    data.remove(data.find('{*}MessageID'))
    assert schema_errors(smev_schema(), root)


def test_request_answer_and_rejection_read_back_to_the_same_message() -> None:
    message = request_message()
    assert read_request(build_request(message)) == message
    answer = answer_message(message.message_id)
    assert read_answer(build_answer(answer)) == answer
    refused = rejection(message.message_id, 'ACCESS_DENIED')
    assert read_answer(build_answer(refused)) == refused


def test_message_ids_are_lowercase_version_1_uuids() -> None:
    value = new_message_id()
    assert value == value.lower()
    assert value[14] == '1'
    assert value != new_message_id()


HOSTILE = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "boom">]><r>&x;</r>',
    b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "file:///etc/passwd"><r/>',
)


@pytest.mark.parametrize('xml', HOSTILE)
def test_an_answer_with_a_dtd_or_entity_is_refused_before_parsing(xml: bytes) -> None:
    with pytest.raises(UnsafeXml) as error:
        read_answer(xml)
    assert 'DOCTYPE' in error.value.message


def test_a_malformed_answer_is_refused_with_the_reason() -> None:
    with pytest.raises(UnsafeXml) as error:
        read_answer(b'<SendResponseRequest><unclosed>')
    assert 'не разбирается как XML' in error.value.message


def test_an_answer_of_another_shape_is_refused() -> None:
    with pytest.raises(InteragencyXmlInvalid) as error:
        read_answer(build_request(request_message()))
    assert 'SendResponseRequest' in error.value.message


def test_an_unknown_rejection_code_is_refused() -> None:
    xml = build_answer(rejection(new_message_id())).replace(b'NO_DATA', b'WHATEVER')
    with pytest.raises(InteragencyXmlInvalid) as error:
        read_answer(xml)
    assert 'перечня СМЭВ' in error.value.message


def test_a_message_id_that_is_not_a_uuid_is_refused() -> None:
    message = request_message()
    xml = build_request(message).replace(message.message_id.encode(), b'not-a-uuid')
    with pytest.raises(InteragencyXmlInvalid) as error:
        read_request(xml)
    assert 'MessageID' in error.value.message


def test_a_payload_against_our_schema_is_refused() -> None:
    xml = build_request(request_message()).replace(b'kind="egrul"', b'kind="EGRUL!"')
    with pytest.raises(InteragencyXmlInvalid) as error:
        read_request(xml)
    assert 'не соответствует схеме' in error.value.message


def test_an_answer_whose_payload_names_another_request_is_refused() -> None:
    answer = answer_message(new_message_id())
    xml = build_answer(answer).replace(f'<smev:To>{answer.to}'.encode(), f'<smev:To>{new_message_id()}'.encode())
    with pytest.raises(InteragencyXmlInvalid) as error:
        read_answer(xml)
    assert 'RequestMessageID' in error.value.message
