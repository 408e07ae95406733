"""Paths and components of the OpenAPI document for electronic signatures (tag `signatures`): certificates with the
qualified profile, signatures of attachments, verification reports (JSON or PDF) and the trust store; those of signed
registration data and PDFs signed inside come from `openapi_signature_records`. The shapes are those of
`edms.api.signature_serializers`."""

from __future__ import annotations

from typing import Any

from edms.api.openapi_ops import READ, WRITE, content, op, path_param, query_param, ref_response
from edms.api.openapi_schemas import DATETIME, ID, Schema, integer, ref, string
from edms.api.openapi_signature_records import RECORD_SIGNATURE_PATHS, record_signature_schemas
from edms.signatures.crypto.report import CHECK_CODES
from edms.signatures.models import METHOD_LABELS

TAG = 'signatures'
CARD_ID = path_param('card_id', 'Идентификатор карточки')
ATTACHMENT_ID = path_param('attachment_id', 'Идентификатор вложения')
SIGNATURE_ID = path_param('signature_id', 'Идентификатор подписи файла')
CERTIFICATE_ID = path_param('certificate_id', 'Идентификатор сертификата пользователя')
VERIFICATION_ID = path_param('verification_id', 'Идентификатор протокола проверки')
TRUSTED_ID = path_param('trusted_id', 'Идентификатор доверенного сертификата')
SIGNATURES = '/cards/{card_id}/attachments/{attachment_id}/signatures'
BOOLEAN: Schema = {'type': 'boolean'}
VERDICT: Schema = {'type': 'string', 'enum': ['valid', 'invalid', 'indeterminate']}
STRINGS: Schema = {'type': 'array', 'items': string()}


def answer(properties: dict[str, Schema]) -> Schema:
    return {'type': 'object', 'required': list(properties), 'properties': properties}


def items_of(name: str) -> Schema:
    return answer({'items': {'type': 'array', 'items': ref(name)}})


def multipart(name: str) -> dict[str, Any]:
    return {'required': True, 'content': content(ref(name), 'multipart/form-data')}


def _binary(operation_id: str, summary: str, media_type: str, description: str) -> dict[str, Any]:
    return {
        **op(operation_id, summary, TAG, ('200', description, None)),
        'responses': {
            '200': {'description': description, 'content': {media_type: {'schema': string(format='binary')}}},
            **{code: ref_response(code) for code in ('401', '404', '409')},
            '410': {'description': 'Файл отсутствует в хранилище', 'content': content(ref('Error'))},
        },
    }


def _add_certificate() -> dict[str, Any]:
    operation = op(
        'addCertificate',
        'Добавить сертификат: контейнер PKCS#12 с паролем (подписание на сервере) или только сертификат',
        TAG,
        ('201', 'Сертификат привязан; заголовок Location', ref('Certificate')),
        errors=(*WRITE, '409', '413'),
    )
    operation['requestBody'] = multipart('CertificateUpload')
    return operation


def _add_signature() -> dict[str, Any]:
    operation = op(
        'addSignature',
        'Подписать файл на сервере (JSON {certificate_id, password}) или загрузить отсоединённую подпись '
        '(multipart: signature), которая проверяется до принятия',
        TAG,
        ('201', 'Подпись сохранена с файлом; заголовок Location', ref('SignatureDetail')),
        errors=('400', '401', '403', '404', '409', '413', '415'),
    )
    operation['requestBody'] = {
        'required': True,
        'content': {**content(ref('SignInput')), **content(ref('SignatureUpload'), 'multipart/form-data')},
    }
    operation['responses']['422'] = {
        'description': 'Ошибки в полях, или подпись не принята: протокол проверки сохранён (verification_id)',
        'content': content(ref('SignatureRefusal')),
    }
    return operation


def _verify_upload() -> dict[str, Any]:
    operation = op(
        'verifyUpload',
        'Проверить файл и его отсоединённую подпись (или PDF со встроенной подписью без файла подписи); '
        'сохраняются только хэши файлов и протокол',
        TAG,
        ('201', 'Протокол проверки; заголовок Location', ref('Verification')),
        errors=('400', '401', '413', '415', '422'),
    )
    operation['requestBody'] = multipart('VerifyUpload')
    return operation


def _verification() -> dict[str, Any]:
    operation = op(
        'getVerification',
        'Протокол проверки подписи: JSON или ?format=pdf',
        TAG,
        ('200', 'Протокол', ref('Verification')),
        errors=('401', '404', '422'),
        params=[query_param('format', {'type': 'string', 'enum': ['json', 'pdf']}, 'Формат ответа')],
    )
    operation['responses']['200']['content']['application/pdf'] = {'schema': string(format='binary')}
    return operation


