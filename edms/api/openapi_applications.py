"""Paths and components of the OpenAPI document for public service applications (tag `applications`): the service
catalogue, the providers of each service, filing (form, XML upload, on an applicant's behalf), the lists, one
application, the agency's decisions and the resubmission. The shapes are those of `edms.api.application_io` and
`edms.api.service_providers`."""

from __future__ import annotations

from typing import Any

from edms.api.openapi_ops import READ, WRITE, content, op, path_param, query_param
from edms.api.openapi_schemas import (
    DATE,
    DATETIME,
    ID,
    USER_REF,
    Schema,
    closed_object,
    enum_of,
    integer,
    object_schema,
    ref,
    string,
)
from edms.citizen_services.catalogue.definition import WORKFLOW_STATUSES, Channel
from edms.citizen_services.models import ApplicantKind
from edms.citizen_services.queries import MAX_PER_PAGE, SCOPES

TAG = 'applications'
APPLICATION_ID = path_param('application_id', 'Идентификатор заявления')
PROVIDER_ID = path_param('provider_id', 'Идентификатор записи о ведомстве')
FILE_ID = path_param('file_id', 'Идентификатор файла заявления')
STATUS: Schema = {'type': 'string', 'enum': list(WORKFLOW_STATUSES)}
MULTIPART = 'multipart/form-data'
FILTERS = [
    query_param('service', string(64), 'Код услуги'),
    query_param('status', STATUS, 'Статус'),
    query_param('date_from', string(format='date'), 'Дата подачи с'),
    query_param('date_to', string(format='date'), 'Дата подачи по'),
    query_param(
        'scope', {'type': 'string', 'enum': list(SCOPES)}, 'Список: свои, ведомства, поданные через МФЦ/партнёра'
    ),
    query_param('page', integer(minimum=1), 'Страница, с 1'),
    query_param('per_page', {**integer(minimum=1), 'maximum': MAX_PER_PAGE}, f'Записей на странице, до {MAX_PER_PAGE}'),
]
ON_BEHALF: Schema = {
    'type': 'object',
    'additionalProperties': False,
    'description': 'Заявитель, когда подаёт МФЦ или партнёр (имя берётся из сведений заявления, если они его содержат)',
    'properties': {'name': string(1000), 'snils': string(14), 'inn': string(12)},
}
FILE_PARTS = (
    'Файлы — части files.<вид вложения> (можно несколько), отсоединённые подписи (CMS) — части '
    'signatures.<роль>, подпись относится к файлу вида с тем же именем'
)
NAMED: Schema = {'type': 'object', 'properties': {'code': string(), 'label': string()}}


