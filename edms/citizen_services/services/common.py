"""Groups of fields several services share: a person's full name, a Russian passport, a postal address.

Each builder takes the group's path prefix and the words that say whose the fields are («собственника»), so that
every message names its field unambiguously («Серия паспорта собственника»: 4 цифры.).
"""

from __future__ import annotations

from edms.citizen_services.rules import readers
from edms.citizen_services.rules.dates import not_before, not_in_future
from edms.citizen_services.rules.fields import FieldSpec
from edms.citizen_services.rules.situation import Requirement, Rule


def _label(text: str, whose: str) -> str:
    return f'{text} {whose}'.strip()


def full_name(prefix: str, whose: str = '', required: Requirement = True) -> tuple[FieldSpec, ...]:
    """Surname, given name and (optional) patronymic under `prefix`."""
    return (
        FieldSpec(f'{prefix}.last_name', _label('Фамилия', whose), readers.person_name, required),
        FieldSpec(f'{prefix}.first_name', _label('Имя', whose), readers.person_name, required),
        FieldSpec(f'{prefix}.middle_name', _label('Отчество', whose), readers.person_name, required=False),
    )


def russian_passport(
    prefix: str, whose: str = '', required: Requirement = True, *, with_issuer: bool = True
) -> tuple[FieldSpec, ...]:
    """A Russian passport under `prefix`: series of 4 digits, number of 6 digits, issue date and issuer."""
    fields = (
        FieldSpec(f'{prefix}.series', _label('Серия паспорта', whose), readers.digits(4), required),
        FieldSpec(f'{prefix}.number', _label('Номер паспорта', whose), readers.digits(6), required),
        FieldSpec(f'{prefix}.issue_date', _label('Дата выдачи паспорта', whose), readers.ru_date, required),
    )
    if with_issuer:
        issuer = FieldSpec(f'{prefix}.issuer', _label('Кем выдан паспорт', whose), readers.text(255), required)
        fields = (*fields, issuer)
    return fields


def issue_date_rules(prefix: str, birth_date_path: str | None = None) -> tuple[Rule, ...]:
    """A document's issue date is not in the future and, when the birth date is known, not before it."""
    rules = [not_in_future(f'{prefix}.issue_date')]
    if birth_date_path:
        rules.append(not_before(f'{prefix}.issue_date', birth_date_path))
    return tuple(rules)


def postal_address(prefix: str, whose: str, required: Requirement = True) -> tuple[FieldSpec, ...]:
    """An address with its 6-digit postal code: region, locality, street, house, and optional building, flat."""
    return (
        FieldSpec(f'{prefix}.postal_code', _label('Почтовый индекс', whose), readers.digits(6), required),
        FieldSpec(f'{prefix}.region', _label('Регион', whose), readers.text(100), required),
        FieldSpec(f'{prefix}.locality', _label('Населённый пункт', whose), readers.text(100), required),
        FieldSpec(f'{prefix}.street', _label('Улица', whose), readers.text(150), required),
        FieldSpec(f'{prefix}.house', _label('Дом', whose), readers.text(20), required),
        FieldSpec(f'{prefix}.building', _label('Корпус, строение', whose), readers.text(20), required=False),
        FieldSpec(f'{prefix}.apartment', _label('Квартира, офис', whose), readers.text(20), required=False),
    )
