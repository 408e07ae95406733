"""Components of the OpenAPI document for resolutions and control of execution: the inputs of every step (their
field names are those of `edms.resolutions.validation`, which also name the errors) and the JSON shapes of
`edms.api.resolution_serializers`; and the input of the 59-ФЗ extension of a citizen appeal's answer.
"""

from __future__ import annotations

from edms.api.openapi_schemas import DATE, DATETIME, ID, USER_REF, Schema, enum_of, integer, ref, string
from edms.registry.appeals import MAX_EXTENSION_DAYS
from edms.resolutions.models import (
    AssignmentStatus,
    ExtensionStatus,
    ReportAddressee,
    ReportStatus,
    ResolutionStatus,
)
from edms.resolutions.models.resolutions import COMMENT_MAX, TEXT_MAX
from edms.resolutions.queries import FOLDERS, MY_FILTERS
from edms.resolutions.validation import MAX_DEADLINE_DAYS, MAX_EXECUTORS
from edms.signatures.records import METHODS

BOOLEAN: Schema = {'type': 'boolean'}
ACTIONS: Schema = {'type': 'array', 'items': string(), 'description': 'Шаги, доступные пользователю токена сейчас'}


def closed_input(properties: dict[str, Schema], required: list[str] | None = None) -> Schema:
    """A request body: only these fields (unknown ones are refused with 422)."""
    schema: Schema = {'type': 'object', 'additionalProperties': False, 'properties': properties}
    if required:
        schema['required'] = required
    return schema


def answer(properties: dict[str, Schema]) -> Schema:
    """A response object: every listed field is always present (null where the schema says nullable)."""
    return {'type': 'object', 'required': list(properties), 'properties': properties}


def array(items: Schema) -> Schema:
    return {'type': 'array', 'items': items}


EXECUTOR_INPUT = closed_input(
    {
        'user_id': ID,
        'responsible': {**BOOLEAN, 'description': 'Ответственный исполнитель (ровно один на резолюцию)'},
        'deadline': string(format='date', description='Срок датой: рабочий день, не в прошлом'),
        'deadline_days': {
            **integer(minimum=1),
            'maximum': MAX_DEADLINE_DAYS,
            'description': 'Или срок в рабочих днях от даты регистрации карточки',
        },
    },
    ['user_id'],
)
RESOLUTION_FIELDS: dict[str, Schema] = {
    'text': string(TEXT_MAX, description='Текст поручения'),
    'executors': {
        **array(EXECUTOR_INPUT),
        'minItems': 1,
        'maxItems': MAX_EXECUTORS,
        'description': 'Ошибки: executors, executors.<i>.user_id, executors.<i>.deadline',
    },
    'is_controlled': {**BOOLEAN, 'description': 'На контроле'},
    'controller_id': integer(minimum=1, nullable=True),
}
AUTHOR_ID: Schema = {**ID, 'description': 'Руководитель, которому адресован проект'}
SIGNATURE: Schema = closed_input(
    {
        'method': {'type': 'string', 'enum': list(METHODS), 'default': 'simple'},
        'certificate_id': {**ID, 'description': 'Для qualified: сертификат с хранимым контейнером PKCS#12'},
        'password': {'type': 'string', 'description': 'Для qualified: пароль контейнера (не сохраняется)'},
    },
)
SIGNATURE['description'] = 'Подпись автора: простая (simple) или квалифицированная (qualified) хранимым сертификатом'

