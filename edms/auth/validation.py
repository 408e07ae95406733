"""Reading user-account input into plain values with Russian messages."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from edms.auth.models import Role
from edms.core.identifiers import check_inn_person, check_snils, normalize_snils
from edms.core.validation import RawInput

USER_FIELDS = (
    'login',
    'last_name',
    'first_name',
    'middle_name',
    'email',
    'snils',
    'inn',
    'department_id',
    'position_id',
    'roles',
    'can_access_restricted',
    'is_active',
    'password',
)
_LOGIN = re.compile(r'^[a-z0-9][a-z0-9._-]{1,63}$')


def read_user(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validated account fields; roles as a list of `Role`."""
    form = RawInput(raw, USER_FIELDS)
    login = form.text('login', 'Логин', required=True, max_length=64).lower()
    if login and not _LOGIN.match(login):
        form.errors.add('login', '«Логин»: латинские буквы, цифры, «.», «_», «-», от 2 символов.')
    values: dict[str, Any] = {
        'login': login,
        'last_name': form.text('last_name', 'Фамилия', required=True, max_length=100),
        'first_name': form.text('first_name', 'Имя', required=True, max_length=100),
        'middle_name': form.text('middle_name', 'Отчество', max_length=100),
        'email': form.text('email', 'Электронная почта', max_length=255),
        'snils': form.checked('snils', 'СНИЛС', check_snils, required=False),
        'inn': form.checked('inn', 'ИНН', check_inn_person, required=False) or None,
        'department_id': form.integer('department_id', 'Подразделение', min_value=1),
        'position_id': form.integer('position_id', 'Должность', min_value=1),
        'roles': _roles(form, raw.get('roles')),
        'can_access_restricted': form.boolean('can_access_restricted', 'Доступ к документам ДСП'),
        'is_active': form.boolean('is_active', 'Активен', default=True),
    }
    if values['email'] and '@' not in values['email']:
        form.errors.add('email', '«Электронная почта»: адрес должен содержать «@».')
    form.finish()
    values['snils'] = normalize_snils(values['snils']) if values['snils'] else None
    return values


def _roles(form: RawInput, value: Any) -> list[Role]:
    items = value if isinstance(value, list) else ([value] if value else [])
    roles: list[Role] = []
    for item in items:
        try:
            roles.append(Role(item))
        except ValueError:
            form.errors.add('roles', f'«Роли»: неизвестная роль «{item}».')
    if not roles and not form.errors.fields.get('roles'):
        form.errors.add('roles', '«Роли»: выберите хотя бы одну роль.')
    return roles
