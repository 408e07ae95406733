"""Legal-entity cabinet (seed 000): the head's qualified signature must name the organization and the head."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from edms.citizen_services.rules.problems import Problem
from edms.citizen_services.validation import validate_application
from tests.citizen_services.samples import (
    INN_LEGAL,
    INN_PERSON,
    OGRN,
    TODAY,
    head_signature,
    legal_entity_cabinet,
    moment,
    qualified,
    ru,
    with_value,
)

SERVICE = 'legal_entity_cabinet'


def problems_of(data: dict[str, Any], **facts: Any) -> list[Problem]:
    return validate_application(SERVICE, data, today=TODAY, signatures=[head_signature(**facts)])


def test_valid_application_signed_by_the_head() -> None:
    assert problems_of(legal_entity_cabinet()) == []


def test_kpp_is_optional_but_checked() -> None:
    assert problems_of(with_value(legal_entity_cabinet(), 'organization.kpp', None)) == []
    [problem] = problems_of(with_value(legal_entity_cabinet(), 'organization.kpp', '7736 01001'))
    assert problem == Problem('organization.kpp', '«КПП» вводится без пробелов.')


@pytest.mark.parametrize(
    ('path', 'value', 'message'),
    [
        ('organization.ogrn', OGRN[:-1] + '6', '«ОГРН»: неверная контрольная цифра.'),
        ('organization.inn', INN_PERSON, '«ИНН организации» организации должен состоять из 10 цифр.'),
        ('head.passport.series', '451', '«Серия паспорта руководителя»: 4 цифры.'),
        ('organization.legal_address.postal_code', 'A10100', '«Почтовый индекс юридического адреса»: 6 цифр.'),
        ('organization.name', '', '«Полное наименование организации»: обязательное поле.'),
        ('head.position', None, '«Должность руководителя»: обязательное поле.'),
    ],
    ids=['ogrn', 'inn', 'passport-series', 'postal-code', 'name', 'position'],
)
def test_field_rules(path: str, value: Any, message: str) -> None:
    problems = problems_of(with_value(legal_entity_cabinet(), path, value))
    assert [(problem.field, problem.message) for problem in problems if problem.field == path] == [(path, message)]


def test_registration_date_in_the_future_is_refused() -> None:
    data = with_value(legal_entity_cabinet(), 'organization.registration_date', ru(TODAY.replace(year=TODAY.year + 1)))
    assert [problem.code for problem in problems_of(data)] == ['date_order']


def test_signature_is_required_and_must_be_qualified() -> None:
    [missing] = validate_application(SERVICE, legal_entity_cabinet(), today=TODAY)
    assert missing.field == 'signatures.application'
    assert missing.code == 'required'
    [advanced] = problems_of(legal_entity_cabinet(), method='advanced', qualified=False)
    assert 'требуется квалифицированная электронная подпись (КЭП)' in advanced.message


def test_certificate_not_yet_valid_when_signing_is_refused() -> None:
    [problem] = problems_of(legal_entity_cabinet(), signing_time=moment(TODAY - timedelta(days=400)))
    assert problem.field == 'signatures.application'
    assert 'сертификат не действовал в момент подписания' in problem.message


def test_certificate_of_another_organization_is_refused_naming_each_mismatch() -> None:
    problems = problems_of(legal_entity_cabinet(), ogrn='1037700013020', inn_le='7702070139')
    assert [problem.message for problem in problems] == [
        '«Подпись руководителя под заявлением»: ОГРН в сертификате («1037700013020») не совпадает '
        f'с полем «ОГРН» ({OGRN}).',
        '«Подпись руководителя под заявлением»: ИНН ЮЛ в сертификате («7702070139») не совпадает '
        f'с полем «ИНН организации» ({INN_LEGAL}).',
    ]


def test_certificate_of_a_person_without_organization_is_refused() -> None:
    problems = validate_application(SERVICE, legal_entity_cabinet(), today=TODAY, signatures=[qualified('application')])
    assert [problem.code for problem in problems] == ['mismatch', 'mismatch']
    assert 'ОГРН в сертификате (не указан)' in problems[0].message


def test_certificate_of_another_person_is_refused() -> None:
    [problem] = problems_of(legal_entity_cabinet(), snils='08765430300')
    assert problem.message == (
        '«Подпись руководителя под заявлением»: СНИЛС в сертификате (08765430300) не совпадает '
        'с СНИЛС руководителя (11223344595).'
    )


def test_head_is_matched_by_inn_when_the_form_has_no_snils() -> None:
    data = with_value(legal_entity_cabinet(), 'head.snils', None)
    assert problems_of(data) == []
    [problem] = problems_of(data, inn='123456789012', snils=None)
    assert problem.code == 'mismatch'


def test_certificate_without_the_heads_identifiers_is_refused() -> None:
    [problem] = problems_of(legal_entity_cabinet(), inn=None, snils=None)
    assert problem.message.endswith('в сертификате нет СНИЛС или ИНН руководителя, указанных в заявлении.')
