"""Applications as XML: each service's XSD accepts a valid sample and rejects a bad one with Russian messages naming
the element; hostile XML is refused before parsing; XSD-valid data then meets the same rules as a form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from edms.citizen_services.catalogue.registry import get_service
from edms.citizen_services.errors import ApplicationInvalid
from edms.citizen_services.rules.problems import Problem
from edms.citizen_services.validation import check_application
from edms.citizen_services.xml_forms import parse_application_xml
from tests.citizen_services import samples
from tests.citizen_services.samples import TODAY, to_xml, with_value

SAMPLES: dict[str, Callable[[], dict[str, Any]]] = {
    'legal_entity_cabinet': samples.legal_entity_cabinet,
    'temporary_registration': samples.temporary_registration,
    'taxpayer_cabinet': samples.taxpayer_cabinet,
}
BAD_FIELD = {
    'legal_entity_cabinet': ('organization.ogrn', '10277001321', '«ОГРН» (элемент application/organization/ogrn)'),
    'temporary_registration': (
        'applicant.passport.series',
        '45 10',
        '«Серия паспорта» (элемент application/applicant/passport/series)',
    ),
    'taxpayer_cabinet': ('snils', '112 233 445 95', '«СНИЛС» (элемент application/snils)'),
}


def problems_of(code: str, xml: bytes) -> list[Problem]:
    with pytest.raises(ApplicationInvalid) as caught:
        parse_application_xml(code, xml)
    return list(caught.value.problems)


@pytest.mark.parametrize('code', list(SAMPLES))
def test_xsd_accepts_a_valid_sample_and_gives_the_form_data(code: str) -> None:
    service = get_service(code)
    data = parse_application_xml(code, to_xml(service, SAMPLES[code]()))
    checked = check_application(service, data, today=TODAY, channel='xml_upload')
    # The data read from XML meets every field rule; only the applicant's signature (and files) are still due.
    assert {problem.field.split('.')[0] for problem in checked.problems} <= {'signatures', 'attachments'}
    assert 'signatures.application' in {problem.field for problem in checked.problems}


@pytest.mark.parametrize('code', list(SAMPLES))
def test_xsd_rejects_a_bad_value_naming_the_element(code: str) -> None:
    path, value, name = BAD_FIELD[code]
    [problem] = problems_of(code, to_xml(get_service(code), with_value(SAMPLES[code](), path, value)))
    assert problem == Problem(path, f'{name}: значение «{value}» имеет недопустимый формат.', 'schema')


def test_missing_and_unexpected_elements_are_each_named() -> None:
    service = get_service('temporary_registration')
    data = with_value(samples.temporary_registration(), 'contacts', None)
    data = with_value(data, 'applicant.passport.number', None)
    data = with_value(data, 'applicant.nickname', 'Петя')
    problems = problems_of('temporary_registration', to_xml(service, data))
    assert {(problem.field, problem.message) for problem in problems} == {
        ('contacts', '«Контакты» (элемент application/contacts): обязательный элемент отсутствует.'),
        (
            'applicant.passport.number',
            '«Номер паспорта» (элемент application/applicant/passport/number): обязательный элемент отсутствует.',
        ),
        (
            'applicant.nickname',
            'Элемент application/applicant/nickname: не предусмотрен схемой, повторяется или стоит не на своём месте.',
        ),
    }


def test_dates_are_written_as_xml_dates() -> None:
    service = get_service('taxpayer_cabinet')
    xml = to_xml(service, samples.taxpayer_cabinet()).replace(b'1990-04-15', b'15.04.1990')
    [problem] = problems_of('taxpayer_cabinet', xml)
    assert problem.message == (
        '«Дата рождения» (элемент application/birth_date): значение «15.04.1990»: ожидается дата в формате ГГГГ-ММ-ДД.'
    )


def test_enumeration_lists_the_allowed_values() -> None:
    service = get_service('temporary_registration')
    data = with_value(samples.temporary_registration(), 'stay.reason', 'rest')
    [problem] = problems_of('temporary_registration', to_xml(service, data))
    assert problem.message.endswith('значение «rest» не из списка допустимых (study, work, treatment, other).')


def test_document_of_another_service_is_refused() -> None:
    xml = to_xml(get_service('taxpayer_cabinet'), samples.taxpayer_cabinet())
    [problem] = problems_of('temporary_registration', xml)
    assert problem.field == 'xml'
    assert '«urn:edms:citizen-services:temporary_registration»' in problem.message


@pytest.mark.parametrize(
    'payload',
    [
        b'<!DOCTYPE application [<!ENTITY x SYSTEM "file:///etc/passwd">]><application>&x;</application>',
        b'<!DOCTYPE a [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><a>&b;</a>',
        b'<application xmlns="urn:edms:citizen-services:taxpayer_cabinet"><inn>',
    ],
    ids=['external-entity', 'entity-expansion', 'not-well-formed'],
)
def test_hostile_or_broken_xml_is_refused(payload: bytes) -> None:
    [problem] = problems_of('taxpayer_cabinet', payload)
    assert (problem.field, problem.code) == ('xml', 'unsafe_xml')
    assert problem.message.startswith('XML-файл заявления отклонён: ')


def test_doctype_refusal_says_why() -> None:
    [problem] = problems_of(
        'taxpayer_cabinet', b'<!DOCTYPE application SYSTEM "http://127.0.0.1:9/a.dtd"><application/>'
    )
    assert problem.message == 'XML-файл заявления отклонён: объявления DOCTYPE и ENTITY не допускаются.'


def test_oversized_xml_is_refused() -> None:
    xml = b'<application>' + b' ' * (1024 * 1024) + b'</application>'
    [problem] = problems_of('taxpayer_cabinet', xml)
    assert 'больше допустимых' in problem.message
