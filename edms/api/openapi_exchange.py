"""Paths and components of the OpenAPI document for the МЭДО exchange (tag `exchange`): the HTTP intake of packets
and their state (the shapes of `edms.api.exchange.packet_json`), the dispatches of a card, and the «Опубликование»
mark of a card received by МЭДО."""

from __future__ import annotations

from typing import Any

from edms.api.openapi_ops import READ, WRITE, content, op, path_param
from edms.api.openapi_schemas import DATE, DATETIME, ID, Schema, enum_of, integer, ref, string
from edms.exchange.models import DispatchStatus, DispatchStep, InboxStatus
from edms.exchange.packets.errors import REASON_CODES

TAG = 'exchange'
INBOX_ID = path_param('inbox_id', 'Идентификатор полученного пакета')
CARD_ID = path_param('card_id', 'Идентификатор карточки')
RECEIPT_STATES = ['pending', 'positive', 'negative']

PACKET_PROPERTIES: dict[str, Schema] = {
    'id': ID,
    'status': enum_of(InboxStatus),
    'received_at': {**DATETIME, 'nullable': False},
    'receptions': integer(minimum=1),
    'message_uid': string(36, nullable=True, description='header/@uid сообщения, когда пакет прочитан'),
    'receipt': {
        'type': 'string',
        'enum': RECEIPT_STATES,
        'description': 'pending — пакет ещё обрабатывается; positive — принят; negative — не принят (причина ниже)',
    },
    'reason_code': {'type': 'string', 'enum': list(REASON_CODES), 'nullable': True},
    'reason': string(nullable=True, description='Причина на русском языке, когда пакет не принят'),
}

DISPATCH_EVENT_PROPERTIES: dict[str, Schema] = {
    'kind': enum_of(DispatchStep),
    'label': string(description='Шаг по-русски: «Зарегистрирован», «Назначен исполнитель»…'),
    'at': {**DATETIME, 'nullable': False},
    'text': string(description='Подробности: номер и дата регистрации, причина, исполнитель…'),
}
DISPATCH_PROPERTIES: dict[str, Schema] = {
    'id': ID,
    'addressee': string(511),
    'destination': {
        'type': 'object',
        'required': ['guid', 'name'],
        'properties': {'guid': string(36), 'name': string()},
    },
    'status': enum_of(DispatchStatus),
    'status_label': string(),
    'registered_number': string(64, nullable=True, description='Номер, под которым адресат зарегистрировал документ'),
    'registered_date': DATE,
    'document_uid': string(36, description='GUID контейнера: один для всех адресатов документа'),
    'message_uid': string(36, description='header/@uid сообщения этому адресату'),
    'events': {'type': 'array', 'items': ref('DispatchEvent')},
}
DISPATCH_LIST = {
    'type': 'object',
    'required': ['dispatches'],
    'properties': {'dispatches': {'type': 'array', 'items': ref('Dispatch')}},
}

EXCHANGE_SCHEMAS: dict[str, Schema] = {
    'DispatchEvent': {
        'type': 'object',
        'required': list(DISPATCH_EVENT_PROPERTIES),
        'properties': DISPATCH_EVENT_PROPERTIES,
    },
    'Dispatch': {'type': 'object', 'required': list(DISPATCH_PROPERTIES), 'properties': DISPATCH_PROPERTIES},
    'DispatchList': DISPATCH_LIST,
    'SendDispatches': {
        'type': 'object',
        'additionalProperties': False,
        'properties': {
            'addressees': {
                'type': 'array',
                'items': integer(minimum=1),
                'description': 'Адресаты карточки (id); по умолчанию все участники МЭДО, кому ещё не отправлено',
            }
        },
    },
    'ReceivedPacket': {'type': 'object', 'required': list(PACKET_PROPERTIES), 'properties': PACKET_PROPERTIES},
    'PacketReception': {
        'type': 'object',
        'required': [*PACKET_PROPERTIES, 'duplicate'],
        'properties': {
            **PACKET_PROPERTIES,
            'duplicate': {'type': 'boolean', 'description': 'Эти же байты уже были получены (тот же идентификатор)'},
        },
    },
    'PublicationInput': {
        'type': 'object',
        'required': ['number', 'date', 'point'],
        'additionalProperties': False,
        'properties': {
            'number': string(31, description='Номер опубликования'),
            'date': {**DATE, 'nullable': False, 'description': 'Дата опубликования, не позже сегодняшней'},
            'time': string(description='Время опубликования ЧЧ:ММ по местному времени (по умолчанию 00:00)'),
            'point': string(511, description='Источник опубликования'),
        },
    },
    'PublicationMark': {
        'type': 'object',
        'required': ['card_id', 'notification_queued'],
        'properties': {
            'card_id': ID,
            'notification_queued': {
                'type': 'boolean',
                'description': 'Уведомление поставлено в очередь (false: отправитель не участник обмена)',
            },
        },
    },
}


def _post_packet() -> dict[str, Any]:
    operation = op(
        'postExchangePacket',
        'Передать пакет МЭДО (zip-архив папки пакета) от системы-участника обмена',
        TAG,
        ('202', 'Пакет сохранён и принят в обработку; заголовок Location', ref('PacketReception')),
        errors=('401', '403', '413', '422'),
    )
    operation['responses']['200'] = {
        'description': 'Эти же байты получены повторно: тот же пакет, на каждое получение — своя квитанция',
        'content': content(ref('PacketReception')),
    }
    operation['requestBody'] = {
        'required': True,
        'description': 'Zip-архив папки пакета (файлы в корне архива или в одной папке верхнего уровня)',
        'content': {
            'application/zip': {'schema': string(format='binary')},
            'application/octet-stream': {'schema': string(format='binary')},
        },
    }
    return operation


EXCHANGE_PATHS: dict[str, dict[str, Any]] = {
    '/cards/{card_id}/dispatches': {
        'parameters': [CARD_ID],
        'get': op(
            'listDispatches',
            'Отправки исходящего документа по МЭДО и ход по каждому адресату',
            TAG,
            ('200', 'Отправки', ref('DispatchList')),
            errors=READ,
        ),
        'post': op(
            'sendDispatches',
            'Отправить зарегистрированный исходящий документ адресатам — участникам МЭДО',
            TAG,
            ('201', 'Пакеты сформированы и поставлены в очередь отправки', ref('DispatchList')),
            errors=('401', '403', '404', '422'),
            body='SendDispatches',
            body_required=False,
        ),
    },
    '/cards/{card_id}/publication': {
        'parameters': [CARD_ID],
        'post': op(
            'markCardPublished',
            'Отметить опубликование акта, полученного по МЭДО: отправителю уходит уведомление «Опубликование»',
            TAG,
            ('201', 'Опубликование отмечено', ref('PublicationMark')),
            errors=(*WRITE, '409'),
            body='PublicationInput',
        ),
    },
    '/exchange/packets': {'post': _post_packet()},
    '/exchange/packets/{inbox_id}': {
        'parameters': [INBOX_ID],
        'get': op(
            'getExchangePacket',
            'Состояние полученного пакета (для отправившей системы и организации-получателя)',
            TAG,
            ('200', 'Пакет', ref('ReceivedPacket')),
            errors=READ,
        ),
    },
}
