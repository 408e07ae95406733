"""Paths of the OpenAPI document for resolutions and control of execution (tag `resolutions`) and the 59-ФЗ
extension of a citizen appeal's answer (tag `cards`)."""

from __future__ import annotations

from typing import Any

from edms.api.openapi_ops import READ, WRITE, content, op, path_param, query_param, ref_response
from edms.api.openapi_schemas import Schema, integer, ref, string
from edms.resolutions.queries import FOLDERS, MY_FILTERS

TAG = 'resolutions'
CARD_ID = path_param('card_id', 'Идентификатор карточки')
RESOLUTION_ID = path_param('resolution_id', 'Идентификатор резолюции')
ASSIGNMENT_ID = path_param('assignment_id', 'Идентификатор поручения (исполнителя резолюции)')
REPORT_ID = path_param('report_id', 'Идентификатор отчёта об исполнении')
FILE_ID = path_param('file_id', 'Идентификатор файла отчёта')
EXTENSION_ID = path_param('extension_id', 'Идентификатор запроса о продлении срока')
FOLDER = {
    'name': 'folder',
    'in': 'path',
    'required': True,
    'description': 'Папка кабинета',
    'schema': {'type': 'string', 'enum': [folder.key for folder in FOLDERS]},
}
PAGING = [
    query_param('page', integer(minimum=1), 'Страница, с 1'),
    query_param('per_page', {**integer(minimum=1), 'maximum': 200}, 'Записей на странице, до 200'),
]
#: A step on an existing object: it may be someone else's (403) or in a state that forbids it (409).
STEP = (*WRITE, '409')
NODE_OK = ('200', 'Резолюция с поручениями, отчётами и подчинёнными резолюциями', ref('ResolutionNode'))
NODE_CREATED = ('201', 'Резолюция; заголовок Location', ref('ResolutionNode'))
REPORT_OK = ('200', 'Отчёт', ref('Report'))
EXTENSION_OK = ('200', 'Запрос о продлении', ref('Extension'))


def step(operation_id: str, summary: str, body: str, ok: tuple[str, str, Schema], **extra: Any) -> dict[str, Any]:
    return op(operation_id, summary, TAG, ok, errors=STEP, body=body, **extra)


def _submit_report() -> dict[str, Any]:
    operation = step(
        'submitReport', 'Отчёт исполнителя: JSON {text} или multipart (text, files)', 'ReportInput', REPORT_OK
    )
    operation['responses'] = {
        '201': {'description': 'Отчёт направлен; заголовок Location', 'content': content(ref('Report'))},
        **{code: ref_response(code) for code in (*STEP, '413')},
    }
    operation['requestBody'] = {
        'required': True,
        'content': {**content(ref('ReportInput')), **content(ref('ReportUpload'), 'multipart/form-data')},
    }
    return operation


def _download() -> dict[str, Any]:
    return {
        **op('downloadReportFile', 'Файл отчёта', TAG, ('200', 'Байты файла', None)),
        'responses': {
            '200': {
                'description': 'Байты файла под исходным именем (проверены по sha256)',
                'content': {'application/octet-stream': {'schema': string(format='binary')}},
            },
            **{code: ref_response(code) for code in ('401', '404', '409')},
            '410': {'description': 'Файл отсутствует в хранилище', 'content': content(ref('Error'))},
        },
    }


