"""Check-digit validation of ОГРН, ОГРНИП, ИНН, КПП and СНИЛС."""

from __future__ import annotations

import pytest

from edms.core.identifiers import (
    check_inn,
    check_inn_legal,
    check_inn_person,
    check_kpp,
    check_ogrn,
    check_ogrnip,
    check_snils,
    normalize_snils,
    snils_check_number,
)

INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
INN11_WEIGHTS = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
INN12_WEIGHTS = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def weighted(digits: str, weights: tuple[int, ...]) -> str:
    return str(sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 % 10)


def make_ogrn(first12: str) -> str:
    return first12 + str(int(first12) % 11 % 10)


def make_ogrnip(first14: str) -> str:
    return first14 + str(int(first14) % 13 % 10)


def make_inn10(first9: str) -> str:
    return first9 + weighted(first9, INN10_WEIGHTS)


def make_inn12(first10: str) -> str:
    with_n11 = first10 + weighted(first10, INN11_WEIGHTS)
    return with_n11 + weighted(with_n11, INN12_WEIGHTS)


def flip_last(value: str) -> str:
    return value[:-1] + str((int(value[-1]) + 1) % 10)


# Known public values (Sberbank, a widely cited ОГРНИП/ИНН of an individual) and values computed above.
VALID_OGRN = ['1027700132195', make_ogrn('115774600000'), make_ogrn('102500000000')]
VALID_OGRNIP = ['304500116000157', make_ogrnip('31677460000123'), make_ogrnip('32150000000001')]
VALID_INN10 = ['7707083893', make_inn10('772512345'), make_inn10('500100732')]
VALID_INN12 = ['500100732259', make_inn12('7725123456'), make_inn12('0123456789')]


@pytest.mark.parametrize('value', VALID_OGRN)
def test_valid_ogrn_is_accepted(value: str) -> None:
    assert check_ogrn(value) is None


def test_ogrn_with_wrong_check_digit_is_rejected() -> None:
    assert check_ogrn('1027700132196') == 'ОГРН: неверная контрольная цифра'


def test_ogrn_of_wrong_length_is_rejected() -> None:
    assert check_ogrn('102770013219') == 'ОГРН должен состоять из 13 цифр'
    assert check_ogrn('10277001321950') == 'ОГРН должен состоять из 13 цифр'


@pytest.mark.parametrize('value', ['1027700132 195', ' 1027700132195', '102770013219O', '１０２７７００１３２１９５'])
def test_ogrn_with_spaces_letters_or_non_ascii_digits_must_be_digits_only(value: str) -> None:
    assert check_ogrn(value) == 'ОГРН вводится без пробелов, только цифры'


def test_empty_value_says_field_not_filled() -> None:
    assert check_ogrn('') == 'ОГРН: поле не заполнено'
    assert check_ogrnip('') == 'ОГРНИП: поле не заполнено'
    assert check_inn('') == 'ИНН: поле не заполнено'
    assert check_kpp('') == 'КПП: поле не заполнено'
    assert check_snils('') == 'СНИЛС: поле не заполнено'


def test_message_names_the_field_label() -> None:
    assert check_ogrn('1027700132196', label='ОГРН заявителя') == 'ОГРН заявителя: неверная контрольная цифра'
    assert check_inn('123', label='ИНН получателя').startswith('ИНН получателя ')
    assert check_kpp('', label='КПП филиала') == 'КПП филиала: поле не заполнено'


@pytest.mark.parametrize('value', VALID_OGRNIP)
def test_valid_ogrnip_is_accepted(value: str) -> None:
    assert check_ogrnip(value) is None


def test_ogrnip_with_wrong_check_digit_or_length_is_rejected() -> None:
    assert check_ogrnip(flip_last('304500116000157')) == 'ОГРНИП: неверная контрольная цифра'
    assert check_ogrnip('1027700132195') == 'ОГРНИП должен состоять из 15 цифр'


@pytest.mark.parametrize('value', VALID_INN10 + VALID_INN12)
def test_valid_inn_of_either_length_is_accepted(value: str) -> None:
    assert check_inn(value) is None


def test_inn_check_digit_errors_name_the_digit() -> None:
    assert check_inn(flip_last('7707083893')) == 'ИНН: неверная контрольная цифра (10-я цифра)'
    assert check_inn('500100732269') == 'ИНН: неверная контрольная цифра (11-я цифра)'
    assert check_inn(flip_last('500100732259')) == 'ИНН: неверная контрольная цифра (12-я цифра)'


