"""Paths and components of the OpenAPI document for legal entities' cabinets (tag `legal-cabinets`, seed 000): the
token's cabinets, one cabinet with its staff, its details, adding, changing and removing staff, the journal, the
legal entity's applications and an application filed on its behalf. The shapes are those of `edms.api.legal_cabinets`.
"""

from __future__ import annotations

from typing import Any

from edms.api.openapi_applications import FILE_PARTS, FILING_ERRORS, FILTERS, MULTIPART, taking_submission
from edms.api.openapi_ops import JSON, READ, WRITE, op, path_param
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
RIGHTS: Schema = {
    'type': 'array',
    'items': enum_of(LegalCabinetRight),
    'description': 'Права: view — просмотр, edit — редактирование, delete — удаление, send — отправка',
}
ROLE = {**enum_of(LegalCabinetRole), 'description': 'administrator, accountant (бухгалтер), lawyer, operator'}


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
            },
            ['role'],
        ),
        'description': 'Нужен СНИЛС или ИНН сотрудника',
    },
    'LegalCabinetMemberPatch': closed_object(
        {
            'role': {**ROLE, 'description': 'По умолчанию роль не меняется'},
            'rights': {**RIGHTS, 'description': 'По умолчанию — права роли'},
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
        'post': op(
            'addLegalCabinetMember',
            'Добавить сотрудника по СНИЛС или ИНН с ролью и правами (администратор)',
            TAG,
            ('201', 'Сотрудник добавлен; Location — кабинет', ref('LegalCabinetMember')),
            errors=WRITE,
            body='LegalCabinetMemberInput',
            params=[CABINET_ID],
        ),
    },
    '/legal-cabinets/{cabinet_id}/members/{member_id}': {
        'patch': op(
            'changeLegalCabinetMember',
            'Изменить роль и права сотрудника (администратор)',
            TAG,
            MEMBER_OK,
            errors=(*WRITE, '409'),
            body='LegalCabinetMemberPatch',
            params=[CABINET_ID, MEMBER_ID],
        ),
        'delete': op(
            'removeLegalCabinetMember',
            'Исключить сотрудника (только администратор с правом «Удаление»)',
            TAG,
            ('204', 'Исключён', None),
            errors=('401', '403', '404', '409'),
            params=[CABINET_ID, MEMBER_ID],
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
