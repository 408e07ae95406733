"""Reading notifications and receipts of any version: the seven notification types, the gateway's error receipts,
the real samples (2.2 notification and receipt, the EDITED 2.7 / 2.7.1 receipts)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from lxml import etree

from edms.exchange.packets.model import DocumentReference, Generation, NotificationEvent, PacketKind, Party
from edms.exchange.packets.reader import read_packet
from tests.exchange import builders
from tests.exchange.builders import NS_IEDMS, NS_MESSAGE, acknowledgment_message, element, notification_message
from tests.exchange.conftest import SAMPLES, refused, shared_folder

Fill = Callable[[etree._Element, str], None]


def _num(event: etree._Element, ns: str, number: str, when: str) -> None:
    num = element(event, ns, 'num')
    element(num, ns, 'number', number)
    element(num, ns, 'date', when)


def _people(event: etree._Element, ns: str) -> None:
    for role, person in (('secretary', 'Секретарь С.С.'), ('manager', 'Руководитель Р.Р.'), ('executor', 'Исп И.И.')):
        element(element(event, ns, role), ns, 'person', person)


def _report(event: etree._Element, ns: str) -> None:
    report = element(event, ns, 'report')
    element(report, ns, 'organization', 'Администрация города Энска')
    _num(report, ns, '15-исх', '2026-03-10')


def _course(event: etree._Element, ns: str) -> None:
    element(event, ns, 'courseText', 'Срок исполнения продлён')


def _published(event: etree._Element, ns: str) -> None:
    _num(event, ns, '77-п', '2026-03-12T10:00:00')
    element(event, ns, 'publicationPoint', 'Официальный интернет-портал правовой информации')


CASES: list[tuple[str, str, Fill, dict[str, object]]] = [
    (
        'Зарегистрирован',
        'documentAccepted',
        lambda event, ns: _num(event, ns, 'ВХ-18/15', '2026-03-04'),
        {'reg_number': 'ВХ-18/15', 'reg_date': date(2026, 3, 4)},
    ),
    (
        'Отказано в регистрации',
        'documentRefused',
        lambda event, ns: element(event, ns, 'reason', 'Документ неверно адресован'),
        {'reason': 'Документ неверно адресован'},
    ),
    (
        'Назначен исполнитель',
        'executorAssigned',
        _people,
        {
            'secretary': Party(person='Секретарь С.С.'),
            'manager': Party(person='Руководитель Р.Р.'),
            'executor': Party(person='Исп И.И.'),
        },
    ),
    (
        'Доклад подготовлен',
        'reportPrepared',
        lambda event, ns: element(element(event, ns, 'signatory'), ns, 'person', 'Подписант П.П.'),
        {'signatory': Party(person='Подписант П.П.')},
    ),
    (
        'Доклад направлен',
        'reportSent',
        _report,
        {'report': DocumentReference('15-исх', date(2026, 3, 10), organization='Администрация города Энска')},
    ),
    ('Исполнение', 'courseChanged', _course, {'course_text': 'Срок исполнения продлён'}),
    (
        'Опубликование',
        'documentPublished',
        _published,
        {
            'reg_number': '77-п',
            'reg_date': date(2026, 3, 12),
            'publication_point': 'Официальный интернет-портал правовой информации',
        },
    ),
]


@pytest.mark.parametrize('ns', [NS_IEDMS, NS_MESSAGE], ids=['classic', '2.7.1'])
@pytest.mark.parametrize(('type_text', 'element_name', 'fill', 'expected'), CASES, ids=[case[1] for case in CASES])
def test_each_notification_type_is_understood(
    ns: str, type_text: str, element_name: str, fill: Fill, expected: dict[str, object]
):
    packet = read_packet({'notification.xml': notification_message(type_text, element_name, fill, ns=ns)})

    assert packet.kind is PacketKind.NOTIFICATION
    assert packet.generation is (Generation.CLASSIC if ns == NS_IEDMS else Generation.V2_7_1)
    notification = packet.notification
    assert notification is not None
    assert notification.type == type_text
    assert notification.event is NotificationEvent(_event_code(element_name))
    assert notification.document_uid == builders.DOCUMENT_UID.lower()
    assert notification.document_local_id == '1001'
    assert notification.time is not None
    assert notification.time.isoformat() == '2026-03-04T09:30:00+03:00'
    assert notification.foundation == DocumentReference(
        '12-01/345', date(2026, 3, 2), organization='Администрация города Энска'
    )
    assert notification.correspondent == Party(organization=builders.SENDER)
    assert notification.comment == 'Комментарий'
    for name, value in expected.items():
        assert getattr(notification, name) == value, name


def _event_code(element_name: str) -> str:
    return {
        'documentAccepted': 'registered',
        'documentRefused': 'refused',
        'executorAssigned': 'executor_assigned',
        'reportPrepared': 'report_prepared',
        'reportSent': 'report_sent',
        'courseChanged': 'course_changed',
        'documentPublished': 'published',
    }[element_name]


def test_a_notification_whose_type_and_event_disagree_is_refused():
    data = notification_message('Зарегистрирован', 'documentRefused', lambda event, ns: None)

    with refused('xsd') as caught:
        read_packet({'notification.xml': data})

    assert 'documentRefused' in caught[0].message


def test_an_unknown_notification_type_is_unsupported():
    with refused('unsupported'):
        read_packet({'notification.xml': notification_message('Прочитано', 'documentRead', lambda event, ns: None)})


def test_the_2_2_registration_notification_sample_is_read():
    data = shared_folder(SAMPLES / 'v2.2-vologda-2015') / 'notification_zaregistrirovan_documentAccepted.xml'

    packet = read_packet({'notification.xml': data.read_bytes()})

    notification = packet.notification
    assert notification is not None
    assert packet.version == '1.0'
    assert (notification.event, notification.document_uid) == (
        NotificationEvent.REGISTERED,
        'd9e76499-f05b-432d-9272-0f17e3ce86ec',
    )
    assert (notification.reg_number, notification.reg_date) == ('ВХ.18-1660/15', date(2015, 4, 6))
    assert notification.foundation is not None
    assert (notification.foundation.number, notification.foundation.date) == ('13-0-4/2540/2760', date(2015, 4, 3))
    assert notification.foundation.organization == 'Департамент градостроительства и инфраструктуры (ДГИ)'
    assert notification.correspondent is not None
    assert notification.correspondent.region == 'Вологодская область'


@pytest.mark.parametrize('ns', [NS_IEDMS, NS_MESSAGE], ids=['classic', '2.7.1'])
def test_a_positive_receipt_names_the_acknowledged_message(ns: str):
    content = 'Квитанция на сообщение типа "Уведомление". Исх. №: 4312-р, Дата: 2022-12-29'
    data = acknowledgment_message(ns=ns, content=content, comment='Сообщение доставлено')

    packet = read_packet({'acknowledgment.xml': data})

    assert packet.kind is PacketKind.ACKNOWLEDGMENT
    receipt = packet.acknowledgment
    assert receipt is not None
    assert receipt.acknowledged_uid == builders.MESSAGE_UID
    assert (receipt.accepted, receipt.content, receipt.comment) == (True, content, 'Сообщение доставлено')
    assert receipt.time is not None
    assert receipt.time.isoformat() == '2026-03-04T09:31:00+03:00'
    assert receipt.is_gateway_error is False


def test_the_gateways_error_receipt_is_understood():
    data = acknowledgment_message(
        uid='00000000-0000-0000-0000-000000000000',
        content='MEDOErrorAcknowledgment',
        accepted='false',
        errorCode='248',
        errorFileMessage='originalMessage.zip',
        comment='Для разработчика Вашего СЭД:Отсутствует идентификатор сообщения communication:header:@uid.',
    )

    receipt = read_packet({'acknowledgment.xml': data}).acknowledgment

    assert receipt is not None
    assert (receipt.accepted, receipt.error_code, receipt.error_file) == (False, 248, 'originalMessage.zip')
    assert receipt.is_gateway_error is True
    assert receipt.comment is not None
    assert 'header:@uid' in receipt.comment


def test_a_receipt_with_hash_codes_keeps_them():
    root = etree.fromstring(acknowledgment_message())
    acknowledgment = root.find(f'{{{NS_IEDMS}}}acknowledgment')
    assert acknowledgment is not None
    codes = element(acknowledgment, NS_IEDMS, 'hashCodes', algorithm='GOST R 34.11-2012')
    item = element(codes, NS_IEDMS, 'item')
    element(item, NS_IEDMS, 'name', 'container.edc.zip')
    element(item, NS_IEDMS, 'code', 'AB' * 32)

    receipt = read_packet({'acknowledgment.xml': etree.tostring(root)}).acknowledgment

    assert receipt is not None
    assert receipt.hash_algorithm == 'GOST R 34.11-2012'
    assert [(item.name, item.code) for item in receipt.hashes] == [('container.edc.zip', 'ab' * 32)]


def test_the_2_x_receipt_sample_is_read():
    data = (shared_folder(SAMPLES / 'v2.2-vologda-2015') / 'v2.x_acknowledgment_kvitanciya.xml').read_bytes()

    packet = read_packet({'acknowledgment.xml': data})

    assert packet.version is None  # xdms:version=""
    assert packet.sender.organization is None  # an empty organization element, as the sample has
    assert packet.acknowledgment is not None
    assert packet.acknowledgment.acknowledged_uid == '1b2d2294-e993-47c1-8d6e-ce48f1267a8e'
    assert packet.acknowledgment.accepted is True


@pytest.mark.parametrize(
    ('name', 'generation', 'uid'),
    [
        (
            'v2.7_minvostok_document_type_kvitanciya_EDITED.xml',
            Generation.CLASSIC,
            '4a26d46f-fe64-3d6c-90e5-3ff6731f158e',
        ),
        (
            'v2.7.1_sovfed_container_type_kvitanciya_EDITED.xml',
            Generation.V2_7_1,
            '757247eb-9535-4afb-9218-f044419a57ff',
        ),
    ],
)
def test_the_edited_receipts_without_an_acknowledgment_element_acknowledge_the_message_their_header_names(
    name: str, generation: Generation, uid: str
):
    data = (shared_folder(SAMPLES) / name).read_bytes()

    packet = read_packet({'message.xml': data})

    assert (packet.kind, packet.generation, packet.message_uid) == (PacketKind.ACKNOWLEDGMENT, generation, uid)
    assert packet.acknowledgment is not None
    assert (packet.acknowledgment.acknowledged_uid, packet.acknowledgment.accepted) == (uid, None)
    assert packet.document is None
    assert packet.container is None
