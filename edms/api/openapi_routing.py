"""Paths and components of the OpenAPI document for routing (tag `routing`): the organization's rules, the trial of
the rules on a sample, a card's routing decision. The shapes are those of `edms.api.routing`."""

from __future__ import annotations

from typing import Any

from edms.api.openapi_ops import READ, WRITE, op, path_param
from edms.api.openapi_schemas import DATETIME, ID, USER_REF, Schema, enum_of, integer, ref, string
from edms.registry.models import CardKind, DeliveryMethod
from edms.routing.models import COMMENT_MAX, CORRESPONDENT_TEXT_MAX, DOCUMENT_KIND_MAX, NAME_MAX, SERVICE_CODE_MAX

TAG = 'routing'
RULE_ID = path_param('rule_id', 'Идентификатор правила маршрутизации')
CARD_ID = path_param('card_id', 'Идентификатор карточки')
NAMED: Schema = {'type': 'object', 'nullable': True, 'properties': {'id': ID, 'name': string()}}

#: Every field a client may send for a rule (the keys are `routing.validation.RULE_FIELDS`).
RULE_FIELD_SCHEMAS: dict[str, Schema] = {
    'name': string(NAME_MAX, description='Название правила'),
    'is_active': {'type': 'boolean', 'description': 'Действует (по умолчанию да)'},
    'card_kind': enum_of(CardKind, nullable=True),
    'document_kind': string(DOCUMENT_KIND_MAX, nullable=True, description='Вид документа, без учёта регистра'),
    'correspondent_organization_id': integer(minimum=1, nullable=True),
    'correspondent_text': string(CORRESPONDENT_TEXT_MAX, nullable=True, description='Часть наименования отправителя'),
    'service_code': string(SERVICE_CODE_MAX, nullable=True, description='Код государственной услуги'),
    'delivery_method': enum_of(DeliveryMethod, nullable=True),
    'department_id': integer(minimum=1, nullable=True),
    'executor_id': integer(minimum=1, nullable=True),
    'comment': string(COMMENT_MAX),
}
SAMPLE_FIELD_SCHEMAS: dict[str, Schema] = {
    'kind': enum_of(CardKind, nullable=True),
    'document_kind': string(DOCUMENT_KIND_MAX),
    'correspondent_organization_id': integer(minimum=1, nullable=True),
    'correspondent_name': string(511),
    'service_code': string(SERVICE_CODE_MAX),
    'delivery_method': enum_of(DeliveryMethod, nullable=True),
}


def _input(properties: dict[str, Schema], required: list[str] | None = None) -> Schema:
    schema: Schema = {'type': 'object', 'additionalProperties': False, 'properties': properties}
    return {**schema, 'required': required} if required else schema


