"""The OpenAPI 3.0.3 document of `/api/v1`, written as a Python dict (served at `/api/v1/openapi.json`).

Paths are relative to the server URL `/api/v1`; a test checks that every route of the blueprint is described.
"""

from __future__ import annotations

from typing import Any

from edms.api.openapi_applications import APPLICATION_PATHS, APPLICATION_SCHEMAS
from edms.api.openapi_complaints import COMPLAINT_PATHS, COMPLAINT_SCHEMAS
from edms.api.openapi_confirmation import CONFIRMATION_PATHS, CONFIRMATION_SCHEMAS
from edms.api.openapi_exchange import EXCHANGE_PATHS, EXCHANGE_SCHEMAS
from edms.api.openapi_interagency import INTERAGENCY_PATHS, INTERAGENCY_SCHEMAS
from edms.api.openapi_legal_cabinets import LEGAL_CABINET_PATHS, LEGAL_CABINET_SCHEMAS
from edms.api.openapi_ops import ERROR_RESPONSES, READ, WRITE, content, op, path_param, query_param, ref_response
from edms.api.openapi_phone import PHONE_PATHS, PHONE_SCHEMAS
from edms.api.openapi_resolution_schemas import RESOLUTION_SCHEMAS
from edms.api.openapi_resolutions import RESOLUTION_PATHS
from edms.api.openapi_routing import ROUTING_PATHS, ROUTING_SCHEMAS
from edms.api.openapi_schemas import SCHEMAS, integer, ref, string
from edms.api.openapi_signatures import SIGNATURE_PATHS, SIGNATURE_SCHEMAS
from edms.api.openapi_stay import STAY_PATHS, STAY_SCHEMAS

CARD_ID = path_param('card_id', 'Идентификатор карточки')
ATTACHMENT_ID = path_param('attachment_id', 'Идентификатор вложения')
ORGANIZATION_ID = path_param('organization_id', 'Идентификатор организации')
CARD_FILTERS = [
    query_param('kind', SCHEMAS['Card']['properties']['kind'], 'Вид карточки'),
    query_param('status', SCHEMAS['Card']['properties']['status'], 'Статус'),
    query_param('date_from', string(format='date'), 'Дата регистрации с'),
    query_param('date_to', string(format='date'), 'Дата регистрации по'),
    query_param('correspondent', string(200), 'Часть наименования корреспондента'),
    query_param('number', string(31), 'Начало регистрационного номера'),
    query_param('q', string(200), 'Слова краткого содержания (с учётом словоформ)'),
    query_param('page', integer(minimum=1), 'Страница, с 1'),
    query_param('per_page', {**integer(minimum=1), 'maximum': 200}, 'Записей на странице, до 200'),
]


CARD_OK = ('200', 'Карточка', ref('Card'))


def _upload() -> dict[str, Any]:
    operation = op(
        'uploadAttachment',
        'Добавить файл (multipart/form-data: file, description)',
        'attachments',
        ('201', 'Файл сохранён', ref('Attachment')),
        errors=('401', '403', '404', '409', '413', '415', '422'),
    )
    operation['requestBody'] = {'required': True, 'content': content(ref('AttachmentUpload'), 'multipart/form-data')}
    return operation


