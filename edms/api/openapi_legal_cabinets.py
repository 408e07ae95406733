"""Paths and components of the OpenAPI document for legal entities' cabinets (tag `legal-cabinets`, seed 000): the
token's cabinets, one cabinet with its staff, its details, adding, changing and removing staff (each change confirmed
by an SMS code or a КЭП signature: its text and its code), the journal, the legal entity's applications and an
application filed on its behalf. The shapes are those of `edms.api.legal_cabinets` and `legal_cabinets_staff`.
"""

from __future__ import annotations

from typing import Any

from edms.api.openapi_applications import FILE_PARTS, FILING_ERRORS, FILTERS, MULTIPART, taking_submission
from edms.api.openapi_confirmation import TOO_MANY
from edms.api.openapi_ops import JSON, READ, WRITE, content, op, path_param
from edms.api.openapi_schemas import (
    DATETIME,
    ID,
    USER_REF,
    Schema,
    closed_object,
    enum_of,
    integer,
    object_schema,
    ref,
    string,
)
from edms.citizen_services.models.legal_cabinets import LegalCabinetRight, LegalCabinetRole

TAG = 'legal-cabinets'
CABINET_ID = path_param('cabinet_id', 'Идентификатор кабинета организации')
MEMBER_ID = path_param('member_id', 'Идентификатор сотрудника в кабинете')
STAFF_SIGNATURE_ID = path_param('staff_signature_id', 'Идентификатор подписи: confirmation.signature_id журнала')
RIGHTS: Schema = {
    'type': 'array',
    'items': enum_of(LegalCabinetRight),
    'description': 'Права: view — просмотр, edit — редактирование, delete — удаление, send — отправка',
}
ROLE = {**enum_of(LegalCabinetRole), 'description': 'administrator, accountant (бухгалтер), lawyer, operator'}


CONFIRMED = (
    'Изменение вступает в силу только с подтверждением администратора: sms_code — код из СМС, полученный через '
    'POST /legal-cabinets/{cabinet_id}/staff-changes/sms-code для этого же изменения, или signature — отсоединённая '
    'подпись CMS его квалифицированным сертификатом (со СНИЛС или ИНН его учётной записи) над текстом изменения из '
    'POST /legal-cabinets/{cabinet_id}/staff-changes/text. Без подтверждения, с неверным, истёкшим, использованным '
    'кодом или кодом другого изменения, с недействительной или чужой подписью — 422 в поле sms_code, signature или '
    'confirmation, и ничего не меняется'
)
CONFIRMATION: dict[str, Schema] = {
    'sms_code': string(12, description='Код из СМС (6 цифр) для этого изменения'),
    'signature': string(
        description='Отсоединённая подпись CMS (КЭП администратора) над текстом изменения, в Base64 '
        '(в multipart/form-data — файлом)'
    ),
}
CHANGE: dict[str, Schema] = {
    'action': {'type': 'string', 'enum': ['add', 'change', 'remove'], 'description': 'Добавить, изменить, исключить'},
    'member_id': {**ID, 'description': 'Сотрудник в кабинете (для change и remove)'},
    'snils': string(14, description='Для add: СНИЛС учётной записи портала'),
    'inn': string(12, description='Для add: ИНН физического лица, если СНИЛС не указан'),
    'role': ROLE,
    'rights': {'type': 'array', 'items': enum_of(LegalCabinetRight), 'description': 'По умолчанию — права роли'},
}
DETAILS: dict[str, Schema] = {
    'legal_address': string(1000, description='Юридический адрес'),
    'phone': string(description='Телефон, +7 XXX XXX-XX-XX'),
    'email': string(description='Электронная почта'),
}

