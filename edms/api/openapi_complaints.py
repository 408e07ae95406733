"""Paths and components of the OpenAPI document for complaints (tag `complaints`, 210-ФЗ ст. 11.1): the missed
deadlines of an application, filing a complaint about it or without one (JSON, or multipart with files), the agencies
of a service, the lists, one complaint with its files and their content, the decision. The shapes are those of
`edms.api.complaints`."""

from __future__ import annotations

from typing import Any

from edms.api.openapi_applications import ON_BEHALF
from edms.api.openapi_ops import JSON, READ, WRITE, op, path_param, query_param
from edms.api.openapi_schemas import DATETIME, ID, Schema, closed_object, enum_of, integer, object_schema, ref, string
from edms.citizen_services.models.complaints import (
    COMPLAINT_FILES_MAX,
    COMPLAINT_TEXT_MAX,
    DECISION_TEXT_MAX,
    ComplaintKind,
    ComplaintStatus,
)

TAG = 'complaints'
APPLICATION_ID = path_param('application_id', 'Идентификатор заявления')
COMPLAINT_ID = path_param('complaint_id', 'Идентификатор жалобы')
FILE_ID = path_param('file_id', 'Идентификатор файла жалобы')
KINDS = ', '.join(f'{kind.value} (п. {number})' for number, kind in enumerate(ComplaintKind, start=1))
MULTIPART = 'multipart/form-data'
FILES = (
    f'С файлами — multipart/form-data: те же поля (on_behalf — JSON-текстом) и до {COMPLAINT_FILES_MAX} файлов в '
    'повторяющемся поле files: PDF, JPG или PNG (тип определяется по содержимому), каждый не более 5 МБ.'
)
KIND = {**enum_of(ComplaintKind), 'description': f'Основание по ст. 11.1 210-ФЗ: {KINDS}'}
FILE_PARTS: Schema = {
    'type': 'array',
    'maxItems': COMPLAINT_FILES_MAX,
    'items': string(format='binary'),
    'description': 'Файлы жалобы (повторяющееся поле files)',
}


def with_files(operation: dict[str, Any], json_schema: str, multipart_schema: str) -> dict[str, Any]:
    """`operation` taking a JSON object or, with files, multipart/form-data."""
    operation['requestBody'] = {
        'required': True,
        'content': {JSON: {'schema': ref(json_schema)}, MULTIPART: {'schema': ref(multipart_schema)}},
    }
    return operation


def download() -> dict[str, Any]:
    operation = op(
        'getComplaintFile',
        'Файл жалобы (заявителю, МФЦ и сотрудникам ведомства)',
        TAG,
        ('200', 'Содержимое файла', None),
        errors=READ,
        params=[COMPLAINT_ID, FILE_ID],
    )
    operation['responses']['200']['content'] = {'application/octet-stream': {'schema': string(format='binary')}}
    return operation


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
            'service': object_schema({'code': string(64), 'title': string(nullable=True)}),
            'files': {'type': 'array', 'items': ref('ComplaintFile')},
        }
    ),
    'ComplaintFile': object_schema(
        {'id': ID, 'filename': string(), 'content_type': string(), 'size': integer(), 'url': string()}
    ),
    'ComplaintAgencyList': object_schema(
        {
            'items': {
                'type': 'array',
                'items': object_schema({'id': ID, 'short_name': string(), 'name': string()}),
            }
        },
        ['items'],
    ),
    'ComplaintList': object_schema({'items': {'type': 'array', 'items': ref('Complaint')}}, ['items']),
    'ComplaintInput': closed_object({'kind': KIND, 'text': string(COMPLAINT_TEXT_MAX)}, ['kind', 'text']),
    'ComplaintUpload': {
        **object_schema({'kind': KIND, 'text': string(COMPLAINT_TEXT_MAX), 'files': FILE_PARTS}, ['kind', 'text']),
        'description': FILES,
    },
    'ServiceComplaintInput': closed_object(
        {
            'service': string(64, description='Код услуги каталога'),
            'organization_id': {**ID, 'description': 'Ведомство, предоставляющее услугу (GET /complaints/agencies)'},
            'kind': KIND,
            'text': string(COMPLAINT_TEXT_MAX),
            'on_behalf': {**ON_BEHALF, 'description': 'Заявитель-посетитель (только оператор МФЦ; name обязательно)'},
        },
        ['service', 'organization_id', 'kind', 'text'],
    ),
    'ServiceComplaintUpload': {
        **object_schema(
            {
                'service': string(64),
                'organization_id': string(description='Идентификатор ведомства'),
                'kind': KIND,
                'text': string(COMPLAINT_TEXT_MAX),
                'on_behalf': string(description='JSON-объект сведений о заявителе (оператор МФЦ)'),
                'files': FILE_PARTS,
            },
            ['service', 'organization_id', 'kind', 'text'],
        ),
        'description': FILES,
    },
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
        'post': with_files(
            op(
                'createComplaint',
                'Подать жалобу по заявлению (заявитель или МФЦ, через который подано заявление)',
                TAG,
                ('201', 'Зарегистрирована; заголовок Location', ref('Complaint')),
                errors=(*WRITE, '413'),
                params=[APPLICATION_ID],
            ),
            'ComplaintInput',
            'ComplaintUpload',
        ),
    },
    '/complaints': {
        'get': op(
            'listComplaints',
            'Жалобы: свои, принятые МФЦ или на ведомство',
            TAG,
            ('200', 'Список', ref('ComplaintList')),
        ),
        'post': with_files(
            op(
                'createServiceComplaint',
                'Подать жалобу без заявления (п. 4 ст. 11.1 210-ФЗ и др.): услуга и ведомство, предоставляющее её',
                TAG,
                ('201', 'Зарегистрирована; заголовок Location', ref('Complaint')),
                errors=(*WRITE, '413'),
            ),
            'ServiceComplaintInput',
            'ServiceComplaintUpload',
        ),
    },
    '/complaints/agencies': {
        'get': op(
            'listComplaintAgencies',
            'Ведомства, на которые можно подать жалобу по услуге (предоставляющие её)',
            TAG,
            ('200', 'Ведомства', ref('ComplaintAgencyList')),
            errors=('401', '422'),
            params=[{**query_param('service', string(64), 'Код услуги'), 'required': True}],
        ),
    },
    '/complaints/{complaint_id}/files/{file_id}/content': {
        'get': download(),
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
