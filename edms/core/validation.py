"""Reading user input (form data or JSON) into typed values with a Russian message per field.

Web forms, the JSON API and the CLI pass their raw mapping through the same readers, so every entry point reports
the same messages; all problems are collected and reported at once.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar

from edms.core.errors import FieldErrors

E = TypeVar('E', bound=enum.Enum)
_DATE_RU = re.compile(r'^(\d{2})\.(\d{2})\.(\d{4})$')
_DATE_ISO = re.compile(r'^(\d{4})-(\d{2})-(\d{2})$')
#: Dates outside these years are typing mistakes (and overflow date arithmetic); they are refused.
MIN_YEAR, MAX_YEAR = 1900, 2100
#: The largest id (and integer) an INTEGER column holds; larger input is refused before it reaches a query.
ID_MAX = 2**31 - 1
#: Control characters a document requisite never contains (tab and line breaks are allowed).
CONTROL_CHARACTERS = re.compile(r'[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')


class RawInput:
    """A raw mapping being read field by field; `finish()` raises `ValidationFailed` with every message."""

    def __init__(self, raw: Mapping[str, Any], allowed: Iterable[str] | None = None) -> None:
        self.raw = raw
        self.errors = FieldErrors()
        if allowed is not None:
            for key in raw:
                if key not in set(allowed):
                    self.errors.add(key, f'Неизвестное поле «{key}».')

    def present(self, name: str) -> bool:
        return name in self.raw

    def _value(self, name: str) -> Any:
        value = self.raw.get(name)
        return value.strip() if isinstance(value, str) else value

    def text(self, name: str, label: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self._value(name)
        if value is None:
            value = ''
        if not isinstance(value, str):
            self.errors.add(name, f'«{label}»: ожидается строка.')
            return ''
        if CONTROL_CHARACTERS.search(value):
            self.errors.add(name, f'«{label}»: содержит недопустимые управляющие символы.')
            return ''
        if required and not value:
            self.errors.add(name, f'«{label}»: обязательное поле.')
        elif max_length is not None and len(value) > max_length:
            self.errors.add(name, f'«{label}»: не более {max_length} символов (введено {len(value)}).')
        return value

    def integer(
        self,
        name: str,
        label: str,
        *,
        required: bool = False,
        min_value: int | None = None,
        max_value: int | None = None,
    ) -> int | None:
        value = self._value(name)
        if value in (None, ''):
            if required:
                self.errors.add(name, f'«{label}»: обязательное поле.')
            return None
        if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and is_number(value))):
            self.errors.add(name, f'«{label}»: ожидается целое число.')
            return None
        number = int(value)
        if min_value is not None and number < min_value:
            self.errors.add(name, f'«{label}»: не меньше {min_value}.')
        elif max_value is not None and number > max_value:
            self.errors.add(name, f'«{label}»: не больше {max_value}.')
        elif abs(number) > ID_MAX:
            self.errors.add(name, f'«{label}»: слишком большое число (не больше {ID_MAX}).')
        else:
            return number
        return None  # out of range: nothing that reads it may take it to a query

    def date(self, name: str, label: str, *, required: bool = False) -> date | None:
        value = self._value(name)
        if value in (None, ''):
            if required:
                self.errors.add(name, f'«{label}»: обязательное поле.')
            return None
        parsed = parse_date(value)
        if parsed is None and parse_date(value, bounded=False) is not None:
            self.errors.add(name, f'«{label}»: год должен быть от {MIN_YEAR} до {MAX_YEAR}.')
        elif parsed is None:
            self.errors.add(name, f'«{label}»: дата в формате ДД.ММ.ГГГГ.')
        return parsed

    def choice(self, name: str, label: str, enum_class: type[E], *, required: bool = False) -> E | None:
        value = self._value(name)
        if value in (None, ''):
            if required:
                self.errors.add(name, f'«{label}»: обязательное поле.')
            return None
        try:
            return enum_class(value)
        except ValueError:
            allowed = ', '.join(str(member.value) for member in enum_class)
            self.errors.add(name, f'«{label}»: недопустимое значение «{value}» (допустимо: {allowed}).')
            return None

    def boolean(self, name: str, label: str, *, default: bool = False) -> bool:
        value = self._value(name)
        if value in (None, ''):
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ('1', 'true', 'on', 'yes', 'y', 'да'):
            return True
        if isinstance(value, str) and value.lower() in ('0', 'false', 'off', 'no', 'n', 'нет'):
            return False
        self.errors.add(name, f'«{label}»: ожидается да или нет.')
        return default

    def checked(self, name: str, label: str, checker: Callable[[str, str], str | None], *, required: bool) -> str:
        """A code such as ОГРН or ИНН: read as text, then checked by `checker(value, label)`."""
        value = self.text(name, label, required=required)
        if value:
            problem = checker(value, label)
            if problem:
                self.errors.add(name, problem)
        return value

    def id_list(self, name: str, label: str) -> list[int]:
        value = self.raw.get(name)
        if value in (None, ''):
            return []
        items = value if isinstance(value, list) else [value]
        result = []
        for item in items:
            if isinstance(item, bool) or not (isinstance(item, int) or (isinstance(item, str) and is_number(item))):
                self.errors.add(name, f'«{label}»: ожидается список идентификаторов.')
                return []
            if not 0 <= int(item) <= ID_MAX:
                self.errors.add(name, f'«{label}»: идентификатор не может быть больше {ID_MAX}.')
                return []
            result.append(int(item))
        return result

    def finish(self) -> None:
        self.errors.raise_if_any()


def is_number(value: str) -> bool:
    """Only ASCII digits: `'²'.isdigit()` is true, but no register or `int()` takes it."""
    return value.isascii() and value.isdigit()


def is_id(value: str) -> bool:
    """ASCII digits of a number an INTEGER id column holds (a longer one would be a database error, not a miss)."""
    return is_number(value) and int(value) <= ID_MAX


def query_int(value: str) -> int:
    """`request.args.get(name, type=query_int)`: an integer an INTEGER column holds; ValueError (so the default)
    otherwise."""
    number = int(value)
    if abs(number) > ID_MAX:
        raise ValueError(value)
    return number


def parse_date(value: Any, *, bounded: bool = True) -> date | None:
    """A date from a `date`, 'ДД.ММ.ГГГГ' or 'ГГГГ-ММ-ДД'; None when it is not a real date."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value if not bounded or MIN_YEAR <= value.year <= MAX_YEAR else None
    if not isinstance(value, str):
        return None
    match = _DATE_RU.match(value)
    if match:
        day, month, year = (int(part) for part in match.groups())
    else:
        match = _DATE_ISO.match(value)
        if not match:
            return None
        year, month, day = (int(part) for part in match.groups())
    if bounded and not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None