PATHS: dict[str, dict[str, Any]] = {
    '/cards': {
        'get': op(
            'listCards',
            'Список карточек с фильтрами',
            'cards',
            ('200', 'Страница списка', ref('CardList')),
            errors=('401', '422'),
            params=CARD_FILTERS,
        ),
        'post': op(
            'createCard',
            'Создать карточку и (по умолчанию) зарегистрировать',
            'cards',
            ('201', 'Карточка создана; заголовок Location', ref('Card')),
            errors=(*WRITE, '409'),
            body='CardInput',
        ),
    },
    '/cards/{card_id}': {
        'parameters': [CARD_ID],
        'get': op('getCard', 'Карточка целиком', 'cards', CARD_OK, errors=READ),
        'patch': op('updateCard', 'Изменить поля карточки', 'cards', CARD_OK, errors=(*WRITE, '409'), body='CardPatch'),
    },
    '/cards/{card_id}/register': {
        'parameters': [CARD_ID],
        'post': op(
            'registerCard', 'Зарегистрировать черновик', 'cards', CARD_OK, errors=(*WRITE, '409'), body='RegisterInput'
        ),
    },
    '/cards/{card_id}/cancel': {
        'parameters': [CARD_ID],
        'post': op('cancelCard', 'Аннулировать карточку', 'cards', CARD_OK, errors=(*WRITE, '409'), body='CancelInput'),
    },
    '/cards/{card_id}/file': {
        'parameters': [CARD_ID],
        'post': op('fileCard', 'Списать карточку в дело', 'cards', CARD_OK, errors=(*WRITE, '409'), body='FileInput'),
    },
    '/cards/{card_id}/history': {
        'parameters': [CARD_ID],
        'get': op('cardHistory', 'История изменений карточки', 'cards', ('200', 'Записи журнала', ref('History'))),
    },
    '/cards/{card_id}/attachments': {
        'parameters': [CARD_ID],
        'get': op(
            'listAttachments', 'Файлы карточки', 'attachments', ('200', 'Список', ref('AttachmentList')), errors=READ
        ),
        'post': _upload(),
    },
    '/cards/{card_id}/attachments/{attachment_id}': {
        'parameters': [CARD_ID, ATTACHMENT_ID],
        'get': op('getAttachment', 'Сведения о файле', 'attachments', ('200', 'Файл', ref('Attachment')), errors=READ),
        'delete': op(
            'deleteAttachment',
            'Удалить файл',
            'attachments',
            ('204', 'Удалён', None),
            errors=('401', '403', '404', '409'),
        ),
    },
    '/cards/{card_id}/attachments/{attachment_id}/content': {
        'parameters': [CARD_ID, ATTACHMENT_ID],
        'get': {
            **op('downloadAttachment', 'Содержимое файла', 'attachments', ('200', 'Байты файла', None)),
            'responses': {
                '200': {
                    'description': 'Байты файла под исходным именем (проверены по sha256)',
                    'content': {'application/octet-stream': {'schema': string(format='binary')}},
                },
                **{code: ref_response(code) for code in ('401', '404', '409')},
                '410': {'description': 'Файл отсутствует в хранилище', 'content': content(ref('Error'))},
            },
        },
    },
    '/organizations': {
        'get': op('listOrganizations', 'Организации системы', 'directory', ('200', 'Список', ref('OrganizationList'))),
        'post': op(
            'createOrganization',
            'Подключить организацию (администратор системы)',
            'directory',
            ('201', 'Создана', ref('Organization')),
            errors=WRITE,
            body='OrganizationInput',
        ),
    },
    '/organizations/{organization_id}': {
        'parameters': [ORGANIZATION_ID],
        'get': op(
            'getOrganization', 'Организация', 'directory', ('200', 'Организация', ref('Organization')), errors=READ
        ),
        'patch': op(
            'updateOrganization',
            'Изменить реквизиты организации',
            'directory',
            ('200', 'Организация', ref('Organization')),
            errors=WRITE,
            body='OrganizationPatch',
        ),
    },
    '/organizations/{organization_id}/departments': {
        'parameters': [ORGANIZATION_ID],
        'get': op(
            'listDepartments',
            'Подразделения организации',
            'directory',
            ('200', 'Дерево', ref('DepartmentList')),
            errors=READ,
        ),
    },
    '/journals': {
        'get': op(
            'listJournals',
            'Журналы регистрации своей организации',
            'directory',
            ('200', 'Список', ref('JournalList')),
            errors=('401', '422'),
            params=[query_param('year', integer(minimum=2000), 'Год')],
        ),
        'post': op(
            'createJournal',
            'Создать журнал (администратор)',
            'directory',
            ('201', 'Создан', ref('Journal')),
            errors=WRITE,
            body='JournalInput',
        ),
    },
    '/case-files': {
        'get': op(
            'listCaseFiles',
            'Номенклатура дел своей организации',
            'directory',
            ('200', 'Список', ref('CaseFileList')),
            errors=('401', '422'),
            params=[
                query_param('year', integer(minimum=2000), 'Год'),
                query_param('open_only', {'type': 'boolean'}, 'Только открытые дела'),
            ],
        ),
        'post': op(
            'createCaseFile',
            'Создать дело (администратор)',
            'directory',
            ('201', 'Создано', ref('CaseFile')),
            errors=WRITE,
            body='CaseFileInput',
        ),
    },
    '/me': {'get': op('me', 'Текущий пользователь токена', 'directory', ('200', 'Пользователь', ref('Me')))},
    '/notifications': {
        'get': op(
            'listNotifications',
            'Уведомления пользователя токена: сначала непрочитанные, затем новые',
            'notifications',
            ('200', 'Страница списка', ref('NotificationList')),
            errors=('401', '422'),
            params=[
                query_param('unread', {'type': 'boolean'}, 'Только непрочитанные (unread=1)'),
                query_param('page', integer(minimum=1), 'Страница, с 1'),
                query_param('per_page', {**integer(minimum=1), 'maximum': 200}, 'Записей на странице, до 200'),
            ],
        ),
    },
    '/notifications/read': {
        'post': op(
            'readNotifications',
            'Отметить прочитанными: {"ids": [...]} (только свои, иначе 404) или {"all": true}',
            'notifications',
            ('200', 'Сколько отмечено и сколько осталось непрочитанных', ref('NotificationReadResult')),
            errors=('400', '401', '404', '415', '422'),
            body='NotificationReadInput',
        ),
    },
    '/openapi.json': {
        'get': op(
            'openapi', 'Этот документ', 'meta', ('200', 'OpenAPI 3.0.3', {'type': 'object'}), errors=(), public=True
        )
    },
}