RESOLUTION_SUMMARY_FIELDS: dict[str, Schema] = {
    'id': ID,
    'url': string(),
    'card_id': ID,
    'parent_assignment_id': integer(nullable=True),
    'author': USER_REF,
    'text': string(),
    'status': enum_of(ResolutionStatus),
    'status_label': string(),
    'is_controlled': BOOLEAN,
    'controller_id': integer(nullable=True),
    'issued_at': DATETIME,
}
ASSIGNMENT_FIELDS: dict[str, Schema] = {
    'id': ID,
    'url': string(),
    'resolution_id': ID,
    'card_id': ID,
    'executor': USER_REF,
    'is_responsible': BOOLEAN,
    'role_label': string(),
    'deadline': DATE,
    'initial_deadline': DATE,
    'deadline_explanation': string(description='Как исчислен срок (календарь рабочих дней)'),
    'status': enum_of(AssignmentStatus),
    'status_label': string(),
    'executed_at': DATE,
    'overdue': BOOLEAN,
    'due_soon': {**BOOLEAN, 'description': 'Срок в ближайшие 3 рабочих дня'},
}
ASSIGNMENT_NODE_FIELDS: dict[str, Schema] = {
    **ASSIGNMENT_FIELDS,
    'actions': ACTIONS,
    'reports': array(ref('Report')),
    'extensions': array(ref('Extension')),
    'sub_resolutions': array(ref('ResolutionNode')),
}
REPORT_FILE = answer(
    {
        'id': ID,
        'filename': string(),
        'content_type': string(),
        'size': integer(minimum=0),
        'sha256': string(pattern='^[0-9a-f]{64}$'),
        'download_url': string(),
    }
)
LIST_PAGE: dict[str, Schema] = {'page': integer(minimum=1), 'per_page': integer(minimum=1), 'has_next': BOOLEAN}
FOLDER = answer(
    {
        'key': {'type': 'string', 'enum': [folder.key for folder in FOLDERS]},
        'title': string(),
        'description': string(),
        'unit': {'type': 'string', 'enum': ['cards', 'resolutions', 'assignments']},
        'count': integer(minimum=0),
        'url': string(),
    }
)