LEGAL_CABINET_SCHEMAS: dict[str, Schema] = {
    'LegalCabinetMember': object_schema(
        {
            'id': ID,
            'user': USER_REF,
            'role': ROLE,
            'role_label': string(),
            'rights': RIGHTS,
            'added_at': DATETIME,
            'added_by': USER_REF,
        }
    ),
    'LegalCabinet': object_schema(
        {
            'id': ID,
            'url': string(),
            'ogrn': string(13),
            'inn': string(10),
            'kpp': string(9, nullable=True),
            'name': string(),
            'legal_form': string(),
            **DETAILS,
            'application_id': {**ID, 'description': 'Заявление о регистрации, по которому создан кабинет'},
            'created_at': DATETIME,
            'updated_at': DATETIME,
            'me': ref('LegalCabinetMember'),
            'members': {
                'type': 'array',
                'items': ref('LegalCabinetMember'),
                'description': 'Сотрудники (только в карточке кабинета)',
            },
        }
    ),
    'LegalCabinetList': object_schema({'items': {'type': 'array', 'items': ref('LegalCabinet')}}, ['items']),
    'LegalCabinetPatch': closed_object(DETAILS),
    'LegalCabinetMemberInput': {
        **closed_object(
            {
                'snils': string(14, description='СНИЛС учётной записи портала'),
                'inn': string(12, description='ИНН физического лица, если СНИЛС не указан'),
                'role': ROLE,
                'rights': {**RIGHTS, 'description': f'{RIGHTS["description"]}; по умолчанию — права роли'},
                **CONFIRMATION,
            },
            ['role'],
        ),
        'description': f'Нужен СНИЛС или ИНН сотрудника. {CONFIRMED}',
    },
    'LegalCabinetMemberPatch': {
        **closed_object(
            {
                'role': {**ROLE, 'description': 'По умолчанию роль не меняется'},
                'rights': {**RIGHTS, 'description': 'По умолчанию — права роли'},
                **CONFIRMATION,
            }
        ),
        'description': CONFIRMED,
    },
    'LegalCabinetMemberRemoval': {**closed_object(CONFIRMATION), 'description': CONFIRMED},
    'LegalCabinetStaffChange': {
        **closed_object(CHANGE, ['action']),
        'description': 'Изменение сотрудников: add (snils или inn, role, rights), change (member_id, role, rights), '
        'remove (member_id)',
    },
    'LegalCabinetStaffChangeCode': {
        **closed_object(CHANGE, ['action']),
        'description': 'Изменение, для которого нужен код. Номер телефона не передаётся: код уходит только на '
        'подтверждённый номер администратора (GET/POST /me/phone); поле phone отклоняется как неизвестное (422)',
    },
    'LegalCabinetStaffChangeText': object_schema(
        {
            'action': string(description='member_add, member_change, member_remove'),
            'text': string(description='Канонический текст изменения (UTF-8, переводы строк LF) — его подписывают'),
            'sha256': string(64, description='SHA-256 текста, hex'),
            'purpose': string(description='Назначение кода из СМС: legal_cabinet:<id>:staff:<16 hex SHA-256>'),
        },
        ['action', 'text', 'sha256', 'purpose'],
    ),
    'LegalCabinetStaffChangeCodeSent': object_schema(
        {
            'id': ID,
            'purpose': string(),
            'phone': string(
                description='Подтверждённый номер администратора, на который отправлен код, скрытый: +7 912 ***-**-89'
            ),
            'expires_at': DATETIME,
            'attempts_left': integer(),
            'resend_after': integer(),
            'action': string(),
            'text': string(),
            'sha256': string(64),
        }
    ),
    'LegalCabinetJournal': object_schema(
        {
            'items': {
                'type': 'array',
                'items': object_schema(
                    {
                        'seq': integer(),
                        'at': DATETIME,
                        'action': string(description='legal_cabinet.create, .update, .member_add, .send…'),
                        'actor_id': integer(nullable=True),
                        'data': {'type': 'object'},
                    }
                ),
            }
        },
        ['items'],
    ),
    'LegalCabinetApplicationInput': closed_object(
        {'service': string(64, description='Код услуги для юридических лиц'), 'data': {'type': 'object'}},
        ['service', 'data'],
    ),
    'LegalCabinetApplicationUpload': {
        **object_schema(
            {
                'service': string(64),
                'data': string(description='JSON-объект сведений заявления'),
                'xml': string(format='binary', description='Или XML заявления по схеме услуги'),
                'signature': string(format='binary', description='Отсоединённая подпись КЭП к XML'),
            },
            ['service'],
        ),
        'description': f'Сведения (data) или подписанный XML (xml, signature). {FILE_PARTS}',
    },
}

CABINET_OK = ('200', 'Кабинет организации с сотрудниками', ref('LegalCabinet'))
MEMBER_OK = ('200', 'Сотрудник', ref('LegalCabinetMember'))


def _confirmed(operation: dict[str, Any], body: str) -> dict[str, Any]:
    """A staff change: its body as JSON or multipart/form-data (the signature as a file part)."""
    schema = ref(body)
    operation['requestBody'] = {
        'required': operation.get('requestBody', {}).get('required', True),
        'content': {JSON: {'schema': schema}, MULTIPART: {'schema': schema}},
    }
    return operation


def _code() -> dict[str, Any]:
    operation = op(
        'sendLegalCabinetStaffChangeCode',
        'Отправить код из СМС для подтверждения этого изменения сотрудников на подтверждённый номер администратора '
        '(«Мой телефон», /me/phone; нет подтверждённого номера — 422 no_confirmed_phone в поле sms_code; SMS-шлюз '
        'не настроен — 409 sms_unavailable: подтвердите подписью)',
        TAG,
        ('202', 'Код создан и будет отправлен после сохранения', ref('LegalCabinetStaffChangeCodeSent')),
        errors=(*WRITE, '409'),
        body='LegalCabinetStaffChangeCode',
        params=[CABINET_ID],
    )
    operation['responses']['429'] = TOO_MANY
    return operation


def _text() -> dict[str, Any]:
    return op(
        'getLegalCabinetStaffChangeText',
        'Текст изменения сотрудников для подписи КЭП и назначение его кода (ничего не меняет)',
        TAG,
        ('200', 'Текст изменения', ref('LegalCabinetStaffChangeText')),
        errors=(*WRITE, '409'),
        body='LegalCabinetStaffChange',
        params=[CABINET_ID],
    )


