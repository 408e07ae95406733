"""Paths and components of the OpenAPI document for one-time SMS confirmation codes (tag `confirmation-codes`): asking
for a code, and the `sms_code` a filing or a resubmission carries (the application bodies of `openapi_applications`
with that property added; merged after them). The shapes are those of `edms.api.confirmation_codes`."""

from __future__ import annotations

from typing import Any

from edms.api.openapi_applications import APPLICATION_SCHEMAS
from edms.api.openapi_ops import content, op
from edms.api.openapi_schemas import ID, Schema, integer, ref, string
from edms.auth.confirmation import LIFETIME_SECONDS

TAG = 'confirmation-codes'
SMS_CODE = string(
    12,
    description='Код из СМС (6 цифр), подтверждающий заявление самим заявителем (роль подписи application); '
    'запрашивается через POST /confirmation-codes. Неверный, истёкший или использованный код — 422 в поле sms_code',
)
TOO_MANY: dict[str, Any] = {
    'description': 'Новый код запрошен слишком рано (не чаще раза в минуту и 5 раз в час); '
    'Retry-After и retry_after — через сколько секунд можно повторить',
    'headers': {'Retry-After': {'schema': integer(minimum=1), 'description': 'Секунды до нового запроса'}},
    'content': content(ref('Error')),
}

CONFIRMATION_SCHEMAS: dict[str, Schema] = {
    'ConfirmationCodeInput': {
        'type': 'object',
        'properties': {
            'purpose': string(
                100, description='Назначение кода: application:<код услуги>, например application:taxpayer_cabinet'
            ),
            'phone': string(32, description='Мобильный телефон, +7 9XX XXX-XX-XX (или 8 9XX …)'),
        },
        'required': ['purpose', 'phone'],
        'additionalProperties': False,
    },
    'ConfirmationCodeSent': {
        'type': 'object',
        'properties': {
            'id': ID,
            'purpose': string(),
            'phone': string(description='Номер, на который отправлен код, +79XXXXXXXXX'),
            'expires_at': string(format='date-time', description=f'Код действует {LIFETIME_SECONDS // 60} минут'),
            'attempts_left': {**integer(), 'description': 'Неверных попыток до блокировки кода (3)'},
            'resend_after': {**integer(), 'description': 'Секунд до возможности запросить новый код'},
        },
    },
    **{
        name: {**schema, 'properties': {**schema['properties'], 'sms_code': SMS_CODE}}
        for name, schema in APPLICATION_SCHEMAS.items()
        if name in ('ApplicationInput', 'ApplicationUpload', 'ResubmitInput', 'ResubmitUpload')
    },
}


def _send() -> dict[str, Any]:
    operation = op(
        'sendConfirmationCode',
        'Отправить одноразовый код подтверждения по СМС на телефон заявителя (только заявитель портала от своего '
        'имени; партнёр и МФЦ — 403; SMS-шлюз не настроен — 409 sms_unavailable: подпишите заявление электронной '
        'подписью)',
        TAG,
        ('202', 'Код создан и будет отправлен после сохранения', ref('ConfirmationCodeSent')),
        errors=('400', '401', '403', '409', '415', '422'),
        body='ConfirmationCodeInput',
    )
    operation['responses']['429'] = TOO_MANY
    return operation


CONFIRMATION_PATHS: dict[str, dict[str, Any]] = {'/confirmation-codes': {'post': _send()}}
