"""Paths and components of the OpenAPI document for interagency requests (tag `interagency`, 210-ФЗ ст. 7, 7.2): the
outgoing and incoming lists, one request, the answer and the rejection. The shapes are those of
`edms.api.interagency`."""

from __future__ import annotations

from typing import Any

from edms.api.openapi_ops import READ, WRITE, op, path_param, query_param
from edms.api.openapi_schemas import DATETIME, ID, Schema, closed_object, enum_of, integer, object_schema, ref, string
from edms.citizen_services.interagency_xml import REJECTION_CODES
from edms.citizen_services.models.interagency import RequestStatus

TAG = 'interagency'
REQUEST_ID = path_param('request_id', 'Идентификатор межведомственного запроса')


ORGANIZATION = object_schema({'id': ID, 'name': string()})
FIELD = object_schema({'path': string(), 'label': string(), 'value': string()})
MISMATCH = object_schema(
    {'field': string(), 'label': string(), 'application_value': string(), 'registry_value': string()}
)

INTERAGENCY_SCHEMAS: dict[str, Schema] = {
    'InteragencyRequest': object_schema(
        {
            'id': ID,
            'url': string(),
            'side': {'type': 'string', 'enum': ['outgoing', 'incoming']},
            'application': object_schema(
                {'id': ID | {'description': 'Только для направившего запрос (side=outgoing)'}, 'number': string()}
            ),
            'requesting_organization': ORGANIZATION,
            'responding_organization': ORGANIZATION,
            'service_code': string(),
            'legal_basis': string(),
            'data_kind': string(),
            'requested_data': string(),
            'subject': {'type': 'object', 'additionalProperties': string()},
            'official': object_schema({'id': integer(nullable=True), 'name': string(), 'position': string()}),
            'sent_at': DATETIME,
            'message_id': string(format='uuid'),
            'status': object_schema({'code': enum_of(RequestStatus), 'label': string()}),
            'due_date': string(format='date'),
            'due_explanation': string(),
            'overdue': {'type': 'boolean'},
            'reply_message_id': string(nullable=True, format='uuid'),
            'answered_at': DATETIME,
            'answered_by': string(nullable=True),
            'answer_text': string(nullable=True),
            'answer_fields': {'type': 'array', 'items': FIELD},
            'mismatches': {
                'type': 'array',
                'items': MISMATCH,
                'nullable': True,
                'description': 'Расхождения ответа со сведениями заявления; только для направившего запрос '
                '(side=outgoing)',
            },
            'rejection': object_schema({'code': string(), 'reason': string()}) | {'nullable': True},
        }
    ),
    'InteragencyRequestList': object_schema(
        {
            'items': {'type': 'array', 'items': ref('InteragencyRequest')},
            'page': integer(minimum=1),
            'has_next': {'type': 'boolean'},
        },
        ['items'],
    ),
    'InteragencyAnswerInput': closed_object(
        {
            'text': string(4000),
            'data': string(description='Сведения: по одному в строке, «Наименование сведения: значение»'),
        },
        ['text'],
    ),
    'InteragencyRejectionInput': closed_object(
        {'code': {'type': 'string', 'enum': list(REJECTION_CODES)}, 'reason': string(4000)},
        ['code', 'reason'],
    ),
}

INTERAGENCY_PATHS: dict[str, dict[str, Any]] = {
    '/interagency-requests': {
        'get': op(
            'listInteragencyRequests',
            'Межведомственные запросы организации: исходящие или входящие',
            TAG,
            ('200', 'Список, новые первыми', ref('InteragencyRequestList')),
            errors=('401', '422'),
            params=[
                query_param('side', {'type': 'string', 'enum': ['outgoing', 'incoming']}, 'По умолчанию outgoing'),
                query_param('status', enum_of(RequestStatus), 'Статус'),
                query_param('overdue', {'type': 'boolean'}, 'Только просроченные'),
                query_param('page', integer(minimum=1), 'Страница'),
            ],
        ),
    },
    '/interagency-requests/{request_id}': {
        'get': op(
            'getInteragencyRequest',
            'Межведомственный запрос со сроком ответа, ответом и расхождениями',
            TAG,
            ('200', 'Запрос', ref('InteragencyRequest')),
            errors=READ,
            params=[REQUEST_ID],
        ),
    },
    '/interagency-requests/{request_id}/answer': {
        'post': op(
            'answerInteragencyRequest',
            'Ответ на входящий межведомственный запрос',
            TAG,
            ('200', 'Ответ направлен', ref('InteragencyRequest')),
            errors=WRITE,
            body='InteragencyAnswerInput',
            params=[REQUEST_ID],
        ),
    },
    '/interagency-requests/{request_id}/rejection': {
        'post': op(
            'rejectInteragencyRequest',
            'Отказ в предоставлении сведений (код причины из перечня СМЭВ)',
            TAG,
            ('200', 'Отказ направлен', ref('InteragencyRequest')),
            errors=WRITE,
            body='InteragencyRejectionInput',
            params=[REQUEST_ID],
        ),
    },
}
