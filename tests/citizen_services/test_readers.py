"""Field readers: each accepts a valid value (normalized) and refuses an invalid one with a message naming the field."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from edms.citizen_services.rules import readers
from edms.citizen_services.rules.readers import Invalid
from tests.citizen_services.samples import INN_LEGAL, INN_PERSON, KPP, OGRN, SNILS, SNILS_DIGITS

REASONS = {'study': 'учёба', 'work': 'работа'}
VALID: list[tuple[str, readers.Reader, Any, Any]] = [
    ('date', readers.ru_date, '01.03.2026', date(2026, 3, 1)),
    ('date-xml', readers.ru_date, '2026-03-01', date(2026, 3, 1)),
    ('date-object', readers.ru_date, date(2026, 3, 1), date(2026, 3, 1)),
    ('passport-series', readers.digits(4), '4510', '4510'),
    ('passport-number', readers.digits(6), '123456', '123456'),
    ('postal-code', readers.digits(6), '101000', '101000'),
    ('name', readers.person_name, '  Салтыков-Щедрин ', 'Салтыков-Щедрин'),
    ('name-latin', readers.person_name, "O'Neil", "O'Neil"),
    ('text', readers.text(10), ' ОВД ', 'ОВД'),
    ('inn-person', readers.inn_person, INN_PERSON, INN_PERSON),
    ('inn-legal', readers.inn_legal, INN_LEGAL, INN_LEGAL),
    ('ogrn', readers.ogrn, OGRN, OGRN),
    ('kpp', readers.kpp, KPP, KPP),
    ('snils-formatted', readers.snils, SNILS, SNILS_DIGITS),
    ('snils-digits', readers.snils, SNILS_DIGITS, SNILS_DIGITS),
    ('phone-canonical', readers.phone, '+7 912 345-67-89', '+7 912 345-67-89'),
    ('phone-8', readers.phone, '8 (912) 345-67-89', '+7 912 345-67-89'),
    ('phone-plain', readers.phone, '+79123456789', '+7 912 345-67-89'),
    ('email', readers.email, 'Petrov@Example.RU', 'Petrov@example.ru'),
    ('reason', readers.choice(REASONS), 'work', 'work'),
    ('boolean-true', readers.boolean, 'да', True),
    ('boolean-false', readers.boolean, 'false', False),
    ('boolean-bool', readers.boolean, True, True),
    ('foreign-number', readers.document_number(20), 'AB1234567', 'AB1234567'),
]

INVALID: list[tuple[str, readers.Reader, Any, str]] = [
    ('date-format', readers.ru_date, '2026.03.01', '«Поле»: дата в формате ДД.ММ.ГГГГ.'),
    ('date-not-real', readers.ru_date, '30.02.2026', '«Поле»: дата в формате ДД.ММ.ГГГГ.'),
    ('date-year', readers.ru_date, '01.01.1812', '«Поле»: год должен быть от 1900 до 2100.'),
    ('passport-series', readers.digits(4), '45 10', '«Поле»: 4 цифры.'),
    ('passport-series-letters', readers.digits(4), '45АБ', '«Поле»: 4 цифры.'),
    ('passport-number', readers.digits(6), '12345', '«Поле»: 6 цифр.'),
    ('postal-code', readers.digits(6), '1010001', '«Поле»: 6 цифр.'),
    ('name-digits', readers.person_name, 'Петров2', '«Поле»: только буквы, пробел, дефис и апостроф.'),
    ('text-long', readers.text(10), 'x' * 11, '«Поле»: не более 10 символов (введено 11).'),
    ('text-control', readers.text(10), 'a\x00b', '«Поле»: содержит недопустимые управляющие символы.'),
    ('not-a-string', readers.text(10), 12, '«Поле»: ожидается строка.'),
    ('inn-person-check', readers.inn_person, INN_PERSON[:-1] + '0', '«Поле»: неверная контрольная цифра (12-я цифра).'),
    ('inn-person-length', readers.inn_person, INN_LEGAL, '«Поле» физического лица должен состоять из 12 цифр.'),
    ('inn-legal-check', readers.inn_legal, INN_LEGAL[:-1] + '4', '«Поле»: неверная контрольная цифра (10-я цифра).'),
    ('inn-spaces', readers.inn_legal, '7707 083893', '«Поле» вводится без пробелов, только цифры.'),
    ('ogrn-check', readers.ogrn, OGRN[:-1] + '6', '«Поле»: неверная контрольная цифра.'),
    ('kpp', readers.kpp, '77360100', '«Поле» должен состоять из 9 символов.'),
    ('snils-check', readers.snils, '112-233-445 96', '«Поле»: неверное контрольное число (последние 2 цифры).'),
    ('phone-short', readers.phone, '+7 912 345-67-8', '«Поле»: номер в формате +7 XXX XXX-XX-XX.'),
    ('phone-foreign', readers.phone, '+380 44 123-45-67', '«Поле»: номер в формате +7 XXX XXX-XX-XX.'),
    ('email-no-at', readers.email, 'petrov.example.ru', '«Поле»: адрес электронной почты вида name@example.ru.'),
    ('email-no-dot', readers.email, 'petrov@localhost', '«Поле»: адрес электронной почты вида name@example.ru.'),
    ('reason', readers.choice(REASONS), 'rest', '«Поле»: выберите одно из значений: «учёба», «работа».'),
    ('boolean', readers.boolean, 'может быть', '«Поле»: ожидается «да» или «нет».'),
    ('document-number', readers.document_number(9), 'AB 1', '«Поле»: буквы и цифры без пробелов, не более 9 символов.'),
]  # fmt: skip


@pytest.mark.parametrize(('reader', 'raw', 'expected'), [case[1:] for case in VALID], ids=[case[0] for case in VALID])
def test_reader_accepts_and_normalizes(reader: readers.Reader, raw: Any, expected: Any) -> None:
    assert reader(raw, 'Поле') == expected


@pytest.mark.parametrize(
    ('reader', 'raw', 'message'), [case[1:] for case in INVALID], ids=[case[0] for case in INVALID]
)
def test_reader_refuses_with_message_naming_the_field(reader: readers.Reader, raw: Any, message: str) -> None:
    with pytest.raises(Invalid) as caught:
        reader(raw, 'Поле')
    assert caught.value.message == message


def test_check_digit_problems_have_their_own_code() -> None:
    with pytest.raises(Invalid) as caught:
        readers.snils('112-233-445 96', 'СНИЛС')
    assert caught.value.code == 'check_digit'
