"""Receipts and the seven notifications: each validates against the public IEDMS 2.6 XSD (classic form; skipped when
the conformance folder is absent) and against our 2.7.1 message XSD (2.7.1 form), carries `foundation`, the event's
own elements and an envelope; inputs beyond the limits are refused in Russian; the refusal reasons and notification
types are exactly the 2.6 XSD's; the run-time 2.6 check uses the configured file; the reader reads every notice back.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID

import pytest
from lxml import etree

from edms.core.errors import ValidationFailed
from edms.core.xml import load_schema, parse_xml, schema_errors
from edms.exchange.packets import notices
from edms.exchange.packets.envelope import read_envelope
from edms.exchange.packets.notices import (
    NOTIFICATION_TYPES,
    REFUSAL_REASONS,
    BuiltNotice,
    CourseChanged,
    DocumentRef,
    ExecutorAssigned,
    NoticeEvent,
    NoticeSubject,
    Official,
    Published,
    Refused,
    Registered,
    ReportPrepared,
    ReportSent,
    build_notification,
    build_receipt,
)
from edms.exchange.packets.reader import read_packet
from edms.exchange.packets.writer import Participant
from edms.exchange.packets.writer_xml import MESSAGE_XSD, NS_CLASSIC, NS_MESSAGE, PacketBuildError
from tests.exchange.conftest import SAMPLES

IEDMS26_XSD = SAMPLES / 'iedms-xsd' / 'IEDMS.xsd'
XSD = 'http://www.w3.org/2001/XMLSchema'
NOW = datetime(2026, 3, 4, 9, 30, 15, tzinfo=UTC)
MESSAGE_UID = UUID('ae67e0f1-870f-4835-b4c1-93df6cd70038')
GOVERNMENT = Participant(UUID('a02291b3-250a-472b-be61-0c7eeb7a4646'), 'Правительство Энской области', 'PRAV_S')
MINISTRY = Participant(UUID('f052becd-89ea-4a71-826d-1977cf59b346'), 'Министерство цифрового развития', 'MINCIFR_S')
SUBJECT = NoticeSubject(
    document_uid=UUID('74a2644d-6206-4311-8cce-6ab2c5ea263a'),
    foundation=DocumentRef('01-02/345-ИП', date(2026, 3, 3), 'Министерство цифрового развития', 'Кузнецова О.В.'),
    message_uid=UUID('58b20a11-7397-4b3e-9c65-c33caf1e4769'),
    local_id='7133948',
)
EVENTS: dict[str, NoticeEvent] = {
    'documentAccepted': Registered('123-П', date(2026, 3, 4)),
    'documentRefused': Refused('Документ неверно адресован'),
    'executorAssigned': ExecutorAssigned(
        Official('Петров Петр Петрович', 'Помощник'),
        Official('Сидоров Сергей Сергеевич', 'Начальник управления'),
        Official('Кузнецов Кирилл Кириллович', 'Консультант', 'Отдел связи', 'Правительство Энской области'),
    ),
    'reportPrepared': ReportPrepared(Official('Сидоров Сергей Сергеевич', 'Начальник управления'), date(2026, 3, 10)),
    'reportSent': ReportSent(DocumentRef('555-ИСХ', date(2026, 3, 11), 'Правительство Энской области')),
    'courseChanged': CourseChanged('Поручение поставлено на контроль', DocumentRef('12-р', date(2026, 3, 5))),
    'documentPublished': Published('15', NOW, 'Официальный интернет-портал правовой информации'),
}


def iedms26() -> etree.XMLSchema:
    if not IEDMS26_XSD.is_file():
        pytest.skip(f'no public IEDMS 2.6 XSD at {IEDMS26_XSD}')
    return load_schema(str(IEDMS26_XSD))


def notify(event: NoticeEvent, version: str = '2.6', **options: object) -> BuiltNotice:
    arguments: dict[str, object] = {
        'sender': GOVERNMENT,
        'to': MINISTRY,
        'subject': SUBJECT,
        'time': NOW,
        'created': NOW,
        'uid': MESSAGE_UID,
        'version': version,
    }
    arguments.update(options)
    return build_notification(event, **arguments)


def receipt(version: str = '2.6', **options: object) -> BuiltNotice:
    arguments: dict[str, object] = {
        'sender': MINISTRY,
        'to': GOVERNMENT,
        'acknowledged_uid': SUBJECT.message_uid,
        'received': NOW,
        'created': NOW,
        'uid': MESSAGE_UID,
        'version': version,
    }
    arguments.update(options)
    return build_receipt(**arguments)


def q(namespace: str, path: str) -> str:
    return path.replace('x:', f'{{{namespace}}}')


# --- notifications --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize('element', list(EVENTS))
def test_classic_notification_validates_against_iedms_2_6(element: str):
    schema = iedms26()
    notice = notify(EVENTS[element], comment='Сообщаем о ходе работы с документом')
    root = parse_xml(notice.xml)

    assert schema_errors(schema, root) == []
    assert notice.xml_name == 'notification.xml'
    assert root.get(q(NS_CLASSIC, 'x:version')) == '2.6'
    assert root.find(q(NS_CLASSIC, 'x:header')).get(q(NS_CLASSIC, 'x:type')) == 'Уведомление'
    notification = root.find(q(NS_CLASSIC, 'x:notification'))
    assert notification.get(q(NS_CLASSIC, 'x:type')) == EVENTS[element].type_name
    assert notification.get(q(NS_CLASSIC, 'x:uid')) == str(SUBJECT.document_uid)
    assert notification.get(q(NS_CLASSIC, 'x:mid')) == str(SUBJECT.message_uid)
    assert notification.get(q(NS_CLASSIC, 'x:id')) == '7133948'
    body = notification.find(q(NS_CLASSIC, f'x:{element}'))
    assert body.findtext(q(NS_CLASSIC, 'x:foundation/x:num/x:number')) == '01-02/345-ИП'
    assert body.findtext(q(NS_CLASSIC, 'x:foundation/x:num/x:date')) == '2026-03-03'
    assert body.findtext(q(NS_CLASSIC, 'x:time')) == '2026-03-04T12:30:15+03:00'
    assert body.find(q(NS_CLASSIC, 'x:correspondent')).get(q(NS_CLASSIC, 'x:uid')) == str(GOVERNMENT.guid)


def test_2_7_notification_is_classic_with_its_version():
    schema = iedms26()
    notice = notify(EVENTS['reportSent'], version='2.7')
    root = parse_xml(notice.xml)

    assert schema_errors(schema, root) == []
    assert root.tag == q(NS_CLASSIC, 'x:communication')
    assert root.get(q(NS_CLASSIC, 'x:version')) == '2.7'


@pytest.mark.parametrize('element', list(EVENTS))
def test_2_7_1_notification_validates_against_our_message_xsd(element: str):
    notice = notify(EVENTS[element], version='2.7.1')
    root = parse_xml(notice.xml)

    assert schema_errors(load_schema(str(MESSAGE_XSD)), root) == []
    assert notice.xml_name == 'message.xml'
    assert root.tag == q(NS_MESSAGE, 'x:communication')
    assert root.get(q(NS_MESSAGE, 'x:version')) == '2.7.1'
    assert root.find(q(NS_MESSAGE, f'x:notification/x:{element}/x:foundation')) is not None
    destination = root.find(q(NS_MESSAGE, 'x:deliveryIndex/x:destination/x:destination'))
    assert destination.get(q(NS_MESSAGE, 'x:uid')) == str(MINISTRY.guid)


def test_event_elements_carry_their_values():
    def body(element: str) -> etree._Element:
        return parse_xml(notify(EVENTS[element]).xml).find(q(NS_CLASSIC, f'x:notification/x:{element}'))

    assert body('documentAccepted').findtext(q(NS_CLASSIC, 'x:num/x:number')) == '123-П'
    assert body('documentAccepted').findtext(q(NS_CLASSIC, 'x:num/x:date')) == '2026-03-04'
    assert body('documentRefused').findtext(q(NS_CLASSIC, 'x:reason')) == 'Документ неверно адресован'
    assigned = body('executorAssigned')
    assert assigned.findtext(q(NS_CLASSIC, 'x:secretary/x:person')) == 'Петров Петр Петрович'
    assert assigned.findtext(q(NS_CLASSIC, 'x:manager/x:post')) == 'Начальник управления'
    assert assigned.findtext(q(NS_CLASSIC, 'x:executor/x:department')) == 'Отдел связи'
    assert body('reportPrepared').findtext(q(NS_CLASSIC, 'x:signatory/x:signed')) == '2026-03-10'
    assert body('reportSent').findtext(q(NS_CLASSIC, 'x:report/x:num/x:number')) == '555-ИСХ'
    assert body('courseChanged').findtext(q(NS_CLASSIC, 'x:courseText')) == 'Поручение поставлено на контроль'
    published = body('documentPublished')
    assert published.findtext(q(NS_CLASSIC, 'x:num/x:date')) == '2026-03-04T12:30:15+03:00'
    assert published.findtext(q(NS_CLASSIC, 'x:publicationPoint')).startswith('Официальный интернет-портал')


def test_notification_envelope_is_windows_1251_and_lists_the_xml():
    notice = notify(EVENTS['documentAccepted'])
    envelope = read_envelope(notice.files['envelope.ltr'])

    assert set(notice.files) == {'notification.xml', 'envelope.ltr'}
    assert envelope.files == ['notification.xml']
    assert envelope.addresses == ['MINCIFR_S~MEDOGU']
    assert envelope.subject == 'Уведомление «Зарегистрирован» на № 01-02/345-ИП от 03/03/2026'
    assert 'Уведомление'.encode('cp1251') in notice.files['envelope.ltr']
    assert envelope.flags['ДОСТАВЛЕНО'] is True


# --- receipts -------------------------------------------------------------------------------------------------------


def test_receipt_validates_against_iedms_2_6():
    schema = iedms26()
    notice = receipt(comment='Сообщение доставлено', content='Документ № 01-02/345-ИП от 03.03.2026')
    root = parse_xml(notice.xml)
    acknowledgment = root.find(q(NS_CLASSIC, 'x:acknowledgment'))

    assert schema_errors(schema, root) == []
    assert notice.xml_name == 'acknowledgment.xml'
    assert root.find(q(NS_CLASSIC, 'x:header')).get(q(NS_CLASSIC, 'x:type')) == 'Квитанция'
    assert acknowledgment.get(q(NS_CLASSIC, 'x:uid')) == str(SUBJECT.message_uid)
    assert acknowledgment.findtext(q(NS_CLASSIC, 'x:accepted')) == 'true'
    assert acknowledgment.findtext(q(NS_CLASSIC, 'x:comment')) == 'Сообщение доставлено'


def test_negative_receipt_with_hash_codes_validates_in_both_forms():
    schema = iedms26()
    options = {'accepted': False, 'comment': 'Подпись не прошла проверку', 'hash_codes': {'message.xml': bytes(32)}}
    classic, modern = receipt(**options), receipt('2.7.1', **options)

    assert schema_errors(schema, parse_xml(classic.xml)) == []
    assert schema_errors(load_schema(str(MESSAGE_XSD)), parse_xml(modern.xml)) == []
    assert parse_xml(modern.xml).findtext(q(NS_MESSAGE, 'x:acknowledgment/x:accepted')) == 'false'
    assert parse_xml(modern.xml).findtext(q(NS_MESSAGE, 'x:acknowledgment/x:hashCodes/x:item/x:code')) == '00' * 32


def test_receipt_envelope_asks_for_no_receipts():
    envelope = read_envelope(receipt().files['envelope.ltr'])

    assert envelope.files == ['acknowledgment.xml']
    assert envelope.flags['ДОСТАВЛЕНО'] is False
    assert envelope.flags['ПРОЧТЕНО'] is False


# --- the lists ------------------------------------------------------------------------------------------------------


def enumeration(name: str) -> list[str]:
    tree = etree.parse(str(IEDMS26_XSD))
    return tree.xpath(f'//x:simpleType[@name="{name}"]//x:enumeration/@value', namespaces={'x': XSD})


def test_refusal_reasons_are_the_iedms_2_6_list():
    iedms26()

    assert list(REFUSAL_REASONS) == enumeration('reasonForRejection')
    assert len(REFUSAL_REASONS) == 28


def test_notification_types_are_the_iedms_2_6_list():
    iedms26()

    assert list(NOTIFICATION_TYPES) == enumeration('notificationType')


# --- refusals -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ('event', 'options', 'field', 'message'),
    [
        (Refused('Не понравился'), {}, 'reason', '«Причина отказа»: выберите причину из перечня МЭДО.'),
        (Registered('1' * 32, date(2026, 3, 4)), {}, 'number', '«Регистрационный номер»: не длиннее 31 символа'),
        (CourseChanged('х' * 4001), {}, 'text', '«Ход исполнения»: не длиннее 4000 символов (сейчас 4001).'),
        (CourseChanged(' '), {}, 'text', '«Ход исполнения»: обязательное поле, не может быть пустым.'),
        (
            ExecutorAssigned(Official('А'), Official('Б'), Official()),
            {},
            'executor',
            '«Исполнитель»: укажите ФИО, должность, подразделение или организацию.',
        ),
        (Registered('1', date(2026, 3, 4)), {'comment': 'к' * 2048}, 'comment', 'не длиннее 2047 символов'),
        (
            Registered('1', date(2026, 3, 4)),
            {'subject': NoticeSubject(SUBJECT.document_uid, DocumentRef(''))},
            'foundation.number',
            '«Документ-основание: номер»: обязательное поле',
        ),
        (
            Registered('1', date(2026, 3, 4)),
            {'to': Participant(MINISTRY.guid, MINISTRY.name, 'MIN CIFR')},
            'to.medo_address',
            '«Получатель: адрес МЭДО»: почтовый ящик вида ASF_S или ASF_S~MEDOGU без пробелов.',
        ),
        (
            Registered('1', date(2026, 3, 4)),
            {'sender': Participant(GOVERNMENT.guid, 'О' * 512, 'PRAV_S')},
            'sender',
            '«Отправитель: организация»: не длиннее 511 символов',
        ),
    ],
)
def test_notification_limits_are_refused(event: NoticeEvent, options: dict[str, object], field: str, message: str):
    with pytest.raises(ValidationFailed) as error:
        notify(event, **options)

    assert message in error.value.fields[field]


def test_unknown_version_is_a_programming_error():
    with pytest.raises(ValueError, match='unknown notice version'):
        receipt('3.0')


# --- the run-time 2.6 check -----------------------------------------------------------------------------------------


def test_runtime_check_uses_the_configured_iedms_xsd(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """A configured 2.6 XSD is applied to classic notices: one that the notice cannot satisfy makes it a bug."""
    strict = tmp_path / 'strict.xsd'
    strict.write_text(
        f'<xs:schema xmlns:xs="{XSD}" targetNamespace="{NS_CLASSIC}"><xs:element name="other"/></xs:schema>'
    )
    monkeypatch.setenv('EDMS_IEDMS26_XSD', str(strict))

    assert notices.iedms26_schema_path() == strict
    with pytest.raises(PacketBuildError, match=r'strict\.xsd'):
        receipt()
    assert receipt('2.7.1').xml_name == 'message.xml'  # 2.7.1 is checked against our own XSD only


def test_without_the_iedms_xsd_classic_notices_are_still_built(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv('EDMS_IEDMS26_XSD', str(tmp_path / 'absent.xsd'))

    assert notices.iedms26_schema_path() is None
    assert notify(EVENTS['documentAccepted']).xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')


# --- round trip -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize('version', ['2.6', '2.7.1'])
def test_reader_reads_every_notification_back(version: str):
    for element, event in EVENTS.items():
        incoming = read_packet(notify(event, version=version).files)
        notification = incoming.notification

        assert incoming.kind == 'notification', element
        assert notification.type == event.type_name
        assert notification.document_uid == str(SUBJECT.document_uid)
        assert (notification.foundation.number, notification.foundation.date) == ('01-02/345-ИП', date(2026, 3, 3))
    assert incoming.message_uid == str(MESSAGE_UID)


def test_reader_reads_the_registration_and_the_refusal():
    registered = read_packet(notify(EVENTS['documentAccepted']).files).notification
    refused = read_packet(notify(EVENTS['documentRefused'], comment='Не наш профиль').files).notification

    assert (registered.reg_number, registered.reg_date) == ('123-П', date(2026, 3, 4))
    assert (refused.reason, refused.comment) == ('Документ неверно адресован', 'Не наш профиль')


@pytest.mark.parametrize('version', ['2.6', '2.7.1'])
def test_reader_reads_the_receipt_back(version: str):
    incoming = read_packet(receipt(version, accepted=False, comment='Не прошла проверка подписи').files)

    assert incoming.kind == 'acknowledgment'
    assert incoming.acknowledgment.acknowledged_uid == str(SUBJECT.message_uid)
    assert (incoming.acknowledgment.accepted, incoming.acknowledgment.comment) == (False, 'Не прошла проверка подписи')