APPLICATION_SCHEMAS: dict[str, Schema] = {
    'Service': object_schema(
        {
            'code': string(),
            'title': string(),
            'document_kind': string(),
            'agency': object_schema({'key': string(), 'title': string()}),
            'channels': {'type': 'array', 'items': NAMED},
            'attachments': {'type': 'array', 'items': object_schema({'kind': string(), 'label': string()})},
            'signatures': {'type': 'array', 'items': object_schema({'role': string(), 'label': string()})},
            'statuses': {'type': 'array', 'items': object_schema({'code': string(), 'label': string()})},
            'refusal_reasons': {'type': 'array', 'items': object_schema({'code': string(), 'text': string()})},
            'max_days': integer(),
            'expected_days': integer(),
        }
    ),
    'ServiceList': object_schema({'items': {'type': 'array', 'items': ref('Service')}}, ['items']),
    'ServiceProvider': object_schema(
        {
            'id': ID,
            'url': string(),
            'service_code': string(64),
            'organization': object_schema({'id': ID, 'short_name': string(), 'name': string()}),
            'is_active': {'type': 'boolean'},
        }
    ),
    'ServiceProviderList': object_schema({'items': {'type': 'array', 'items': ref('ServiceProvider')}}, ['items']),
    'ServiceProviderInput': {
        **object_schema({'service_code': string(64), 'organization_id': ID, 'is_active': {'type': 'boolean'}}),
        'required': ['service_code', 'organization_id'],
        'additionalProperties': False,
    },
    'ServiceProviderPatch': closed_object({'is_active': {'type': 'boolean'}}),
    'ApplicationInput': closed_object(
        {
            'service': string(64, description='Код услуги'),
            'channel': {**enum_of(Channel), 'description': 'По умолчанию — по роли: портал, МФЦ или партнёр'},
            'data': {'type': 'object', 'description': 'Сведения заявления (вложенные или с именами через точку)'},
            'on_behalf': ON_BEHALF,
        },
        ['service', 'data'],
    ),
    'ApplicationUpload': {
        **object_schema(
            {
                'service': string(64),
                'channel': enum_of(Channel),
                'data': string(description='JSON-объект сведений заявления'),
                'on_behalf': string(description='JSON-объект сведений о заявителе'),
            },
            ['service', 'data'],
        ),
        'description': FILE_PARTS,
    },
    'ApplicationXmlUpload': {
        **object_schema(
            {'service': string(64), 'xml': string(format='binary'), 'signature': string(format='binary')},
            ['service', 'xml', 'signature'],
        ),
        'description': f'XML заявления по схеме услуги и его отсоединённая подпись КЭП. {FILE_PARTS}',
    },
    'ResubmitUpload': {
        **object_schema(
            {'data': string(), 'xml': string(format='binary'), 'signature': string(format='binary')},
        ),
        'description': f'Исправленные сведения (data) или новый подписанный XML (xml, signature). {FILE_PARTS}',
    },
    'ResubmitInput': closed_object({'data': {'type': 'object'}}, ['data']),
    'ClarificationInput': closed_object({'text': string(4000)}, ['text']),
    'ApproveInput': closed_object({'comment': string(4000)}),
    'ApproveUpload': object_schema({'result': string(format='binary'), 'comment': string(4000)}),
    'RefuseInput': closed_object(
        {'reasons': {'type': 'array', 'items': string(), 'minItems': 1}, 'comment': string(4000)}, ['reasons']
    ),
    'ApplicationEvent': object_schema(
        {
            'from': {**STATUS, 'nullable': True},
            'from_label': string(nullable=True),
            'to': STATUS,
            'to_label': string(),
            'at': DATETIME,
            'actor': USER_REF,
            'comment': string(),
        }
    ),
    'ApplicationFile': object_schema(
        {
            'id': ID,
            'kind': string(),
            'label': string(),
            'filename': string(),
            'content_type': string(),
            'size': integer(),
            'replaced_at': DATETIME,
            'url': string(),
        }
    ),
    'Application': object_schema(
        {
            'id': ID,
            'number': string(description='Номер заявления, например З-2026-000123'),
            'url': string(),
            'service': object_schema({'code': string(), 'title': string()}),
            'channel': enum_of(Channel),
            'channel_label': string(),
            'status': STATUS,
            'status_label': string(description='Статус словами услуги'),
            'applicant': object_schema(
                {
                    'kind': enum_of(ApplicantKind),
                    'kind_label': string(),
                    'name': string(),
                    'snils': string(nullable=True),
                    'inn': string(nullable=True),
                    'user_id': integer(nullable=True),
                    'filed_by': USER_REF,
                    'filed_via_organization_id': integer(nullable=True),
                }
            ),
            'agency': object_schema({'id': ID, 'name': string()}),
            'submitted_at': DATETIME,
            'deadline': DATE,
            'deadline_explanation': string(),
            'expected_date': DATE,
            'expected_explanation': string(),
            'clarification': string(nullable=True, description='Что нужно уточнить (в статусе уточнения)'),
            'decided_at': DATETIME,
            'refusal': {
                **object_schema(
                    {
                        'reasons': {'type': 'array', 'items': object_schema({'code': string(), 'text': string()})},
                        'comment': string(nullable=True),
                    }
                ),
                'nullable': True,
            },
            'result_url': string(nullable=True),
            'annulment_notice_url': string(nullable=True, description='Подписанное уведомление об аннулировании'),
            'card_id': {**integer(nullable=True), 'description': 'Карточка в ведомстве (только для его сотрудников)'},
            'values': {'type': 'object'},
            'events': {'type': 'array', 'items': ref('ApplicationEvent')},
            'files': {'type': 'array', 'items': ref('ApplicationFile')},
        }
    ),
    'ApplicationList': object_schema(
        {
            'items': {'type': 'array', 'items': ref('Application')},
            'page': integer(),
            'per_page': integer(),
            'has_next': {'type': 'boolean'},
        },
        ['items', 'page', 'per_page', 'has_next'],
    ),
    'ApplicationInvalid': object_schema(
        {
            'error': object_schema(
                {
                    'code': string(),
                    'message': string(),
                    'fields': {'type': 'object', 'additionalProperties': string()},
                    'problems': {
                        'type': 'array',
                        'items': object_schema({'field': string(), 'message': string(), 'code': string()}),
                    },
                }
            )
        },
        ['error'],
    ),
}

APPLICATION_OK = ('200', 'Заявление', ref('Application'))
FILING_ERRORS = ('400', '401', '403', '404', '409', '413', '415')
INVALID = 'Заявление с ошибками: каждая названа (problems) или ошибка в поле запроса'


def taking_submission(operation: dict[str, Any], schemas: dict[str, str], invalid: str = INVALID) -> dict[str, Any]:
    """`operation` with a required body in the media types of `schemas` ({media type: schema name}) and a 422 that
    lists every problem of the application (`invalid` describes it)."""
    operation['requestBody'] = {
        'required': True,
        'content': {media: {'schema': ref(name)} for media, name in schemas.items()},
    }
    operation['responses']['422'] = {'description': invalid, 'content': content(ref('ApplicationInvalid'))}
    return operation


def _filing(operation_id: str, summary: str, schemas: dict[str, str], ok: tuple[str, str, Schema]) -> dict[str, Any]:
    """An operation taking multipart (or JSON) submissions; a 422 lists every problem of the application."""
    return taking_submission(op(operation_id, summary, TAG, ok, errors=FILING_ERRORS), schemas)


