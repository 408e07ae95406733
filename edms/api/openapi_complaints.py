"""Paths and components of the OpenAPI document for complaints (tag `complaints`, 210-ФЗ ст. 11.1): the missed
deadlines of an application, filing a complaint, the lists, one complaint, the decision. The shapes are those of
`edms.api.complaints`."""

from __future__ import annotations

from typing import Any

from edms.api.openapi_ops import READ, WRITE, op, path_param
from edms.api.openapi_schemas import DATETIME, ID, Schema, closed_object, enum_of, integer, object_schema, ref, string
from edms.citizen_services.models.complaints import (
    COMPLAINT_TEXT_MAX,
    DECISION_TEXT_MAX,
    ComplaintKind,
    ComplaintStatus,
)

TAG = 'complaints'
APPLICATION_ID = path_param('application_id', 'Идентификатор заявления')
COMPLAINT_ID = path_param('complaint_id', 'Идентификатор жалобы')
KINDS = ', '.join(f'{kind.value} (п. {number})' for number, kind in enumerate(ComplaintKind, start=1))


COMPLAINT_SCHEMAS: dict[str, Schema] = {
    'MissedDeadline': object_schema(
        {
            'term': {'type': 'string', 'enum': ['registration', 'service']},
            'title': string(),
            'complaint_kind': enum_of(ComplaintKind),
            'due': string(format='date'),
            'done_on': string(nullable=True, format='date'),
            'missed_working_days': integer(),
            'explanation': string(),
        }
    ),
    'MissedDeadlineList': object_schema({'items': {'type': 'array', 'items': ref('MissedDeadline')}}, ['items']),
    'Complaint': object_schema(
        {
            'id': ID,
            'url': string(),
            'number': string(32),
            'application': object_schema({'id': ID, 'number': string()}) | {'nullable': True},
            'organization': object_schema({'id': ID, 'short_name': string()}),
            'kind': object_schema({'code': enum_of(ComplaintKind), 'label': string(), 'item': integer(minimum=1)}),
            'text': string(COMPLAINT_TEXT_MAX),
            'applicant_name': string(),
            'filed_via_organization_id': integer(nullable=True),
            'card_id': integer(nullable=True),
            'registered_on': string(format='date'),
            'deadline': string(format='date'),
            'deadline_explanation': string(),
            'overdue': {'type': 'boolean'},
            'status': object_schema({'code': enum_of(ComplaintStatus), 'label': string()}),
            'decision_text': string(nullable=True),
            'decided_at': DATETIME,
        }
    ),
    'ComplaintList': object_schema({'items': {'type': 'array', 'items': ref('Complaint')}}, ['items']),
    'ComplaintInput': closed_object(
        {
            'kind': {**enum_of(ComplaintKind), 'description': f'Основание по ст. 11.1 210-ФЗ: {KINDS}'},
            'text': string(COMPLAINT_TEXT_MAX),
        },
        ['kind', 'text'],
    ),
    'ComplaintDecisionInput': closed_object(
        {
            'decision': {'type': 'string', 'enum': ['upheld', 'rejected']},
            'text': string(DECISION_TEXT_MAX, description='Меры по устранению нарушения или причины отказа'),
        },
        ['decision', 'text'],
    ),
}

COMPLAINT_PATHS: dict[str, dict[str, Any]] = {
    '/applications/{application_id}/missed-deadlines': {
        'get': op(
            'listMissedDeadlines',
            'Нарушенные сроки регистрации запроса и предоставления услуги (п. 1 и 2 ст. 11.1 210-ФЗ)',
            TAG,
            ('200', 'Нарушения с объяснениями', ref('MissedDeadlineList')),
            errors=READ,
            params=[APPLICATION_ID],
        ),
    },
    '/applications/{application_id}/complaints': {
        'post': op(
            'createComplaint',
            'Подать жалобу по заявлению (заявитель или МФЦ, через который подано заявление)',
            TAG,
            ('201', 'Зарегистрирована; заголовок Location', ref('Complaint')),
            errors=WRITE,
            body='ComplaintInput',
            params=[APPLICATION_ID],
        ),
    },
    '/complaints': {
        'get': op(
            'listComplaints',
            'Жалобы: свои, принятые МФЦ или на ведомство',
            TAG,
            ('200', 'Список', ref('ComplaintList')),
        ),
    },
    '/complaints/{complaint_id}': {
        'get': op(
            'getComplaint',
            'Жалоба со сроком рассмотрения',
            TAG,
            ('200', 'Жалоба', ref('Complaint')),
            errors=READ,
            params=[COMPLAINT_ID],
        ),
    },
    '/complaints/{complaint_id}/decision': {
        'post': op(
            'decideComplaint',
            'Решение по жалобе: удовлетворить или отказать (ч. 7 ст. 11.2 210-ФЗ)',
            TAG,
            ('200', 'Жалоба с решением', ref('Complaint')),
            errors=(*WRITE, '409'),
            body='ComplaintDecisionInput',
            params=[COMPLAINT_ID],
        ),
    },
}
