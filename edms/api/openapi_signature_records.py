"""Paths and components of the OpenAPI document for signing a card's records (tag `signatures`): the signatures of
its registration data and a PDF file signed inside (PAdES with the visible mark). Merged into the signature tables of
`openapi_signatures`; the shapes are those of `edms.api.signature_serializers` and `edms.api.signatures`."""

from __future__ import annotations

from typing import Any

from edms.api.openapi_ops import op, path_param
from edms.api.openapi_schemas import DATETIME, ID, USER_REF, Schema, ref, string
from edms.signatures.models import REGISTRATION_METHOD_LABELS

TAG = 'signatures'
CARD_ID = path_param('card_id', 'Идентификатор карточки')
ATTACHMENT_ID = path_param('attachment_id', 'Идентификатор вложения')
REGISTRATION_SIGNATURE_ID = path_param('registration_signature_id', 'Идентификатор подписи регистрационных данных')
REGISTRATION = '/cards/{card_id}/registration-signatures'
SIGNING_ERRORS = ('400', '401', '404', '409', '415', '422')


def _answer(properties: dict[str, Schema]) -> Schema:
    return {'type': 'object', 'required': list(properties), 'properties': properties}


def _sign_registration() -> dict[str, Any]:
    return op(
        'signRegistration',
        'Подписать регистрационные данные карточки: простой подписью (по умолчанию) или квалифицированной '
        '({"method": "qualified", certificate_id, password})',
        TAG,
        ('201', 'Подпись сохранена; заголовок Location', ref('RegistrationSignature')),
        errors=SIGNING_ERRORS,
        body='RegistrationSignInput',
        body_required=False,
    )


def _sign_pades() -> dict[str, Any]:
    return op(
        'signPdfAttachment',
        'Подписать файл PDF внутри документа (PAdES) со штампом «Документ подписан электронной подписью»; '
        'подписанный PDF добавляется в карточку новым файлом, исходный сохраняется. Ключи ГОСТ не поддерживаются',
        TAG,
        ('201', 'Новый файл карточки и протокол проверки его подписей; заголовок Location', ref('PadesSigned')),
        errors=SIGNING_ERRORS,
        body='SignInput',
    )


RECORD_SIGNATURE_PATHS: dict[str, dict[str, Any]] = {
    REGISTRATION: {
        'parameters': [CARD_ID],
        'get': op(
            'listRegistrationSignatures',
            'Подписи регистрационных данных карточки, каждая проверена по текущим данным',
            TAG,
            ('200', 'Список', ref('RegistrationSignatureList')),
            errors=('401', '404'),
        ),
        'post': _sign_registration(),
    },
    f'{REGISTRATION}/{{registration_signature_id}}': {
        'parameters': [CARD_ID, REGISTRATION_SIGNATURE_ID],
        'get': op(
            'getRegistrationSignature',
            'Подпись регистрационных данных, проверенная по текущим данным',
            TAG,
            ('200', 'Подпись', ref('RegistrationSignature')),
            errors=('401', '404'),
        ),
    },
    '/cards/{card_id}/attachments/{attachment_id}/pades': {
        'parameters': [CARD_ID, ATTACHMENT_ID],
        'post': _sign_pades(),
    },
}


def record_signature_schemas(report: Schema) -> dict[str, Schema]:
    """The components; `report` is the schema of a verification report (inlined where it may be null)."""
    return {
        'RegistrationSignInput': {
            'type': 'object',
            'additionalProperties': False,
            'properties': {
                'method': {'type': 'string', 'enum': list(REGISTRATION_METHOD_LABELS), 'default': 'simple'},
                'certificate_id': {**ID, 'description': 'Для квалифицированной подписи: сертификат с контейнером'},
                'password': string(description='Для квалифицированной подписи: пароль контейнера; не сохраняется'),
            },
        },
        'RegistrationSignature': _answer(
            {
                'id': ID,
                'url': string(),
                'card_id': ID,
                'method': {'type': 'string', 'enum': list(REGISTRATION_METHOD_LABELS)},
                'method_label': string(),
                'signer': USER_REF,
                'signed_at': DATETIME,
                'digest': string(description='SHA-256 подписанного канонического представления'),
                'content_unchanged': {
                    'type': 'boolean',
                    'description': 'Регистрационные данные и файлы карточки не изменялись после подписания',
                },
                'report': {
                    **report,
                    'nullable': True,
                    'description': 'Протокол проверки квалифицированной подписи по текущим данным; null для простой',
                },
            }
        ),
        'RegistrationSignatureList': _answer({'items': {'type': 'array', 'items': ref('RegistrationSignature')}}),
        'PadesSigned': _answer({'attachment': ref('Attachment'), 'verification': ref('Verification')}),
    }