def test_inn_of_other_length_is_rejected() -> None:
    assert check_inn('77070838931') == 'ИНН должен состоять из 10 цифр (организация) или 12 цифр (физическое лицо)'
    assert check_inn('7707 083893') == 'ИНН вводится без пробелов, только цифры'


def test_inn_legal_accepts_only_ten_digits() -> None:
    assert check_inn_legal('7707083893') is None
    assert check_inn_legal('500100732259') == 'ИНН организации должен состоять из 10 цифр'
    assert check_inn_legal(flip_last('7707083893')) == 'ИНН: неверная контрольная цифра (10-я цифра)'


def test_inn_person_accepts_only_twelve_digits() -> None:
    assert check_inn_person('500100732259') is None
    assert check_inn_person('7707083893') == 'ИНН физического лица должен состоять из 12 цифр'
    assert check_inn_person('50010073225x') == 'ИНН вводится без пробелов, только цифры'


@pytest.mark.parametrize('value', ['773601001', '7736AB001', '77360Z001', '0000A9999'])
def test_valid_kpp_is_accepted(value: str) -> None:
    assert check_kpp(value) is None


@pytest.mark.parametrize(
    ('value', 'message'),
    [
        ('7736 01001', 'КПП вводится без пробелов'),
        ('77360100', 'КПП должен состоять из 9 символов'),
        ('7736010011', 'КПП должен состоять из 9 символов'),
        ('77A601001', 'КПП: первые 4 символа (код налогового органа) должны быть цифрами'),
        (
            '7736ab001',
            'КПП: 5-й и 6-й символы (причина постановки на учёт) должны быть цифрами или латинскими буквами A–Z',
        ),
        (
            '7736АБ001',  # Cyrillic А and Б
            'КПП: 5-й и 6-й символы (причина постановки на учёт) должны быть цифрами или латинскими буквами A–Z',
        ),
        ('77360100A', 'КПП: последние 3 символа (порядковый номер) должны быть цифрами'),
    ],
)
def test_kpp_breaking_a_rule_names_the_rule(value: str, message: str) -> None:
    assert check_kpp(value) == message


@pytest.mark.parametrize('value', ['112-233-445 95', '11223344595'])
def test_valid_snils_in_both_formats_is_accepted(value: str) -> None:
    assert check_snils(value) is None


def test_normalize_snils_returns_eleven_digits() -> None:
    assert normalize_snils('112-233-445 95') == '11223344595'
    assert normalize_snils('11223344595') == '11223344595'
    with pytest.raises(ValueError, match='SNILS'):
        normalize_snils('112 233 445 95')


@pytest.mark.parametrize(
    ('first9', 'expected'),
    [
        ('112233445', 95),  # sum below 100: the sum itself
        ('100582052', 99),
        ('050234316', 0),  # sum 100
        ('016103396', 0),  # sum 101
        ('136571200', 49),  # sum 150: 150 mod 101
        ('820981233', 0),  # sum 201: 201 mod 101 = 100, written as 00
    ],
)
def test_snils_check_number_follows_pension_fund_rule(first9: str, expected: int) -> None:
    assert snils_check_number(first9) == expected
    assert check_snils(f'{first9}{expected:02d}') is None


def test_snils_with_wrong_check_number_is_rejected() -> None:
    assert check_snils('112-233-445 96') == 'СНИЛС: неверное контрольное число (последние 2 цифры)'
    assert check_snils('05023431601') == 'СНИЛС: неверное контрольное число (последние 2 цифры)'


def test_snils_up_to_001_001_998_is_not_checked() -> None:
    assert check_snils('001-001-998 00') is None
    assert check_snils('00100199777') is None
    assert check_snils('001-001-999 00') == 'СНИЛС: неверное контрольное число (последние 2 цифры)'


@pytest.mark.parametrize('value', ['112 233 445 95', '112-233-44595', 'СНИЛС11223344595', '112-233-445 9'])
def test_snils_in_unknown_format_is_rejected(value: str) -> None:
    assert check_snils(value) == 'СНИЛС вводится в формате 123-456-789 01 или 11 цифрами без пробелов'


def test_snils_of_wrong_length_is_rejected() -> None:
    assert check_snils('1122334459') == 'СНИЛС должен состоять из 11 цифр'