def document() -> dict[str, Any]:
    """The whole OpenAPI document."""
    return {
        'openapi': '3.0.3',
        'info': {
            'title': 'МСЭД: API регистрационных карточек и исполнения резолюций',
            'version': '1.0.0',
            'description': 'Ошибки: {"error": {"code", "message", "fields"}}; сообщения на русском языке. '
            'Неизвестные поля отклоняются. Доступ по токену: Authorization: Bearer <токен>.',
        },
        'servers': [{'url': '/api/v1'}],
        'security': [{'bearerAuth': []}],
        'tags': [
            {'name': name}
            for name in (
                'cards',
                'attachments',
                'resolutions',
                'signatures',
                'directory',
                'notifications',
                'routing',
                'applications',
                'complaints',
                'confirmation-codes',
                'interagency',
                'stay',
                'legal-cabinets',
                'me',
                'meta',
            )
        ],
        'paths': {
            **PATHS,
            **RESOLUTION_PATHS,
            **SIGNATURE_PATHS,
            **EXCHANGE_PATHS,
            **ROUTING_PATHS,
            **APPLICATION_PATHS,
            **COMPLAINT_PATHS,
            **CONFIRMATION_PATHS,
            **INTERAGENCY_PATHS,
            **STAY_PATHS,
            **LEGAL_CABINET_PATHS,
            **PHONE_PATHS,
        },
        'components': {
            'securitySchemes': {'bearerAuth': {'type': 'http', 'scheme': 'bearer', 'description': 'Токен API'}},
            'schemas': {
                **SCHEMAS,
                **RESOLUTION_SCHEMAS,
                **SIGNATURE_SCHEMAS,
                **EXCHANGE_SCHEMAS,
                **ROUTING_SCHEMAS,
                **APPLICATION_SCHEMAS,
                **COMPLAINT_SCHEMAS,
                **CONFIRMATION_SCHEMAS,
                **INTERAGENCY_SCHEMAS,
                **STAY_SCHEMAS,
                **LEGAL_CABINET_SCHEMAS,
                **PHONE_SCHEMAS,
            },
            'responses': {
                name: {'description': description, 'content': content(ref('Error'))}
                for name, description in ERROR_RESPONSES.values()
            },
        },
    }