RESOLUTION_SCHEMAS: dict[str, Schema] = {
    'ResolutionIssueInput': closed_input(
        {
            **RESOLUTION_FIELDS,
            'draft': {**BOOLEAN, 'default': False, 'description': 'Проект резолюции помощника для руководителя'},
            'author_id': {**AUTHOR_ID, 'description': 'Только с draft: руководитель, которому адресован проект'},
            'signature': SIGNATURE,
        },
        ['text', 'executors'],
    ),
    'ResolutionApproveInput': {
        **closed_input({**RESOLUTION_FIELDS, 'signature': SIGNATURE}),
        'description': 'Пустое тело — утвердить как есть; поля резолюции — утвердить с правкой (все поля)',
    },
    'ResolutionDraftInput': closed_input({**RESOLUTION_FIELDS, 'author_id': AUTHOR_ID}, ['text', 'executors']),
    'SubResolutionInput': closed_input({**RESOLUTION_FIELDS, 'signature': SIGNATURE}, ['text', 'executors']),
    'CommentInput': closed_input({'comment': string(COMMENT_MAX)}, ['comment']),
    'OptionalCommentInput': closed_input({'comment': string(COMMENT_MAX)}),
    'ResolutionCancelInput': closed_input({'reason': string(COMMENT_MAX)}, ['reason']),
    'CloseControlInput': closed_input(
        {'execution_mark': string(TEXT_MAX, description='Отметка об исполнении'), 'case_file_id': ID},
        ['execution_mark'],
    ),
    'ReportInput': closed_input({'text': string(TEXT_MAX)}, ['text']),
    'ReportUpload': {
        'type': 'object',
        'required': ['text'],
        'properties': {'text': string(TEXT_MAX), 'files': array(string(format='binary'))},
    },
    'ExtensionInput': closed_input(
        {'reason': string(COMMENT_MAX), 'deadline': string(format='date', description='Новый срок')},
        ['reason', 'deadline'],
    ),
    'ExtensionDecisionInput': closed_input(
        {
            'decision': {'type': 'string', 'enum': ['grant', 'refuse']},
            'comment': string(COMMENT_MAX, description='Обязателен при отказе'),
        },
        ['decision'],
    ),
    'AppealExtensionInput': closed_input(
        {
            'extension_days': {**integer(minimum=1), 'maximum': MAX_EXTENSION_DAYS},
            'extension_reason': string(1000, description='Основание продления'),
            'extension_notice': string(1000, description='Как и когда уведомлён заявитель'),
        },
        ['extension_days', 'extension_reason', 'extension_notice'],
    ),
    'ResolutionSummary': answer(RESOLUTION_SUMMARY_FIELDS),
    'ResolutionNode': answer(
        {
            **RESOLUTION_SUMMARY_FIELDS,
            'card_url': string(),
            'prepared_by': USER_REF,
            'controller': USER_REF,
            'return_comment': string(nullable=True),
            'control_closed_at': DATETIME,
            'control_closed_by_id': integer(nullable=True),
            'execution_mark': string(nullable=True),
            'case_file_id': integer(nullable=True),
            'executed_at': DATETIME,
            'cancelled_at': DATETIME,
            'cancel_reason': string(nullable=True),
            'signature': {
                **answer(
                    {
                        'method': string(),
                        'signed_by_id': ID,
                        'signed_at': DATETIME,
                        'digest': string(pattern='^[0-9a-f]{64}$'),
                        'valid': {**BOOLEAN, 'description': 'Содержание не менялось после подписания'},
                    }
                ),
                'nullable': True,
            },
            'created_at': DATETIME,
            'updated_at': DATETIME,
            'actions': ACTIONS,
            'depth': integer(minimum=0),
            'assignments': array(ref('AssignmentNode')),
        }
    ),
    'ResolutionTree': answer({'items': array(ref('ResolutionNode'))}),
    'AssignmentNode': answer(ASSIGNMENT_NODE_FIELDS),
    'AssignmentWork': answer(
        {**ASSIGNMENT_NODE_FIELDS, 'resolution': ref('ResolutionSummary'), 'card': ref('CardItem')}
    ),
    'Report': answer(
        {
            'id': ID,
            'url': string(),
            'assignment_id': ID,
            'author': USER_REF,
            'addressed_to': enum_of(ReportAddressee),
            'addressed_to_label': string(),
            'addressee': USER_REF,
            'text': string(),
            'status': enum_of(ReportStatus),
            'status_label': string(),
            'decided_by_id': integer(nullable=True),
            'decided_at': DATETIME,
            'decision_comment': string(nullable=True),
            'created_at': DATETIME,
            'files': array(REPORT_FILE),
            'actions': ACTIONS,
        }
    ),
    'Extension': answer(
        {
            'id': ID,
            'url': string(),
            'assignment_id': ID,
            'requested_by': USER_REF,
            'reason': string(),
            'old_deadline': DATE,
            'requested_deadline': DATE,
            'status': enum_of(ExtensionStatus),
            'status_label': string(),
            'decided_by_id': integer(nullable=True),
            'decided_at': DATETIME,
            'comment': string(nullable=True),
            'created_at': DATETIME,
            'actions': ACTIONS,
        }
    ),
    'MyAssignments': answer(
        {
            'filter': {'type': 'string', 'enum': list(MY_FILTERS)},
            'items': array(
                answer(
                    {
                        **ASSIGNMENT_FIELDS,
                        'pending_extension': BOOLEAN,
                        'resolution': ref('ResolutionSummary'),
                        'card': ref('CardItem'),
                    }
                )
            ),
            **LIST_PAGE,
            'counts': answer({key: integer(minimum=0) for key in ('open', 'due_soon', 'overdue')}),
        }
    ),
    'Cabinet': answer({'folders': array(FOLDER)}),
    'FolderPage': answer(
        {
            'folder': FOLDER,
            'items': array(
                answer(
                    {
                        'card': ref('CardItem'),
                        'resolution': {
                            **answer(RESOLUTION_SUMMARY_FIELDS),
                            'properties': {
                                **RESOLUTION_SUMMARY_FIELDS,
                                'executors': {
                                    **array(answer(ASSIGNMENT_FIELDS)),
                                    'description': 'Только в папках резолюций: исполнители со сроками',
                                },
                            },
                        },
                        'assignment': {**answer(ASSIGNMENT_FIELDS), 'nullable': True},
                        'overdue': BOOLEAN,
                        'due_soon': BOOLEAN,
                    }
                )
            ),
            **LIST_PAGE,
            'total': integer(minimum=0),
        }
    ),
}
