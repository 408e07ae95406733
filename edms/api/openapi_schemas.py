"""Components of the OpenAPI document: the JSON schemas of cards (with their 59-ФЗ deadlines), attachments, directory
objects and errors; those of resolutions are in `openapi_resolution_schemas`.

Enumerations come from the domain enums, so a new kind or status appears here without editing this file.
"""

from __future__ import annotations

import enum
from typing import Any

from edms.directory.models import OrganizationKind
from edms.registry.appeals import DUE, MET, OVERDUE
from edms.registry.models import AccessMark, CardKind, CardStatus, CorrespondentType, DeliveryMethod, LinkKind
from edms.registry.validation import SUMMARY_MAX

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {'$ref': f'#/components/schemas/{name}'}


def enum_of(enum_class: type[enum.Enum], *, nullable: bool = False) -> Schema:
    schema: Schema = {'type': 'string', 'enum': [str(member.value) for member in enum_class]}
    return {**schema, 'nullable': True} if nullable else schema


def string(max_length: int | None = None, *, nullable: bool = False, **extra: Any) -> Schema:
    schema: Schema = {'type': 'string', **extra}
    if max_length is not None:
        schema['maxLength'] = max_length
    return {**schema, 'nullable': True} if nullable else schema


def integer(*, minimum: int | None = None, nullable: bool = False) -> Schema:
    schema: Schema = {'type': 'integer'}
    if minimum is not None:
        schema['minimum'] = minimum
    return {**schema, 'nullable': True} if nullable else schema


def object_schema(properties: dict[str, Schema], required: list[str] | None = None) -> Schema:
    """An object with these properties; `required` names the ones always present."""
    schema: Schema = {'type': 'object', 'properties': properties}
    return {**schema, 'required': required} if required else schema


def closed_object(properties: dict[str, Schema], required: list[str] | None = None) -> Schema:
    """A request body: only these fields (unknown ones are refused with 422)."""
    return {**object_schema(properties, required), 'additionalProperties': False}


DATE = string(nullable=True, format='date', description='ГГГГ-ММ-ДД (принимается и ДД.ММ.ГГГГ)')
DATETIME = string(nullable=True, format='date-time')
ID = integer(minimum=1)
USER_REF: Schema = {
    'type': 'object',
    'nullable': True,
    'properties': {'id': integer(), 'name': string()},
}
ADDRESSEE: Schema = {
    'type': 'object',
    'additionalProperties': False,
    'properties': {'name': string(511), 'organization_id': integer(minimum=1, nullable=True)},
}
LINK_INPUT: Schema = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['kind', 'card_id'],
    'properties': {'kind': enum_of(LinkKind), 'card_id': ID},
}

#: Every card field a client may send (the keys are `registry.validation.CARD_FIELDS`).
CARD_FIELD_SCHEMAS: dict[str, Schema] = {
    'kind': enum_of(CardKind),
    'document_kind': string(100, description='Вид документа: «Письмо», «Приказ», «Заявление»…'),
    'summary': string(SUMMARY_MAX, description='Краткое содержание'),
    'correspondent_type': enum_of(CorrespondentType, nullable=True),
    'correspondent_organization_id': integer(minimum=1, nullable=True),
    'correspondent_name': string(511),
    'sender_number': string(64, nullable=True),
    'sender_date': DATE,
    'received_date': DATE,
    'signer': string(255),
    'addressees': {
        'type': 'array',
        'maxItems': 500,
        'items': {'oneOf': [string(511), ADDRESSEE]},
        'description': 'Адресаты: строки или объекты {name, organization_id}',
    },
    'pages': integer(minimum=1, nullable=True),
    'attachment_pages': integer(minimum=0, nullable=True),
    'access_mark': enum_of(AccessMark),
    'case_file_id': integer(minimum=1, nullable=True),
    'delivery_method': enum_of(DeliveryMethod, nullable=True),
    'department_id': integer(minimum=1, nullable=True),
    'links': {'type': 'array', 'items': LINK_INPUT},
}

#: The 59-ФЗ parts of a card (`serializers.appeal_json`): an empty list and null for cards that are not appeals.
APPEAL_CARD_FIELDS: dict[str, Schema] = {
    'appeal_deadlines': {
        'type': 'array',
        'description': 'Сроки 59-ФЗ: регистрация, направление по компетенции, ответ',
        'items': {
            'type': 'object',
            'properties': {
                'key': {'type': 'string', 'enum': ['registration', 'forwarding', 'answer']},
                'label': string(),
                'basis': string(description='Статья 59-ФЗ'),
                'due': DATE,
                'status': {'type': 'string', 'enum': [MET, DUE, OVERDUE], 'nullable': True},
                'status_label': string(),
                'done_on': DATE,
                'explanation': string(description='Как исчислен срок по календарю'),
            },
        },
    },
    'appeal_extension': {
        'type': 'object',
        'nullable': True,
        'description': 'Продление срока ответа (ст. 12 ч. 2 59-ФЗ), однократное',
        'properties': {
            'days': integer(minimum=1),
            'reason': string(),
            'notice': string(),
            'extended_at': DATETIME,
            'extended_by': USER_REF,
        },
    },
}