def _download(operation_id: str, summary: str) -> dict[str, Any]:
    operation = op(operation_id, summary, TAG, ('200', 'Содержимое файла', None), errors=(*READ, '409'))
    operation['responses']['200']['content'] = {'application/octet-stream': {'schema': string(format='binary')}}
    return operation


def _decision(operation_id: str, summary: str, body: str | None, *, body_required: bool = True) -> dict[str, Any]:
    return op(
        operation_id,
        summary,
        TAG,
        APPLICATION_OK,
        errors=(*WRITE, '409'),
        body=body,
        body_required=body_required,
    )


def _approve() -> dict[str, Any]:
    operation = _decision('approveApplication', 'Одобрить: статус «готово»; результат PDF (multipart, result)', None)
    operation['requestBody'] = {
        'required': False,
        'content': {'application/json': {'schema': ref('ApproveInput')}, MULTIPART: {'schema': ref('ApproveUpload')}},
    }
    return operation


APPLICATION_PATHS: dict[str, dict[str, Any]] = {
    '/services': {
        'get': op(
            'listServices',
            'Каталог услуг: способы подачи, вложения, статусы, причины отказа',
            TAG,
            ('200', 'Услуги', ref('ServiceList')),
        ),
    },
    '/service-providers': {
        'get': op(
            'listServiceProviders',
            'Ведомства, оказывающие услуги (администратор системы)',
            TAG,
            ('200', 'Список', ref('ServiceProviderList')),
            errors=('401', '403', '422'),
            params=[query_param('service_code', string(64), 'Код услуги')],
        ),
        'post': op(
            'createServiceProvider',
            'Назначить ведомство для услуги (администратор системы)',
            TAG,
            ('201', 'Создано; заголовок Location', ref('ServiceProvider')),
            errors=WRITE,
            body='ServiceProviderInput',
        ),
    },
    '/service-providers/{provider_id}': {
        'parameters': [PROVIDER_ID],
        'get': op(
            'getServiceProvider',
            'Ведомство услуги',
            TAG,
            ('200', 'Запись', ref('ServiceProvider')),
            errors=(*READ, '403'),
        ),
        'patch': op(
            'updateServiceProvider',
            'Включить или отключить',
            TAG,
            ('200', 'Запись', ref('ServiceProvider')),
            errors=WRITE,
            body='ServiceProviderPatch',
        ),
        'delete': op('deleteServiceProvider', 'Удалить', TAG, ('204', 'Удалено', None), errors=('401', '403', '404')),
    },
    '/applications': {
        'get': op(
            'listApplications',
            'Заявления: свои (заявитель), ведомства (его сотрудники), поданные через МФЦ или партнёра; новые первыми',
            TAG,
            ('200', 'Страница списка', ref('ApplicationList')),
            errors=('401', '422'),
            params=FILTERS,
        ),
        'post': _filing(
            'fileApplication',
            'Подать заявление: заявитель от своего имени; оператор МФЦ или партнёр — с блоком on_behalf',
            {MULTIPART: 'ApplicationUpload', 'application/json': 'ApplicationInput'},
            ('201', 'Принято; заголовок Location', ref('Application')),
        ),
    },
    '/applications/xml': {
        'post': _filing(
            'fileApplicationXml',
            'Подать заявление в формате XML с отсоединённой подписью КЭП (заявитель)',
            {MULTIPART: 'ApplicationXmlUpload'},
            ('201', 'Принято; заголовок Location', ref('Application')),
        ),
    },
    '/applications/{application_id}': {
        'parameters': [APPLICATION_ID],
        'get': op('getApplication', 'Заявление с историей статусов и файлами', TAG, APPLICATION_OK, errors=READ),
    },
    '/applications/{application_id}/files/{file_id}/content': {
        'parameters': [APPLICATION_ID, FILE_ID],
        'get': _download('getApplicationFile', 'Файл заявления (после сверки контрольной суммы)'),
    },
    '/applications/{application_id}/result': {
        'parameters': [APPLICATION_ID],
        'get': _download('getApplicationResult', 'Результат предоставления услуги'),
    },
    '/applications/{application_id}/clarification': {
        'parameters': [APPLICATION_ID],
        'post': _decision('requestClarification', 'Запросить уточнение: срок приостанавливается', 'ClarificationInput'),
    },
    '/applications/{application_id}/resubmit': {
        'parameters': [APPLICATION_ID],
        'post': _filing(
            'resubmitApplication',
            'Подать исправленное заявление: срок переносится по правилу услуги, с объяснением',
            {MULTIPART: 'ResubmitUpload', 'application/json': 'ResubmitInput'},
            APPLICATION_OK,
        ),
    },
    '/applications/{application_id}/approve': {
        'parameters': [APPLICATION_ID],
        'post': _approve(),
    },
    '/applications/{application_id}/refuse': {
        'parameters': [APPLICATION_ID],
        'post': _decision('refuseApplication', 'Отказать с причинами из перечня услуги', 'RefuseInput'),
    },
}
