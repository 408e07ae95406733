"""Reading organization, department and position input into plain values with Russian messages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from edms.core.identifiers import check_inn_legal, check_kpp, check_ogrn
from edms.core.validation import RawInput
from edms.directory.models import OrganizationKind

ORGANIZATION_FIELDS = ('name', 'short_name', 'kind', 'ogrn', 'inn', 'kpp', 'address', 'email', 'medo_id', 'is_active')
DEPARTMENT_FIELDS = ('name', 'code', 'parent_id', 'is_active')


def read_organization(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validated organization fields; ОГРН, ИНН and КПП checked by their check-digit rules."""
    form = RawInput(raw, ORGANIZATION_FIELDS)
    values = {
        'name': form.text('name', 'Полное наименование', required=True, max_length=511),
        'short_name': form.text('short_name', 'Краткое наименование', required=True, max_length=255),
        'kind': form.choice('kind', 'Тип организации', OrganizationKind, required=True),
        'ogrn': form.checked('ogrn', 'ОГРН', check_ogrn, required=True),
        'inn': form.checked('inn', 'ИНН', check_inn_legal, required=True),
        'kpp': form.checked('kpp', 'КПП', check_kpp, required=True),
        'address': form.text('address', 'Адрес', max_length=1000),
        'email': form.text('email', 'Электронная почта', max_length=255),
        'medo_id': form.text('medo_id', 'Идентификатор участника МЭДО', max_length=64) or None,
        'is_active': form.boolean('is_active', 'Подключена', default=True),
    }
    if values['email'] and '@' not in values['email']:
        form.errors.add('email', '«Электронная почта»: адрес должен содержать «@».')
    form.finish()
    return values


def read_department(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validated department fields."""
    form = RawInput(raw, DEPARTMENT_FIELDS)
    values = {
        'name': form.text('name', 'Наименование подразделения', required=True, max_length=511),
        'code': form.text('code', 'Код подразделения', required=True, max_length=16),
        'parent_id': form.integer('parent_id', 'Вышестоящее подразделение', min_value=1),
        'is_active': form.boolean('is_active', 'Действует', default=True),
    }
    if values['code'] and not all(ch.isalnum() or ch in '-_.' for ch in values['code']):
        form.errors.add('code', '«Код подразделения»: только буквы, цифры и знаки «-», «_», «.».')
    form.finish()
    return values


def read_position(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validated position fields."""
    form = RawInput(raw, ('title',))
    values = {'title': form.text('title', 'Наименование должности', required=True, max_length=255)}
    form.finish()
    return values
