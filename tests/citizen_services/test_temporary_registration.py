"""Temporary registration (seed 001): a valid application, each rule broken once, and the list naming every problem."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from edms.citizen_services.errors import ApplicationInvalid
from edms.citizen_services.rules.facts import AttachmentFile, SignatureFacts
from edms.citizen_services.rules.problems import Problem
from edms.citizen_services.validation import check_application, read_application, validate_application
from edms.core.errors import ValidationFailed
from tests.citizen_services.samples import (
    START,
    TODAY,
    moment,
    pdf,
    qualified,
    ru,
    temporary_registration,
    with_value,
)

SERVICE = 'temporary_registration'
BASE_FILES = (pdf('identity_document'), pdf('residence_right'), pdf('owner_consent'))


def problems_of(
    data: dict[str, Any],
    files: tuple[AttachmentFile, ...] = BASE_FILES,
    signatures: tuple[SignatureFacts, ...] | None = None,
    **options: Any,
) -> list[Problem]:
    facts = (qualified('owner_consent'),) if signatures is None else signatures
    return validate_application(SERVICE, data, files, today=TODAY, signatures=facts, **options)


def fields_of(problems: list[Problem]) -> list[str]:
    return [problem.field for problem in problems]


def test_valid_application_has_no_problem_and_normalized_values() -> None:
    values = read_application(
        SERVICE,
        with_value(temporary_registration(), 'contacts.phone', '8 912 345 67 89'),
        BASE_FILES,
        today=TODAY,
        signatures=[qualified('owner_consent')],
    )
    assert values['contacts']['phone'] == '+7 912 345-67-89'
    assert values['stay']['start_date'] == START
    assert values['applicant']['snils'] == '11223344595'
    assert values['stay']['applicant_is_owner'] is False


def test_form_with_dotted_names_reads_like_nested_data() -> None:
    flat = {'applicant.last_name': 'Петров', 'applicant.passport.series': '45'}
    problems = validate_application(SERVICE, flat, today=TODAY)
    assert Problem('applicant.passport.series', '«Серия паспорта»: 4 цифры.') in problems
    assert 'applicant.last_name' not in fields_of(problems)


def test_stay_of_90_days_is_accepted_and_91_refused() -> None:
    data = with_value(temporary_registration(), 'stay.end_date', ru(START + timedelta(days=90)))
    assert problems_of(temporary_registration()) == []
    assert problems_of(data) == [
        Problem(
            'stay.end_date',
            f'«Дата окончания регистрации»: срок пребывания не более 90 дней (указано 91 день: с {ru(START)} '
            f'по {ru(START + timedelta(days=90))}).',
            'period',
        )
    ]


def test_end_before_start_is_refused() -> None:
    data = with_value(temporary_registration(), 'stay.end_date', ru(START - timedelta(days=1)))
    assert fields_of(problems_of(data)) == ['stay.end_date']


def test_unknown_field_is_named() -> None:
    data = with_value(temporary_registration(), 'stay.comment', 'до востребования')
    assert problems_of(data) == [Problem('stay.comment', 'Неизвестное поле «stay.comment».', 'unknown')]


def test_passport_issued_before_birth_or_in_future_is_refused() -> None:
    before_birth = with_value(temporary_registration(), 'applicant.passport.issue_date', '01.01.1989')
    future = with_value(temporary_registration(), 'applicant.passport.issue_date', ru(TODAY + timedelta(days=1)))
    assert [p.code for p in problems_of(before_birth)] == ['date_order']
    assert [p.code for p in problems_of(future)] == ['date_order']


def test_foreign_citizen_needs_the_foreign_document_and_a_migration_card() -> None:
    data = with_value(temporary_registration(), 'applicant.citizenship', 'foreign')
    data = with_value(data, 'applicant.passport', None)
    assert fields_of(problems_of(data)) == [
        'applicant.foreign_document.name',
        'applicant.foreign_document.number',
        'applicant.foreign_document.issue_date',
        'applicant.foreign_document.issuer',
        'attachments.migration_card',
    ]
    document = {'name': 'Паспорт гражданина Республики Казахстан', 'number': 'N1234567', 'issue_date': '01.02.2020',
                'issuer': 'МВД РК'}  # fmt: skip
    complete = with_value(data, 'applicant.foreign_document', document)
    assert problems_of(complete, (*BASE_FILES, pdf('migration_card'))) == []


def test_russian_citizen_needs_the_passport() -> None:
    data = with_value(temporary_registration(), 'applicant.passport', None)
    problems = problems_of(data)
    assert fields_of(problems) == [
        'applicant.passport.series',
        'applicant.passport.number',
        'applicant.passport.issue_date',
        'applicant.passport.issuer',
    ]
    assert problems[0].message == '«Серия паспорта»: обязательное поле (для гражданина Российской Федерации).'


def test_minor_needs_birth_certificate_and_second_parent_consent() -> None:
    seventeen = date(TODAY.year - 18, TODAY.month, TODAY.day) + timedelta(days=1)
    data = with_value(temporary_registration(), 'applicant.birth_date', ru(seventeen))
    data = with_value(data, 'applicant.passport.issue_date', ru(TODAY - timedelta(days=30)))
    data = with_value(data, 'filed_by', 'parent')
    assert fields_of(problems_of(data)) == ['attachments.birth_certificate', 'attachments.second_parent_consent']
    files = (*BASE_FILES, pdf('birth_certificate'), pdf('second_parent_consent'))
    assert problems_of(data, files) == []


def test_adult_on_the_18th_birthday_needs_no_birth_certificate() -> None:
    data = with_value(
        temporary_registration(), 'applicant.birth_date', ru(date(TODAY.year - 18, TODAY.month, TODAY.day))
    )
    data = with_value(data, 'applicant.passport.issue_date', ru(TODAY - timedelta(days=30)))
    assert problems_of(data) == []


def test_representative_needs_a_power_of_attorney() -> None:
    data = with_value(temporary_registration(), 'filed_by', 'representative')
    problems = problems_of(data)
    assert problems == [
        Problem(
            'attachments.power_of_attorney',
            '«Доверенность представителя»: приложите файл (при подаче заявления представителем).',
            'required',
        )
    ]
    assert problems_of(data, (*BASE_FILES, pdf('power_of_attorney'))) == []


def test_power_of_attorney_signature_when_given_must_be_qualified_and_valid() -> None:
    data = with_value(temporary_registration(), 'filed_by', 'representative')
    files = (*BASE_FILES, pdf('power_of_attorney'))
    bad = qualified('power_of_attorney', verdict='invalid')
    problems = problems_of(data, files, (qualified('owner_consent'), bad))
    assert fields_of(problems) == ['signatures.power_of_attorney']


def test_owner_needs_no_consent_nor_owner_details() -> None:
    data = with_value(temporary_registration(), 'stay.applicant_is_owner', 'true')
    data = with_value(data, 'owner', None)
    files = (pdf('identity_document'), pdf('residence_right'))
    assert problems_of(data, files, ()) == []


def test_tenant_needs_the_consent_file_its_signature_and_the_owner() -> None:
    data = with_value(temporary_registration(), 'owner', None)
    files = (pdf('identity_document'), pdf('residence_right'))
    assert fields_of(problems_of(data, files, ())) == [
        'owner.last_name',
        'owner.first_name',
        'owner.passport.series',
        'owner.passport.number',
        'owner.passport.issue_date',
        'attachments.owner_consent',
        'signatures.owner_consent',
    ]


def test_consent_confirmed_by_sms_is_accepted() -> None:
    sms = SignatureFacts.sms('owner_consent', moment(TODAY))
    assert problems_of(temporary_registration(), signatures=(sms,)) == []


@pytest.mark.parametrize(
    ('days_before_start', 'accepted'), [(30, True), (31, False)], ids=['30-days-before', '31-days-before']
)
def test_consent_issued_not_earlier_than_30_days_before_the_start(days_before_start: int, accepted: bool) -> None:
    signed = START - timedelta(days=days_before_start)
    consent = qualified('owner_consent', signed=signed)
    problems = problems_of(temporary_registration(), signatures=(consent,))
    if accepted:
        assert problems == []
    else:
        assert problems == [
            Problem(
                'signatures.owner_consent',
                f'«Подпись собственника под согласием»: выдано {ru(signed)} — ранее чем за 30 дней до даты '
                f'«Дата начала регистрации» ({ru(START)}); допускается не ранее {ru(START - timedelta(days=30))}.',
                'signature',
            )
        ]


def test_consent_certificate_must_be_valid_when_sent() -> None:
    expired = qualified('owner_consent', signed=TODAY - timedelta(days=2), not_after=moment(TODAY - timedelta(days=1)))
    [problem] = problems_of(temporary_registration(), signatures=(expired,))
    assert problem.field == 'signatures.owner_consent'
    assert 'сертификат не действовал в момент отправки' in problem.message


@pytest.mark.parametrize(
    ('facts', 'expected'),
    [
        ({'verdict': 'invalid', 'detail': 'Целостность документа: нарушена'}, 'подпись недействительна: Целостность'),
        ({'verdict': 'indeterminate'}, 'действительность подписи не установлена'),
        ({'qualified': False}, 'сертификат подписи не является квалифицированным'),
        ({'method': 'simple'}, 'подписано способом «простая электронная подпись»'),
        ({'signing_time': None}, 'в подписи нет даты подписания'),
        ({'not_before': None}, 'нет сведений о сертификате подписи'),
    ],
    ids=['invalid', 'indeterminate', 'not-qualified', 'simple', 'no-signing-time', 'no-certificate'],
)
def test_consent_signature_problems(facts: dict[str, Any], expected: str) -> None:
    [problem] = problems_of(temporary_registration(), signatures=(qualified('owner_consent', **facts),))
    assert problem.field == 'signatures.owner_consent'
    assert expected in problem.message


def test_signature_the_service_does_not_know_is_named() -> None:
    problems = problems_of(temporary_registration(), signatures=(qualified('owner_consent'), qualified('head')))
    assert fields_of(problems) == ['signatures.head']


def test_channel_the_service_does_not_take_is_refused() -> None:
    [problem] = problems_of(temporary_registration(), channel='partner')
    assert problem.field == 'channel'
    assert problem.message.startswith('«Способ подачи»: услугу «Регистрация по месту пребывания» можно получить так:')


def test_bad_application_names_every_problem_at_once() -> None:
    data = temporary_registration()
    data['applicant'].update({'first_name': '', 'birth_date': '1990-04-31', 'citizenship': 'foreign', 'inn': '123'})
    data['applicant']['passport'].update({'series': '45 10', 'number': '12345'})
    data['applicant']['snils'] = '112-233-445 96'
    data['contacts'] = {'phone': '8-912-345', 'email': 'petrov@'}
    data['stay'].update({'end_date': ru(START + timedelta(days=120)), 'reason': 'отдых'})
    data['stay']['address']['postal_code'] = '1010'
    files = (pdf('identity_document'), AttachmentFile('residence_right', 'lease.gif', 1000, None))
    consent = qualified('owner_consent', signed=START - timedelta(days=45))

    checked = check_application(SERVICE, data, files, today=TODAY, signatures=[consent])

    assert [(problem.field, problem.code) for problem in checked.problems] == [
        ('applicant.first_name', 'required'),
        ('applicant.birth_date', 'format'),
        ('applicant.passport.series', 'format'),
        ('applicant.passport.number', 'format'),
        ('applicant.foreign_document.name', 'required'),
        ('applicant.foreign_document.number', 'required'),
        ('applicant.foreign_document.issue_date', 'required'),
        ('applicant.foreign_document.issuer', 'required'),
        ('applicant.inn', 'format'),
        ('applicant.snils', 'check_digit'),
        ('contacts.phone', 'format'),
        ('contacts.email', 'format'),
        ('stay.address.postal_code', 'format'),
        ('stay.end_date', 'period'),
        ('stay.reason', 'not_allowed'),
        ('attachments.residence_right', 'file_type'),
        ('attachments.owner_consent', 'required'),
        ('attachments.migration_card', 'required'),
        ('signatures.owner_consent', 'signature'),
    ]
    with pytest.raises(ApplicationInvalid) as caught:
        checked.raise_if_invalid()
    error = caught.value
    assert isinstance(error, ValidationFailed)
    assert error.status == 422
    assert len(error.problems) == 19
    assert error.fields['applicant.passport.series'] == '«Серия паспорта»: 4 цифры.'
    assert error.fields['applicant.snils'] == '«СНИЛС»: неверное контрольное число (последние 2 цифры).'
    assert error.fields['contacts.phone'] == '«Телефон»: номер в формате +7 XXX XXX-XX-XX.'
    assert error.message == 'Заявление содержит ошибки (19): исправьте отмеченные поля.'


def test_required_attachments_follow_the_situation() -> None:
    data = with_value(temporary_registration(), 'applicant.citizenship', 'foreign')
    checked = check_application(SERVICE, data, today=TODAY)
    assert checked.required_attachments == ('identity_document', 'residence_right', 'owner_consent', 'migration_card')
