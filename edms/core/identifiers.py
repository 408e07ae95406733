"""Check-digit validation of Russian identifiers: ОГРН, ОГРНИП, ИНН, КПП and СНИЛС.

Every `check_*` function returns `None` when the value is valid, or a Russian message naming the field (`label`) and
the exact rule that failed. Requiredness is the caller's business; an empty value only yields 'поле не заполнено'.
"""

from __future__ import annotations

import re

_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN11_WEIGHTS = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)

_KPP_LENGTH = 9
_SNILS_FORMATTED = re.compile(r'[0-9]{3}-[0-9]{3}-[0-9]{3} [0-9]{2}')
_SNILS_PLAIN = re.compile(r'[0-9]{11}')
_SNILS_UNCHECKED_UP_TO = 1_001_998  # numbers up to 001-001-998 were issued without a meaningful check number


def _digits_problem(value: str, label: str, lengths: tuple[int, ...]) -> str | None:
    """The message for an empty, non-numeric or wrong-length value; None when it is a string of allowed length."""
    if not value:
        return f'{label}: поле не заполнено'
    if not _is_ascii_digits(value):
        return f'{label} вводится без пробелов, только цифры'
    if len(value) not in lengths:
        return f'{label} должен состоять из {" или ".join(str(n) for n in lengths)} цифр'
    return None


def _is_ascii_digits(value: str) -> bool:
    # str.isdigit() alone accepts '²' and other Unicode digits that int() or the registers do not.
    return value.isascii() and value.isdigit()


def _weighted_check_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 % 10


def check_ogrn(value: str, label: str = 'ОГРН') -> str | None:
    """ОГРН of a legal entity: 13 digits; the last is (first 12 digits as a number mod 11) mod 10."""
    problem = _digits_problem(value, label, (13,))
    if problem:
        return problem
    if int(value[:12]) % 11 % 10 != int(value[12]):
        return f'{label}: неверная контрольная цифра'
    return None


def check_ogrnip(value: str, label: str = 'ОГРНИП') -> str | None:
    """ОГРНИП of an individual entrepreneur: 15 digits; the last is (first 14 digits as a number mod 13) mod 10."""
    problem = _digits_problem(value, label, (15,))
    if problem:
        return problem
    if int(value[:14]) % 13 % 10 != int(value[14]):
        return f'{label}: неверная контрольная цифра'
    return None


def check_inn(value: str, label: str = 'ИНН') -> str | None:
    """ИНН of a legal entity (10 digits) or of an individual (12 digits), with the official check digits."""
    if value and _is_ascii_digits(value) and len(value) not in (10, 12):
        return f'{label} должен состоять из 10 цифр (организация) или 12 цифр (физическое лицо)'
    problem = _digits_problem(value, label, (10, 12))
    if problem:
        return problem
    return _inn_check_digits_problem(value, label)


def check_inn_legal(value: str, label: str = 'ИНН') -> str | None:
    """ИНН of a legal entity only: 10 digits, the 10th a check digit."""
    if value and _is_ascii_digits(value) and len(value) != 10:
        return f'{label} организации должен состоять из 10 цифр'
    return _digits_problem(value, label, (10,)) or _inn_check_digits_problem(value, label)


def check_inn_person(value: str, label: str = 'ИНН') -> str | None:
    """ИНН of an individual (citizen or individual entrepreneur) only: 12 digits, the 11th and 12th check digits."""
    if value and _is_ascii_digits(value) and len(value) != 12:
        return f'{label} физического лица должен состоять из 12 цифр'
    return _digits_problem(value, label, (12,)) or _inn_check_digits_problem(value, label)


def _inn_check_digits_problem(value: str, label: str) -> str | None:
    """Check digits of a 10- or 12-digit ИНН already known to consist of digits."""
    if len(value) == 10:
        if _weighted_check_digit(value[:9], _INN10_WEIGHTS) != int(value[9]):
            return f'{label}: неверная контрольная цифра (10-я цифра)'
        return None
    if _weighted_check_digit(value[:10], _INN11_WEIGHTS) != int(value[10]):
        return f'{label}: неверная контрольная цифра (11-я цифра)'
    if _weighted_check_digit(value[:11], _INN12_WEIGHTS) != int(value[11]):
        return f'{label}: неверная контрольная цифра (12-я цифра)'
    return None


def check_kpp(value: str, label: str = 'КПП') -> str | None:
    """КПП: 4 digits (tax office), 2 digits or Latin capitals A–Z (reason of registration), 3 digits (sequence)."""
    if not value:
        return f'{label}: поле не заполнено'
    if any(ch.isspace() for ch in value):
        return f'{label} вводится без пробелов'
    if len(value) != _KPP_LENGTH:
        return f'{label} должен состоять из 9 символов'
    if not _is_ascii_digits(value[:4]):
        return f'{label}: первые 4 символа (код налогового органа) должны быть цифрами'
    if not all(ch.isascii() and (ch.isdigit() or ch.isupper()) for ch in value[4:6]):
        return f'{label}: 5-й и 6-й символы (причина постановки на учёт) должны быть цифрами или латинскими буквами A–Z'
    if not _is_ascii_digits(value[6:]):
        return f'{label}: последние 3 символа (порядковый номер) должны быть цифрами'
    return None


def normalize_snils(value: str) -> str:
    """The 11 digits of a СНИЛС given as '112-233-445 95' or '11223344595'; ValueError for any other shape."""
    if _SNILS_FORMATTED.fullmatch(value):
        return value.replace('-', '').replace(' ', '')
    if _SNILS_PLAIN.fullmatch(value):
        return value
    raise ValueError(f'not a SNILS in a known format: {value!r}')


def snils_check_number(first_nine: str) -> int:
    """The Pension Fund check number (0–99) of the first 9 digits of a СНИЛС."""
    total = sum(int(d) * (9 - i) for i, d in enumerate(first_nine))
    if total < 100:
        return total
    if total in (100, 101):
        return 0
    remainder = total % 101
    return 0 if remainder == 100 else remainder


def check_snils(value: str, label: str = 'СНИЛС') -> str | None:
    """СНИЛС as '112-233-445 95' or 11 digits; the last two are the check number (unchecked up to 001-001-998)."""
    if not value:
        return f'{label}: поле не заполнено'
    if _is_ascii_digits(value) and len(value) != 11:
        return f'{label} должен состоять из 11 цифр'
    try:
        digits = normalize_snils(value)
    except ValueError:
        return f'{label} вводится в формате 123-456-789 01 или 11 цифрами без пробелов'
    if int(digits[:9]) <= _SNILS_UNCHECKED_UP_TO:
        return None
    if snils_check_number(digits[:9]) != int(digits[9:]):
        return f'{label}: неверное контрольное число (последние 2 цифры)'
    return None
