"""Taxpayer cabinet (seed 003): the four fields, confirmation by signature or SMS, and the channels."""

from __future__ import annotations

import pytest

from edms.citizen_services.catalogue.registry import get_service
from edms.citizen_services.rules.facts import SignatureFacts
from edms.citizen_services.validation import validate_application
from tests.citizen_services.samples import INN_PERSON, TODAY, moment, qualified, ru, taxpayer_cabinet, with_value

SERVICE = 'taxpayer_cabinet'
SMS = SignatureFacts.sms('application', moment(TODAY))


def test_valid_application_confirmed_by_sms() -> None:
    assert validate_application(SERVICE, taxpayer_cabinet(), today=TODAY, signatures=[SMS]) == []


def test_inn_typo_is_refused_at_once() -> None:
    data = with_value(taxpayer_cabinet(), 'inn', INN_PERSON[:-2] + '95')
    [problem] = validate_application(SERVICE, data, today=TODAY, signatures=[SMS])
    assert (problem.field, problem.code) == ('inn', 'check_digit')


def test_missing_fields_return_the_form_naming_each() -> None:
    problems = validate_application(SERVICE, {'inn': INN_PERSON}, today=TODAY, signatures=[SMS])
    assert [problem.message for problem in problems] == [
        '«СНИЛС»: обязательное поле.',
        '«Дата рождения»: обязательное поле.',
        '«Адрес электронной почты»: обязательное поле.',
    ]


def test_birth_date_in_the_future_is_refused() -> None:
    data = with_value(taxpayer_cabinet(), 'birth_date', ru(TODAY.replace(year=TODAY.year + 1)))
    [problem] = validate_application(SERVICE, data, today=TODAY, signatures=[SMS])
    assert problem.field == 'birth_date'


@pytest.mark.parametrize('channel', ['portal', 'mobile'])
def test_applicant_confirms_on_line(channel: str) -> None:
    [problem] = validate_application(SERVICE, taxpayer_cabinet(), today=TODAY, channel=channel)
    assert problem.field == 'signatures.application'
    assert problem.message == (
        '«Подтверждение заявления»: требуется квалифицированная электронная подпись (КЭП) или подтверждение кодом '
        'из СМС (при подаче через портал или мобильное приложение).'
    )


@pytest.mark.parametrize('channel', ['mfc', 'paper', 'partner'])
def test_operator_and_partner_channels_need_no_applicant_confirmation(channel: str) -> None:
    assert validate_application(SERVICE, taxpayer_cabinet(), today=TODAY, channel=channel) == []


def test_xml_upload_must_carry_a_qualified_signature() -> None:
    [sms] = validate_application(SERVICE, taxpayer_cabinet(), today=TODAY, signatures=[SMS], channel='xml_upload')
    assert sms.field == 'signatures.application'
    assert 'требуется квалифицированная электронная подпись (КЭП)' in sms.message
    ok = validate_application(
        SERVICE, taxpayer_cabinet(), today=TODAY, signatures=[qualified('application')], channel='xml_upload'
    )
    assert ok == []


def test_statuses_are_those_of_the_seed() -> None:
    service = get_service(SERVICE)
    labels = [service.status(code).label for code in ('in_progress', 'done', 'clarification_required')]
    assert labels == ['В обработке', 'Готов', 'Требуется уточнение']