SIGNATURE_PATHS: dict[str, dict[str, Any]] = {
    '/certificates': {
        'get': op('listCertificates', 'Мои сертификаты', TAG, ('200', 'Список', ref('CertificateList'))),
        'post': _add_certificate(),
    },
    '/certificates/{certificate_id}': {
        'parameters': [CERTIFICATE_ID],
        'get': op(
            'getCertificate',
            'Сертификат с профилем квалифицированного сертификата',
            TAG,
            ('200', 'Сертификат', ref('Certificate')),
            errors=READ,
        ),
    },
    SIGNATURES: {
        'parameters': [CARD_ID, ATTACHMENT_ID],
        'get': op('listSignatures', 'Подписи файла', TAG, ('200', 'Список', ref('SignatureList')), errors=READ),
        'post': _add_signature(),
    },
    f'{SIGNATURES}/{{signature_id}}': {
        'parameters': [CARD_ID, ATTACHMENT_ID, SIGNATURE_ID],
        'get': op(
            'getSignature',
            'Подпись и её последний протокол проверки',
            TAG,
            ('200', 'Подпись', ref('SignatureDetail')),
            errors=READ,
        ),
    },
    f'{SIGNATURES}/{{signature_id}}/file': {
        'parameters': [CARD_ID, ATTACHMENT_ID, SIGNATURE_ID],
        'get': _binary('downloadSignature', 'Файл подписи (.sig)', 'application/pkcs7-signature', 'Подпись CMS в DER'),
    },
    f'{SIGNATURES}/{{signature_id}}/verify': {
        'parameters': [CARD_ID, ATTACHMENT_ID, SIGNATURE_ID],
        'post': op(
            'verifySignature',
            'Проверить подпись повторно по текущему хранилищу доверенных сертификатов',
            TAG,
            ('201', 'Новый протокол; заголовок Location', ref('Verification')),
            errors=('400', '401', '404', '415', '422'),
            body='EmptyInput',
            body_required=False,
        ),
    },
    '/signatures/verify': {'post': _verify_upload()},
    '/verifications/{verification_id}': {'parameters': [VERIFICATION_ID], 'get': _verification()},
    '/trust/certificates': {
        'get': op(
            'listTrustedCertificates',
            'Доверенные сертификаты УЦ (администраторы)',
            TAG,
            ('200', 'Список', ref('TrustedCertificateList')),
            errors=('401', '403'),
        ),
    },
    '/trust/certificates/{trusted_id}': {
        'parameters': [TRUSTED_ID],
        'get': op(
            'getTrustedCertificate',
            'Доверенный сертификат УЦ (администраторы)',
            TAG,
            ('200', 'Сертификат', ref('TrustedCertificate')),
            errors=('401', '403', '404'),
        ),
    },
    '/trust/crls': {
        'get': op(
            'listCrls',
            'Списки отзыва доверенных УЦ (администраторы)',
            TAG,
            ('200', 'Список', ref('CrlList')),
            errors=('401', '403'),
        ),
    },
    **RECORD_SIGNATURE_PATHS,
}

