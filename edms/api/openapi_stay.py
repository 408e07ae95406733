"""Paths and components of the OpenAPI document for the life of a term-limited result (tag `stay`: temporary
registration's certificate): its validity, the extension, the request to end early, the annulment with the signed
notice and its download. The shapes are those of `edms.api.stay`."""

from __future__ import annotations

from typing import Any

from edms.api.openapi_applications import MULTIPART, taking_submission
from edms.api.openapi_ops import JSON, READ, WRITE, op, path_param
from edms.api.openapi_schemas import ID, Schema, closed_object, integer, object_schema, ref, string
from edms.citizen_services.models import TEXT_MAX

TAG = 'stay'
APPLICATION_ID = path_param('application_id', 'Идентификатор заявления')
STATES = ['valid', 'extended', 'annulled', 'expired']


def _link() -> Schema:
    return object_schema({'id': ID, 'number': string()}) | {'nullable': True}


STAY_SCHEMAS: dict[str, Schema] = {
    'ResultValidity': object_schema(
        {
            'application_id': ID,
            'number': string(),
            'valid_from': string(format='date'),
            'valid_until': string(format='date'),
            'state': object_schema({'code': {'type': 'string', 'enum': STATES}, 'label': string()}),
            'days_left': integer(nullable=True),
            'note': string(description='«Аннулировано с … по причине …», «Продлено до …» или пусто'),
            'annulment': object_schema(
                {
                    'on': string(format='date'),
                    'reason': string(),
                    'comment': string(nullable=True),
                    'by_id': integer(nullable=True),
                    'notice_url': string(
                        nullable=True, description='Подписанное уведомление об аннулировании (PDF со штампом ЭП)'
                    ),
                }
            )
            | {'nullable': True},
            'early_end_requested_at': string(nullable=True, format='date-time'),
            'extends': _link(),
            'extended_by': _link(),
            'pending_extension': _link(),
            'may_extend': {'type': 'boolean'},
            'may_request_early_end': {'type': 'boolean'},
        }
    ),
    'ExtensionInput': closed_object({'end_date': string(description='Новая дата окончания, ДД.ММ.ГГГГ')}, ['end_date']),
    'ExtensionMultipart': object_schema(
        {
            'end_date': string(description='Новая дата окончания, ДД.ММ.ГГГГ'),
            'files.owner_consent': string(format='binary', description='Файлы слотов, которые нужно дать заново'),
            'signatures.owner_consent': string(format='binary', description='Открепленная подпись CMS'),
        },
        ['end_date'],
    ),
    'EarlyEndInput': closed_object({'comment': string(TEXT_MAX)}),
    'AnnulmentInput': closed_object(
        {
            'reason': string(description='Код причины из перечня услуги (applicant_request, court_decision…)'),
            'comment': string(TEXT_MAX),
            'certificate_id': {**ID, 'description': 'Сертификат должностного лица с ключом на сервере (RSA, ECDSA)'},
            'password': string(description='Пароль контейнера ключа; не сохраняется'),
        },
        ['reason', 'certificate_id', 'password'],
    ),
}

VALIDITY_OK = ('200', 'Срок действия и состояние результата', ref('ResultValidity'))


def _notice_download() -> dict[str, Any]:
    operation = op(
        'getAnnulmentNotice',
        'Подписанное уведомление об аннулировании (заявитель, МФЦ, ведомство)',
        TAG,
        ('200', 'PDF уведомления с подписью внутри документа', None),
        errors=(*READ, '409'),
        params=[APPLICATION_ID],
    )
    operation['responses']['200']['content'] = {'application/pdf': {'schema': string(format='binary')}}
    return operation


def _extension() -> dict[str, Any]:
    operation = op(
        'extendResult',
        'Продлить действующий или истёкший результат: новое заявление той же услуги из предыдущего с новой датой '
        'окончания (новый срок — со дня после окончания, для истёкшего — со дня подачи)',
        TAG,
        ('201', 'Заявление о продлении; заголовок Location', ref('Application')),
        errors=(*WRITE, '409', '413'),
        params=[APPLICATION_ID],
    )
    return taking_submission(
        operation,
        {JSON: 'ExtensionInput', MULTIPART: 'ExtensionMultipart'},
        'Заявление о продлении с ошибками: каждая названа (problems)',
    )


STAY_PATHS: dict[str, dict[str, Any]] = {
    '/applications/{application_id}/validity': {
        'get': op(
            'getResultValidity', 'Срок действия результата', TAG, VALIDITY_OK, errors=READ, params=[APPLICATION_ID]
        )
    },
    '/applications/{application_id}/extension': {'post': _extension()},
    '/applications/{application_id}/early-end': {
        'post': op(
            'requestEarlyEnd',
            'Заявление о досрочном снятии с учёта (заявитель или МФЦ)',
            TAG,
            VALIDITY_OK,
            errors=(*WRITE, '409'),
            body='EarlyEndInput',
            body_required=False,
            params=[APPLICATION_ID],
        )
    },
    '/applications/{application_id}/annulment': {
        'post': op(
            'annulResult',
            'Аннулировать результат с причиной из перечня и комментарием (ведомство): уведомление об аннулировании '
            'подписывается сертификатом должностного лица (PAdES со штампом); неверный пароль или непригодный '
            'сертификат — 422 с полем password или certificate_id, результат не меняется',
            TAG,
            VALIDITY_OK,
            errors=(*WRITE, '409'),
            body='AnnulmentInput',
            params=[APPLICATION_ID],
        )
    },
    '/applications/{application_id}/annulment-notice': {'get': _notice_download()},
}
