"""Field readers: each turns one non-empty raw value into its normalized form or raises `Invalid` with a Russian
message naming the field («Серия паспорта»: 4 цифры.). Requiredness is decided by the caller, not here.

ОГРН, ИНН, КПП and СНИЛС reuse the check-digit rules of `edms.core.identifiers`; dates reuse
`edms.core.validation.parse_date` (ДД.ММ.ГГГГ, and ГГГГ-ММ-ДД as XML writes them).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from edms.citizen_services.rules.problems import CHECK_DIGIT, FORMAT, NOT_ALLOWED, TOO_LONG
from edms.core.identifiers import check_inn_legal, check_inn_person, check_kpp, check_ogrn, check_snils, normalize_snils
from edms.core.validation import CONTROL_CHARACTERS, MAX_YEAR, MIN_YEAR, parse_date

#: A reader: (raw value, field label) → normalized value, or `Invalid`.
Reader = Callable[[Any, str], Any]

_PHONE_SEPARATORS = re.compile(r'[\s\-()\u2010-\u2015]')
_EMAIL = re.compile(r'[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+')
_NAME_CHARACTERS = re.compile(r"[^\W\d_]+([ \-'’.][^\W\d_]*)*")
_TRUE, _FALSE = ('true', '1', 'on', 'yes', 'да'), ('false', '0', 'off', 'no', 'нет')


class Invalid(Exception):
    """The value breaks the field's rule; `message` is the Russian text for the applicant."""

    def __init__(self, message: str, code: str = FORMAT) -> None:
        self.message = message
        self.code = code
        super().__init__(message)


def quoted(label: str) -> str:
    return f'«{label}»'


def text(max_length: int = 255) -> Reader:
    """A single-line or multi-line text without control characters, at most `max_length` characters."""

    def read(raw: Any, label: str) -> str:
        value = _string(raw, label)
        if len(value) > max_length:
            raise Invalid(f'{quoted(label)}: не более {max_length} символов (введено {len(value)}).', TOO_LONG)
        return value

    return read


def person_name(raw: Any, label: str) -> str:
    """A surname, given name or patronymic: letters of any alphabet, with a space, hyphen, apostrophe or dot inside."""
    value = ' '.join(_string(raw, label).split())
    if len(value) > 100:
        raise Invalid(f'{quoted(label)}: не более 100 символов (введено {len(value)}).', TOO_LONG)
    if not _NAME_CHARACTERS.fullmatch(value):
        raise Invalid(f'{quoted(label)}: только буквы, пробел, дефис и апостроф.')
    return value


def ru_date(raw: Any, label: str) -> date:
    """A date written ДД.ММ.ГГГГ (a `date` object and the XML form ГГГГ-ММ-ДД are accepted too)."""
    value = raw if isinstance(raw, date) else _string(raw, label)
    parsed = parse_date(value)
    if parsed is not None:
        return parsed
    if parse_date(value, bounded=False) is not None:
        raise Invalid(f'{quoted(label)}: год должен быть от {MIN_YEAR} до {MAX_YEAR}.')
    raise Invalid(f'{quoted(label)}: дата в формате ДД.ММ.ГГГГ.')


def digits(count: int) -> Reader:
    """Exactly `count` digits, nothing else (a passport series: 4, a passport number: 6, a postal code: 6)."""
    unit = 'цифры' if count % 10 in (2, 3, 4) and count not in (12, 13, 14) else 'цифр'

    def read(raw: Any, label: str) -> str:
        value = _string(raw, label)
        if not (value.isascii() and value.isdigit() and len(value) == count):
            raise Invalid(f'{quoted(label)}: {count} {unit}.')
        return value

    return read


def document_number(max_length: int = 20) -> Reader:
    """A foreign identity document's series or number: Latin or Cyrillic letters and digits, no spaces."""

    def read(raw: Any, label: str) -> str:
        value = _string(raw, label)
        if len(value) > max_length or not all(ch.isalnum() for ch in value):
            raise Invalid(f'{quoted(label)}: буквы и цифры без пробелов, не более {max_length} символов.')
        return value

    return read


def identifier(checker: Callable[[str, str], str | None]) -> Reader:
    """A code checked by one of `edms.core.identifiers`' check-digit rules (ОГРН, ИНН, КПП)."""

    def read(raw: Any, label: str) -> str:
        value = _string(raw, label)
        problem = checker(value, quoted(label))
        if problem:
            raise Invalid(f'{problem}.', CHECK_DIGIT if 'контрольн' in problem else FORMAT)
        return value

    return read


ogrn = identifier(check_ogrn)
inn_legal = identifier(check_inn_legal)
inn_person = identifier(check_inn_person)
kpp = identifier(check_kpp)


def snils(raw: Any, label: str) -> str:
    """СНИЛС as 123-456-789 01 or 11 digits, with its check number; normalized to the 11 digits."""
    value = _string(raw, label)
    problem = check_snils(value, quoted(label))
    if problem:
        raise Invalid(f'{problem}.', CHECK_DIGIT if 'контрольн' in problem else FORMAT)
    return normalize_snils(value)


def phone(raw: Any, label: str) -> str:
    """A Russian mobile or landline number, normalized to +7 XXX XXX-XX-XX (8 XXX … is read as +7)."""
    value = _PHONE_SEPARATORS.sub('', _string(raw, label))
    if value.startswith('8') and len(value) == 11:
        value = '+7' + value[1:]
    rest = value[2:]
    if not (value.startswith('+7') and rest.isascii() and rest.isdigit() and len(rest) == 10):
        raise Invalid(f'{quoted(label)}: номер в формате +7 XXX XXX-XX-XX.')
    return f'+7 {rest[:3]} {rest[3:6]}-{rest[6:8]}-{rest[8:]}'


def email(raw: Any, label: str) -> str:
    """An e-mail address: one «@», a domain with a dot, no spaces; the domain is lower-cased."""
    value = _string(raw, label)
    if len(value) > 254 or not _EMAIL.fullmatch(value):
        raise Invalid(f'{quoted(label)}: адрес электронной почты вида name@example.ru.')
    local, _, domain = value.rpartition('@')
    return f'{local}@{domain.lower()}'


class Choice:
    """One of `options` (value → Russian label); the message lists the allowed labels. `options` is public so that a
    form can offer them."""

    def __init__(self, options: Mapping[str, str]) -> None:
        self.options = dict(options)

    def __call__(self, raw: Any, label: str) -> str:
        value = _string(raw, label)
        if value not in self.options:
            allowed = ', '.join(f'«{text}»' for text in self.options.values())
            raise Invalid(f'{quoted(label)}: выберите одно из значений: {allowed}.', NOT_ALLOWED)
        return value


def choice(options: Mapping[str, str]) -> Choice:
    return Choice(options)


def boolean(raw: Any, label: str) -> bool:
    """Yes or no: a bool, or true/false, 1/0, да/нет."""
    if isinstance(raw, bool):
        return raw
    value = _string(raw, label).lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise Invalid(f'{quoted(label)}: ожидается «да» или «нет».')


def is_empty(raw: Any) -> bool:
    """No value at all: None, an empty or blank string."""
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _string(raw: Any, label: str) -> str:
    if not isinstance(raw, str):
        raise Invalid(f'{quoted(label)}: ожидается строка.')
    value = raw.strip()
    if CONTROL_CHARACTERS.search(value):
        raise Invalid(f'{quoted(label)}: содержит недопустимые управляющие символы.')
    return value