PROFILE = answer(
    {
        'owner': string(),
        'title': string(nullable=True),
        'organization': string(nullable=True),
        'subject': string(),
        'issuer': string(),
        'serial': string(),
        'not_before': DATETIME,
        'not_after': DATETIME,
        'key_algorithm': string(),
        'ogrn': string(nullable=True, description='ОГРН'),
        'ogrnip': string(nullable=True, description='ОГРНИП'),
        'inn': string(nullable=True, description='ИНН физического лица'),
        'inn_le': string(nullable=True, description='ИНН юридического лица'),
        'snils': string(nullable=True, description='СНИЛС'),
        'subject_sign_tool': string(nullable=True, description='subjectSignTool'),
        'issuer_sign_tool': {
            **answer(
                {'sign_tool': string(), 'ca_tool': string(), 'sign_tool_cert': string(), 'ca_tool_cert': string()}
            ),
            'nullable': True,
            'description': 'issuerSignTool',
        },
        'tool_classes': {**STRINGS, 'description': 'Классы средств ЭП: КС1, КС2, КС3, КВ1, КВ2, КА1'},
        'key_usage': STRINGS,
        'extended_key_usage': STRINGS,
        'is_ca': BOOLEAN,
        'crl_urls': STRINGS,
        'fingerprint': string(description='SHA-256 сертификата'),
    }
)
CHECK = answer(
    {
        'code': {'type': 'string', 'enum': list(CHECK_CODES)},
        'title': string(),
        'status': {'type': 'string', 'enum': ['passed', 'failed', 'not_checked']},
        'status_title': string(),
        'detail': string(),
    }
)
VERIFICATION = answer(
    {
        'id': ID,
        'url': string(),
        'pdf_url': string(),
        'signature_id': integer(nullable=True),
        'attachment_id': integer(nullable=True),
        'file_name': string(),
        'file_sha256': string(),
        'signature_name': string(),
        'signature_sha256': string(),
        'verdict': VERDICT,
        'verdict_title': string(),
        'checked_at': DATETIME,
        'checked_by_id': integer(nullable=True),
        'trust_fingerprint': string(),
        'report': ref('VerificationReport'),
    }
)
REPORT = answer(
    {
        'verdict': VERDICT,
        'verdict_title': string(),
        'checked_at': DATETIME,
        'trust_fingerprint': string(description='SHA-256 доверенных данных, по которым выполнена проверка'),
        'checks': {'type': 'array', 'items': ref('Check')},
        'problems': STRINGS,
        'signers': {'type': 'array', 'items': ref('SignerReport')},
    }
)
SIGNATURE_FIELDS: dict[str, Schema] = {
    'id': ID,
    'url': string(),
    'card_id': ID,
    'attachment_id': ID,
    'file_sha256': string(),
    'signer': string(),
    'signer_serial': string(),
    'signer_fingerprint': string(),
    'signing_time': DATETIME,
    'method': {'type': 'string', 'enum': list(METHOD_LABELS)},
    'method_label': string(),
    'user_certificate_id': integer(nullable=True),
    'signature_size': integer(),
    'file_name': string(),
    'download_url': string(),
    'verify_url': string(),
    'created_at': DATETIME,
    'last_verdict': VERDICT,
    'last_verdict_title': string(),
    'last_verified_at': DATETIME,
}
SIGNATURE_SCHEMAS: dict[str, Schema] = {
    'CertificateProfile': PROFILE,
    'Certificate': answer(
        {
            'id': ID,
            'url': string(),
            'user_id': ID,
            'owner': string(),
            'serial': string(),
            'issuer': string(),
            'not_before': DATETIME,
            'not_after': DATETIME,
            'fingerprint': string(),
            'has_key': {**BOOLEAN, 'description': 'Контейнер ключа хранится на сервере: можно подписывать на сервере'},
            'is_active': BOOLEAN,
            'bound_at': DATETIME,
            'disabled_at': DATETIME,
            'profile': ref('CertificateProfile'),
        }
    ),
    'CertificateList': items_of('Certificate'),
    'CertificateUpload': {
        'type': 'object',
        'required': ['file'],
        'properties': {
            'file': string(format='binary', description='Контейнер .pfx/.p12 или сертификат .cer/.pem/.p7b'),
            'password': string(description='Пароль контейнера; без него файл — только сертификат'),
        },
    },
    'SignInput': {
        'type': 'object',
        'additionalProperties': False,
        'required': ['certificate_id', 'password'],
        'properties': {'certificate_id': ID, 'password': string(description='Пароль контейнера; не сохраняется')},
    },
    'SignatureUpload': {
        'type': 'object',
        'required': ['signature'],
        'properties': {'signature': string(format='binary', description='Отсоединённая подпись CMS (.sig)')},
    },
    'EmptyInput': {'type': 'object', 'additionalProperties': False, 'properties': {}},
    'Signature': answer(SIGNATURE_FIELDS),
    'SignatureDetail': answer({**SIGNATURE_FIELDS, 'verification': {**VERIFICATION, 'nullable': True}}),
    'SignatureList': items_of('Signature'),
    'SignatureRefusal': answer(
        {
            'error': answer(
                {
                    'code': string(),
                    'message': string(description='Почему подпись не принята, с названиями проверок'),
                    'fields': {'type': 'object', 'additionalProperties': string()},
                    'failed': {**STRINGS, 'description': 'Коды непройденных проверок или причины'},
                    'verification_id': ID,
                    'verification_url': string(),
                }
            )
        }
    ),
    'Check': CHECK,
    'SignerReport': answer(
        {
            'signer': string(),
            'verdict': VERDICT,
            'signing_time': DATETIME,
            'certificate': {**PROFILE, 'nullable': True},
            'checks': {'type': 'array', 'items': ref('Check')},
        }
    ),
    'VerificationReport': REPORT,
    'Verification': VERIFICATION,
    'VerifyUpload': {
        'type': 'object',
        'required': ['file'],
        'properties': {
            'file': string(format='binary'),
            'signature': string(format='binary', description='Не нужна для PDF со встроенной подписью (PAdES)'),
        },
    },
    'TrustedCertificate': answer(
        {
            'id': ID,
            'url': string(),
            'name': string(),
            'subject': string(),
            'issuer': string(),
            'serial': string(),
            'fingerprint': string(),
            'not_before': DATETIME,
            'not_after': DATETIME,
            'is_root': BOOLEAN,
            'is_accredited': BOOLEAN,
            'is_active': BOOLEAN,
            'note': string(),
            'created_at': DATETIME,
            'updated_at': DATETIME,
        }
    ),
    'TrustedCertificateList': items_of('TrustedCertificate'),
    'Crl': answer(
        {
            'id': ID,
            'issuer_name': string(),
            'issuer_fingerprint': string(),
            'sha256': string(),
            'this_update': DATETIME,
            'next_update': DATETIME,
            'revoked_count': integer(),
            'source': string(description='upload или адрес точки распространения'),
            'fetched_at': DATETIME,
        }
    ),
    'CrlList': items_of('Crl'),
    **record_signature_schemas(REPORT),
}