def _signature_file(operation_id: str, summary: str, media_type: str) -> dict[str, Any]:
    """A part of the kept КЭП of a staff change (the journal's `confirmation.signature_id`)."""
    operation = op(
        operation_id,
        f'{summary} (право «Просмотр»)',
        TAG,
        ('200', 'Файл', None),
        errors=(*READ, '403', '409'),
        params=[CABINET_ID, STAFF_SIGNATURE_ID],
    )
    operation['responses']['200']['content'] = {media_type: {'schema': string(format='binary')}}
    missing = {'description': 'Файл подписи отсутствует в хранилище', 'content': content(ref('Error'))}
    operation['responses']['410'] = missing
    return operation


def _filing() -> dict[str, Any]:
    operation = op(
        'fileLegalCabinetApplication',
        'Подать заявление от имени организации (право «Отправка»)',
        TAG,
        ('201', 'Принято; заголовок Location', ref('Application')),
        errors=FILING_ERRORS,
        params=[CABINET_ID],
    )
    return taking_submission(
        operation, {JSON: 'LegalCabinetApplicationInput', MULTIPART: 'LegalCabinetApplicationUpload'}
    )


LEGAL_CABINET_PATHS: dict[str, dict[str, Any]] = {
    '/legal-cabinets': {
        'get': op(
            'listLegalCabinets',
            'Кабинеты организаций, в которых состоит пользователь токена',
            TAG,
            ('200', 'Список', ref('LegalCabinetList')),
        ),
    },
    '/legal-cabinets/{cabinet_id}': {
        'get': op(
            'getLegalCabinet',
            'Кабинет: реквизиты, контакты, сотрудники с ролями и правами (право «Просмотр»)',
            TAG,
            CABINET_OK,
            errors=(*READ, '403'),
            params=[CABINET_ID],
        ),
        'patch': op(
            'updateLegalCabinet',
            'Изменить сведения организации: юридический адрес, телефон, почту (право «Редактирование»)',
            TAG,
            CABINET_OK,
            errors=WRITE,
            body='LegalCabinetPatch',
            params=[CABINET_ID],
        ),
    },
    '/legal-cabinets/{cabinet_id}/members': {
        'post': _confirmed(
            op(
                'addLegalCabinetMember',
                'Добавить сотрудника по СНИЛС или ИНН с ролью и правами (администратор, с подтверждением)',
                TAG,
                ('201', 'Сотрудник добавлен; Location — кабинет', ref('LegalCabinetMember')),
                errors=(*WRITE, '409'),
                params=[CABINET_ID],
            ),
            'LegalCabinetMemberInput',
        ),
    },
    '/legal-cabinets/{cabinet_id}/staff-changes/text': {'post': _text()},
    '/legal-cabinets/{cabinet_id}/staff-changes/sms-code': {'post': _code()},
    '/legal-cabinets/{cabinet_id}/members/{member_id}': {
        'patch': _confirmed(
            op(
                'changeLegalCabinetMember',
                'Изменить роль и права сотрудника (администратор, с подтверждением)',
                TAG,
                MEMBER_OK,
                errors=(*WRITE, '409'),
                params=[CABINET_ID, MEMBER_ID],
            ),
            'LegalCabinetMemberPatch',
        ),
        'delete': _confirmed(
            op(
                'removeLegalCabinetMember',
                'Исключить сотрудника (только администратор с правом «Удаление», с подтверждением)',
                TAG,
                ('204', 'Исключён', None),
                errors=('400', '401', '403', '404', '409', '415', '422'),
                params=[CABINET_ID, MEMBER_ID],
            ),
            'LegalCabinetMemberRemoval',
        ),
    },
    '/legal-cabinets/{cabinet_id}/journal': {
        'get': op(
            'getLegalCabinetJournal',
            'Журнал действий в кабинете, новые первыми (право «Просмотр»)',
            TAG,
            ('200', 'Записи журнала', ref('LegalCabinetJournal')),
            errors=(*READ, '403'),
            params=[CABINET_ID],
        ),
    },
    '/legal-cabinets/{cabinet_id}/staff-signatures/{staff_signature_id}/text': {
        'get': _signature_file('getLegalCabinetSignedText', 'Текст изменения сотрудников, как подписан', 'text/plain')
    },
    '/legal-cabinets/{cabinet_id}/staff-signatures/{staff_signature_id}/signature': {
        'get': _signature_file(
            'getLegalCabinetStaffSignature', 'Подпись КЭП администратора (CMS, DER)', 'application/pkcs7-signature'
        )
    },
    '/legal-cabinets/{cabinet_id}/applications': {
        'get': op(
            'listLegalCabinetApplications',
            'Заявления организации (её ИНН как заявителя) с фильтрами списка заявлений (право «Просмотр»)',
            TAG,
            ('200', 'Страница списка', ref('ApplicationList')),
            errors=(*READ, '403', '422'),
            params=[CABINET_ID, *(param for param in FILTERS if param['name'] != 'scope')],
        ),
        'post': _filing(),
    },
}
