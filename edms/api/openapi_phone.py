"""Paths and components of the OpenAPI document for the account's own confirmed phone (tag `me`): reading it, asking
for a code to a new number, confirming the number with the code and removing it. The shapes are those of
`edms.api.phone`."""

from __future__ import annotations

from typing import Any

from edms.api.openapi_confirmation import TOO_MANY
from edms.api.openapi_ops import op
from edms.api.openapi_schemas import DATETIME, ID, Schema, closed_object, integer, object_schema, ref, string
from edms.auth.confirmation import LIFETIME_SECONDS

TAG = 'me'
PHONE = string(32, description='Мобильный телефон, +7 9XX XXX-XX-XX (или 8 9XX …)')

PHONE_SCHEMAS: dict[str, Schema] = {
    'MyPhone': object_schema(
        {
            'phone': string(16, nullable=True, description='Подтверждённый номер, +79XXXXXXXXX; null — нет'),
            'confirmed_at': DATETIME,
        },
        ['phone', 'confirmed_at'],
    ),
    'MyPhoneCodeInput': closed_object({'phone': PHONE}, ['phone']),
    'MyPhoneCodeSent': object_schema(
        {
            'id': ID,
            'purpose': string(description='phone:confirm:<10 цифр номера>'),
            'phone': string(description='Номер, на который отправлен код, +79XXXXXXXXX'),
            'expires_at': string(format='date-time', description=f'Код действует {LIFETIME_SECONDS // 60} минут'),
            'attempts_left': integer(),
            'resend_after': integer(),
        }
    ),
    'MyPhoneConfirmInput': closed_object(
        {
            'phone': PHONE,
            'code': string(12, description='Код из СМС (6 цифр), отправленный на этот номер'),
            'password': string(200, description='Пароль учётной записи: номер для кодов меняется только с ним'),
        },
        ['phone', 'code', 'password'],
    ),
}


def _send() -> dict[str, Any]:
    operation = op(
        'sendMyPhoneCode',
        'Отправить код подтверждения на новый номер мобильного телефона своей учётной записи (SMS-шлюз не настроен — '
        '409 sms_unavailable; номер уже подтверждён или не мобильный — 422 в поле phone)',
        TAG,
        ('202', 'Код создан и будет отправлен после сохранения', ref('MyPhoneCodeSent')),
        errors=('400', '401', '409', '415', '422'),
        body='MyPhoneCodeInput',
    )
    operation['responses']['429'] = TOO_MANY
    return operation


PHONE_PATHS: dict[str, dict[str, Any]] = {
    '/me/phone': {
        'get': op(
            'getMyPhone',
            'Подтверждённый номер мобильного телефона своей учётной записи («Мой телефон»): на него приходят коды, '
            'подтверждающие действия учётной записи',
            TAG,
            ('200', 'Номер или null', ref('MyPhone')),
        ),
        'post': op(
            'confirmMyPhone',
            'Подтвердить номер кодом, отправленным на него (POST /me/phone/code); до подтверждения действует прежний '
            'номер. Неверный, истёкший, использованный код или код другого номера — 422 в поле code',
            TAG,
            ('200', 'Номер подтверждён', ref('MyPhone')),
            errors=('400', '401', '415', '422'),
            body='MyPhoneConfirmInput',
        ),
        'delete': op('removeMyPhone', 'Удалить подтверждённый номер', TAG, ('204', 'Номер удалён', None)),
    },
    '/me/phone/code': {'post': _send()},
}