RESOLUTION_PATHS: dict[str, dict[str, Any]] = {
    '/cards/{card_id}/resolutions': {
        'parameters': [CARD_ID],
        'get': op(
            'listCardResolutions',
            'Резолюции карточки деревом: поручения, отчёты, продления, подчинённые резолюции',
            TAG,
            ('200', 'Дерево резолюций', ref('ResolutionTree')),
            errors=READ,
        ),
        'post': op(
            'issueResolution',
            'Вынести резолюцию (руководитель) или подготовить проект ("draft": true, помощник)',
            TAG,
            NODE_CREATED,
            errors=STEP,
            body='ResolutionIssueInput',
        ),
    },
    '/cards/{card_id}/appeal-extension': {
        'parameters': [CARD_ID],
        'post': op(
            'extendAppealAnswer',
            'Продлить срок ответа на обращение гражданина (ст. 12 ч. 2 59-ФЗ), один раз',
            'cards',
            ('200', 'Карточка', ref('Card')),
            errors=STEP,
            body='AppealExtensionInput',
        ),
    },
    '/resolutions/{resolution_id}': {
        'parameters': [RESOLUTION_ID],
        'get': op('getResolution', 'Резолюция', TAG, NODE_OK, errors=READ),
    },
    '/resolutions/{resolution_id}/approve': {
        'parameters': [RESOLUTION_ID],
        'post': step(
            'approveResolution',
            'Утвердить проект как есть (пустое тело) или с правкой и подписать',
            'ResolutionApproveInput',
            NODE_OK,
            body_required=False,
        ),
    },
    '/resolutions/{resolution_id}/return': {
        'parameters': [RESOLUTION_ID],
        'post': step('returnResolution', 'Вернуть проект помощнику с комментарием', 'CommentInput', NODE_OK),
    },
    '/resolutions/{resolution_id}/resubmit': {
        'parameters': [RESOLUTION_ID],
        'post': step(
            'resubmitResolution',
            'Доработать проект (помощник) и направить руководителю снова',
            'ResolutionDraftInput',
            NODE_OK,
        ),
    },
    '/resolutions/{resolution_id}/cancel': {
        'parameters': [RESOLUTION_ID],
        'post': step('cancelResolution', 'Отменить резолюцию (автор)', 'ResolutionCancelInput', NODE_OK),
    },
    '/resolutions/{resolution_id}/close-control': {
        'parameters': [RESOLUTION_ID],
        'post': step('closeControl', 'Снять с контроля с отметкой об исполнении', 'CloseControlInput', NODE_OK),
    },
    '/assignments': {
        'get': op(
            'listMyAssignments',
            'Мои поручения с фильтром и счётчиками',
            TAG,
            ('200', 'Страница списка', ref('MyAssignments')),
            errors=('401', '422'),
            params=[
                query_param('filter', {'type': 'string', 'enum': list(MY_FILTERS), 'default': 'open'}, 'Фильтр'),
                *PAGING,
            ],
        ),
    },
    '/assignments/{assignment_id}': {
        'parameters': [ASSIGNMENT_ID],
        'get': op(
            'getAssignment', 'Поручение с отчётами и продлениями', TAG, ('200', 'Поручение', ref('AssignmentWork'))
        ),
    },
    '/assignments/{assignment_id}/sub-resolutions': {
        'parameters': [ASSIGNMENT_ID],
        'post': step('issueSubResolution', 'Подчинённая резолюция исполнителя', 'SubResolutionInput', NODE_CREATED),
    },
    '/assignments/{assignment_id}/reports': {'parameters': [ASSIGNMENT_ID], 'post': _submit_report()},
    '/assignments/{assignment_id}/extensions': {
        'parameters': [ASSIGNMENT_ID],
        'post': step(
            'requestExtension',
            'Запросить продление срока',
            'ExtensionInput',
            ('201', 'Запрос направлен автору; заголовок Location', ref('Extension')),
        ),
    },
    '/reports/{report_id}': {
        'parameters': [REPORT_ID],
        'get': op('getReport', 'Отчёт об исполнении', TAG, REPORT_OK, errors=READ),
    },
    '/reports/{report_id}/accept': {
        'parameters': [REPORT_ID],
        'post': step('acceptReport', 'Принять отчёт', 'OptionalCommentInput', REPORT_OK, body_required=False),
    },
    '/reports/{report_id}/return': {
        'parameters': [REPORT_ID],
        'post': step('returnReport', 'Вернуть отчёт на доработку', 'CommentInput', REPORT_OK),
    },
    '/reports/{report_id}/files/{file_id}': {'parameters': [REPORT_ID, FILE_ID], 'get': _download()},
    '/extensions/{extension_id}': {
        'parameters': [EXTENSION_ID],
        'get': op('getExtension', 'Запрос о продлении срока', TAG, EXTENSION_OK, errors=READ),
    },
    '/extensions/{extension_id}/decide': {
        'parameters': [EXTENSION_ID],
        'post': step(
            'decideExtension', 'Решение автора: продлить или отказать', 'ExtensionDecisionInput', EXTENSION_OK
        ),
    },
    '/cabinet': {
        'get': op(
            'cabinet',
            'Кабинет руководителя: папки со счётчиками',
            TAG,
            ('200', 'Папки', ref('Cabinet')),
            errors=('401', '422'),
        ),
    },
    '/cabinet/{folder}': {
        'parameters': [FOLDER],
        'get': op(
            'cabinetFolder',
            'Страница папки кабинета',
            TAG,
            ('200', 'Страница папки', ref('FolderPage')),
            errors=('401', '404', '422'),
            params=PAGING,
        ),
    },
}