ROUTING_SCHEMAS: dict[str, Schema] = {
    'RoutingRule': {
        'type': 'object',
        'properties': {
            'id': ID,
            'url': string(),
            'organization_id': ID,
            'position': integer(minimum=1),
            **RULE_FIELD_SCHEMAS,
            'department': NAMED,
            'executor': USER_REF,
        },
    },
    'RoutingRuleList': {
        'type': 'object',
        'required': ['items'],
        'properties': {'items': {'type': 'array', 'items': ref('RoutingRule')}},
    },
    'RoutingRuleInput': {
        **_input(RULE_FIELD_SCHEMAS, ['name']),
        'description': 'Нужно подразделение (department_id) или исполнитель (executor_id)',
    },
    'RoutingRulePatch': _input(RULE_FIELD_SCHEMAS),
    'RoutingMoveInput': _input({'direction': {'type': 'string', 'enum': ['up', 'down']}}, ['direction']),
    'RoutingSample': _input(SAMPLE_FIELD_SCHEMAS),
    'RoutingTrial': {
        'type': 'object',
        'required': ['sample', 'fired_rule_id', 'rules'],
        'properties': {
            'sample': {
                'type': 'object',
                'properties': {
                    **{name: schema for name, schema in SAMPLE_FIELD_SCHEMAS.items() if name != 'correspondent_name'},
                    'correspondent_names': {'type': 'array', 'items': string()},
                },
            },
            'fired_rule_id': integer(minimum=1, nullable=True),
            'rules': {'type': 'array', 'items': ref('RoutingRuleCheck')},
        },
    },
    'RoutingRuleCheck': {
        'type': 'object',
        'required': ['rule', 'matched', 'fires', 'conditions', 'why_not'],
        'properties': {
            'rule': ref('RoutingRule'),
            'matched': {'type': 'boolean', 'description': 'Правило действует и все его условия выполнены'},
            'fires': {'type': 'boolean', 'description': 'Первое подходящее правило: оно и сработает'},
            'conditions': {
                'type': 'array',
                'items': {
                    'type': 'object',
                    'properties': {
                        'field': string(),
                        'label': string(),
                        'matched': {'type': 'boolean'},
                        'text': string(),
                    },
                },
            },
            'why_not': {'type': 'array', 'items': string(), 'description': 'Почему правило не подходит'},
        },
    },
    'CardRouting': {
        'type': 'object',
        'required': ['card_id', 'decision'],
        'properties': {
            'card_id': ID,
            'decision': {
                'type': 'object',
                'nullable': True,
                'properties': {
                    'rule_id': integer(minimum=1, nullable=True),
                    'rule_name': string(),
                    'department': NAMED,
                    'executor': USER_REF,
                    'explanation': string(),
                    'decided_at': DATETIME,
                    'decided_by': USER_REF,
                },
            },
        },
    },
}

RULE_OK = ('200', 'Правило', ref('RoutingRule'))


def _delete() -> dict[str, Any]:
    return op('deleteRoutingRule', 'Удалить правило', TAG, ('204', 'Удалено', None), errors=('401', '403', '404'))


ROUTING_PATHS: dict[str, dict[str, Any]] = {
    '/routing/rules': {
        'get': op(
            'listRoutingRules',
            'Правила маршрутизации своей организации по порядку (администратор)',
            TAG,
            ('200', 'Список', ref('RoutingRuleList')),
            errors=('401', '403'),
        ),
        'post': op(
            'createRoutingRule',
            'Добавить правило в конец списка (администратор)',
            TAG,
            ('201', 'Создано; заголовок Location', ref('RoutingRule')),
            errors=WRITE,
            body='RoutingRuleInput',
        ),
    },
    '/routing/rules/{rule_id}': {
        'parameters': [RULE_ID],
        'get': op('getRoutingRule', 'Правило', TAG, RULE_OK, errors=(*READ, '403')),
        'patch': op('updateRoutingRule', 'Изменить поля правила', TAG, RULE_OK, errors=WRITE, body='RoutingRulePatch'),
        'delete': _delete(),
    },
    '/routing/rules/{rule_id}/move': {
        'parameters': [RULE_ID],
        'post': op('moveRoutingRule', 'Переместить выше или ниже', TAG, RULE_OK, errors=WRITE, body='RoutingMoveInput'),
    },
    '/routing/try': {
        'post': op(
            'tryRoutingRules',
            'Проверить правила на образце, ничего не сохраняя: какое сработает и почему не подошли остальные',
            TAG,
            ('200', 'Результат проверки', ref('RoutingTrial')),
            errors=('400', '401', '403', '415', '422'),
            body='RoutingSample',
            body_required=False,
        ),
    },
    '/cards/{card_id}/routing': {
        'parameters': [CARD_ID],
        'get': op(
            'getCardRouting',
            'По какому правилу направлена карточка',
            TAG,
            ('200', 'Решение', ref('CardRouting')),
            errors=READ,
        ),
        'post': op(
            'routeCard',
            'Направить по правилам (регистратор); 409 routing_no_rule, если ни одно правило не подходит',
            TAG,
            ('200', 'Решение', ref('CardRouting')),
            errors=('400', '401', '403', '404', '409', '415', '422'),
        ),
    },
}