ATTACHMENT: Schema = {
    'type': 'object',
    'properties': {
        'id': ID,
        'card_id': ID,
        'filename': string(),
        'content_type': string(),
        'size': integer(minimum=0),
        'sha256': string(pattern='^[0-9a-f]{64}$'),
        'description': string(),
        'created_at': DATETIME,
        'url': string(),
        'download_url': string(),
    },
}

CARD_ITEM_FIELDS: dict[str, Schema] = {
    'id': ID,
    'url': string(),
    'kind': enum_of(CardKind),
    'status': enum_of(CardStatus),
    'reg_number': string(31, nullable=True),
    'reg_date': DATE,
    'document_kind': string(),
    'summary': string(),
    'correspondent_name': string(),
    'sender_number': string(nullable=True),
    'sender_date': DATE,
    'access_mark': enum_of(AccessMark),
    'created_at': DATETIME,
}

CARD: Schema = {
    'type': 'object',
    'properties': {
        **CARD_FIELD_SCHEMAS,
        **CARD_ITEM_FIELDS,
        'addressees': {'type': 'array', 'items': ADDRESSEE},
        'links': {
            'type': 'array',
            'items': {
                'type': 'object',
                'properties': {'kind': enum_of(LinkKind), 'card_id': ID, 'url': string()},
            },
        },
        'organization_id': ID,
        'kind_label': string(),
        'status_label': string(),
        'journal_id': integer(nullable=True),
        'registered_at': DATETIME,
        'cancel_reason': string(nullable=True),
        'attachments': {'type': 'array', 'items': ref('Attachment')},
        'created_by': USER_REF,
        'updated_by': USER_REF,
        'updated_at': DATETIME,
        **APPEAL_CARD_FIELDS,
    },
}

ORGANIZATION_INPUT_FIELDS: dict[str, Schema] = {
    'name': string(511),
    'short_name': string(255),
    'kind': enum_of(OrganizationKind),
    'ogrn': string(pattern='^[0-9]{13}$', description='ОГРН, 13 цифр с контрольной'),
    'inn': string(pattern='^[0-9]{10}$', description='ИНН юридического лица, 10 цифр с контрольной'),
    'kpp': string(pattern='^[0-9]{4}[0-9A-Z]{2}[0-9]{3}$'),
    'address': string(1000),
    'email': string(255),
    'medo_id': string(64, nullable=True),
    'is_active': {'type': 'boolean'},
}


def _input(properties: dict[str, Schema], required: list[str] | None = None) -> Schema:
    schema: Schema = {'type': 'object', 'additionalProperties': False, 'properties': properties}
    if required:
        schema['required'] = required
    return schema


def _list_of(name: str) -> Schema:
    return {'type': 'object', 'required': ['items'], 'properties': {'items': {'type': 'array', 'items': ref(name)}}}


SCHEMAS: dict[str, Schema] = {
    'Card': CARD,
    'CardItem': {'type': 'object', 'properties': CARD_ITEM_FIELDS},
    'CardInput': _input(
        {
            **CARD_FIELD_SCHEMAS,
            'register': {'type': 'boolean', 'default': True, 'description': 'Зарегистрировать сразу'},
            'confirm_duplicate': {'type': 'boolean', 'default': False, 'description': 'Подтвердить повтор'},
        },
        ['kind', 'document_kind', 'summary'],
    ),
    'CardPatch': _input(CARD_FIELD_SCHEMAS),
    'CardList': {
        'type': 'object',
        'properties': {
            'items': {'type': 'array', 'items': ref('CardItem')},
            'page': integer(minimum=1),
            'per_page': integer(minimum=1),
            'has_next': {'type': 'boolean'},
            'total': integer(minimum=0),
            'total_capped': {'type': 'boolean', 'description': 'Записей больше, чем показывает total'},
        },
    },
    'RegisterInput': _input(
        {'confirm_duplicate': {'type': 'boolean'}, 'journal_id': integer(minimum=1), 'reg_date': DATE}
    ),
    'CancelInput': _input({'reason': string(1000)}, ['reason']),
    'FileInput': _input({'case_file_id': ID}, ['case_file_id']),
    'Attachment': ATTACHMENT,
    'AttachmentList': _list_of('Attachment'),
    'AttachmentUpload': {
        'type': 'object',
        'required': ['file'],
        'properties': {'file': string(format='binary'), 'description': string(500)},
    },
    'AuditEntry': {
        'type': 'object',
        'properties': {
            'seq': ID,
            'created_at': DATETIME,
            'actor_id': integer(nullable=True),
            'action': string(),
            'data': {'type': 'object', 'additionalProperties': True},
        },
    },
    'History': _list_of('AuditEntry'),
    'Organization': {
        'type': 'object',
        'properties': {'id': ID, **ORGANIZATION_INPUT_FIELDS, 'url': string()},
    },
    'OrganizationInput': _input(ORGANIZATION_INPUT_FIELDS, ['name', 'short_name', 'kind', 'ogrn', 'inn', 'kpp']),
    'OrganizationPatch': _input(ORGANIZATION_INPUT_FIELDS),
    'OrganizationList': _list_of('Organization'),
    'Department': {
        'type': 'object',
        'properties': {
            'id': ID,
            'name': string(),
            'code': string(),
            'parent_id': integer(nullable=True),
            'is_active': {'type': 'boolean'},
            'depth': integer(minimum=0),
        },
    },
    'DepartmentList': _list_of('Department'),
    'Journal': {
        'type': 'object',
        'properties': {
            'id': ID,
            'kind': enum_of(CardKind),
            'year': integer(),
            'name': string(),
            'template': string(description='Шаблон номера, например Вх-{seq:05d}/{yy}'),
            'next_seq': integer(minimum=1),
            'is_default': {'type': 'boolean'},
            'is_active': {'type': 'boolean'},
        },
    },
    'JournalInput': _input(
        {
            'kind': enum_of(CardKind),
            'year': integer(minimum=2000),
            'name': string(255),
            'template': string(100),
            'is_default': {'type': 'boolean'},
            'is_active': {'type': 'boolean'},
        },
        ['kind', 'year', 'name', 'template'],
    ),
    'JournalList': _list_of('Journal'),
    'CaseFile': {
        'type': 'object',
        'properties': {
            'id': ID,
            'year': integer(),
            'index': string(),
            'title': string(),
            'retention_years': integer(nullable=True),
            'retention_label': string(),
            'retention_article': string(),
            'department_id': integer(nullable=True),
            'is_closed': {'type': 'boolean'},
        },
    },
    'CaseFileInput': _input(
        {
            'year': integer(minimum=2000),
            'index': string(32),
            'title': string(1000),
            'retention_years': integer(minimum=1, nullable=True),
            'retention_article': string(100),
            'department_id': integer(minimum=1, nullable=True),
            'is_closed': {'type': 'boolean'},
        },
        ['year', 'index', 'title'],
    ),
    'CaseFileList': _list_of('CaseFile'),
    'Me': {
        'type': 'object',
        'properties': {
            'id': ID,
            'login': string(),
            'name': string(),
            'organization_id': ID,
            'department_id': integer(nullable=True),
            'roles': {'type': 'array', 'items': string()},
            'can_access_restricted': {'type': 'boolean'},
            'is_system_admin': {'type': 'boolean'},
        },
    },
    'Notification': {
        'type': 'object',
        'properties': {
            'id': ID,
            'kind': string(64, description='Код вида уведомления'),
            'kind_label': string(),
            'text': string(1000),
            'url': string(500, description='Относительная ссылка на объект в приложении или пустая строка'),
            'created_at': DATETIME,
            'read_at': DATETIME,
            'is_read': {'type': 'boolean'},
        },
    },
    'NotificationList': {
        'type': 'object',
        'properties': {
            'items': {'type': 'array', 'items': ref('Notification')},
            'page': integer(minimum=1),
            'per_page': integer(minimum=1),
            'has_next': {'type': 'boolean'},
            'total': integer(minimum=0),
            'unread': integer(minimum=0),
        },
    },
    'NotificationReadInput': {
        **_input(
            {
                'ids': {'type': 'array', 'minItems': 1, 'maxItems': 1000, 'items': ID},
                'all': {'type': 'boolean', 'enum': [True]},
            }
        ),
        'description': 'Либо ids, либо "all": true',
    },
    'NotificationReadResult': {
        'type': 'object',
        'properties': {'marked': integer(minimum=0), 'unread': integer(minimum=0)},
    },
    'Error': {
        'type': 'object',
        'required': ['error'],
        'properties': {
            'error': {
                'type': 'object',
                'required': ['code', 'message', 'fields'],
                'properties': {
                    'code': string(description='Машинный код ошибки'),
                    'message': string(description='Сообщение для пользователя на русском языке'),
                    'fields': {
                        'type': 'object',
                        'additionalProperties': string(),
                        'description': 'Сообщение для каждого поля с ошибкой',
                    },
                    'existing': {
                        'type': 'array',
                        'description': 'Только possible_duplicate: уже зарегистрированные карточки',
                        'items': {
                            'type': 'object',
                            'properties': {'id': ID, 'reg_number': string(nullable=True), 'url': string()},
                        },
                    },
                },
            }
        },
    },
}
