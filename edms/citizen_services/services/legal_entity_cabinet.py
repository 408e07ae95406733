"""Registration of a legal entity's cabinet (seed 000): filed and signed by the head with a qualified signature.

The form: ОГРН, ИНН, КПП (when the organization has one), name, legal form, registration date, legal address, the
head's full name, position and passport; ОГРН and ИНН without spaces, with their check digits. The certificate of the
signature must name the organization (ОГРН, ИНН ЮЛ) and the head (СНИЛС or ИНН). The registry comparison (ЕГРЮЛ) is
an interagency request to the tax service, never asked of the applicant; registry checks take 24–72 hours.
"""

from __future__ import annotations

from collections.abc import Iterator

from edms.citizen_services.catalogue.deadlines import DeadlinePlan, Stage
from edms.citizen_services.catalogue.definition import (
    CLARIFICATION_REQUIRED,
    DONE,
    IN_PROGRESS,
    REFUSED,
    ApplicantFields,
    Channel,
    CompetentAgency,
    InteragencyNeed,
    RefusalReason,
    ResultTemplate,
    ServiceDefinition,
    ServiceStatus,
)
from edms.citizen_services.rules import readers
from edms.citizen_services.rules.attachments import AttachmentSpec
from edms.citizen_services.rules.dates import not_in_future
from edms.citizen_services.rules.facts import QUALIFIED, SMS
from edms.citizen_services.rules.fields import FieldSpec
from edms.citizen_services.rules.problems import MISMATCH, Problem, signature_path
from edms.citizen_services.rules.signatures import SignatureSpec, certificate_matches
from edms.citizen_services.rules.situation import Situation
from edms.citizen_services.services.common import full_name, issue_date_rules, postal_address, russian_passport
from edms.core.filetypes import JPEG, PDF, XML
from edms.directory.models import OrganizationKind

CODE = 'legal_entity_cabinet'
SIGNATURE_LABEL = 'Подпись руководителя под заявлением'

FIELDS = (
    FieldSpec('organization.name', 'Полное наименование организации', readers.text(1000)),
    FieldSpec('organization.legal_form', 'Организационно-правовая форма', readers.text(255)),
    FieldSpec('organization.ogrn', 'ОГРН', readers.ogrn),
    FieldSpec('organization.inn', 'ИНН организации', readers.inn_legal),
    FieldSpec('organization.kpp', 'КПП', readers.kpp, required=False),
    FieldSpec('organization.registration_date', 'Дата государственной регистрации', readers.ru_date),
    *postal_address('organization.legal_address', 'юридического адреса'),
    *full_name('head', 'руководителя'),
    FieldSpec('head.position', 'Должность руководителя', readers.text(255)),
    FieldSpec('head.inn', 'ИНН руководителя', readers.inn_person),
    FieldSpec('head.snils', 'СНИЛС руководителя', readers.snils, required=False),
    *russian_passport('head.passport', 'руководителя'),
)

GROUPS = (
    ('organization', 'Сведения об организации'),
    ('organization.legal_address', 'Юридический адрес'),
    ('head', 'Сведения о руководителе'),
    ('head.passport', 'Паспорт руководителя'),
)


def head_certificate(situation: Situation) -> Iterator[Problem]:
    """The certificate names the head: a СНИЛС or ИНН in it equals the one in the form, and none differs."""
    facts = situation.signature('application')
    if facts is None or facts.method == SMS:
        return
    compared = [
        (found, expected, what)
        for found, expected, what in (
            (facts.snils, situation.value('head.snils'), 'СНИЛС'),
            (facts.inn, situation.value('head.inn'), 'ИНН'),
        )
        if found and expected
    ]
    path, name = signature_path('application'), f'«{SIGNATURE_LABEL}»'
    for found, expected, what in compared:
        if found != expected:
            text = f'{name}: {what} в сертификате ({found}) не совпадает с {what} руководителя ({expected}).'
            yield Problem(path, text, MISMATCH)
    if not compared:
        yield Problem(path, f'{name}: в сертификате нет СНИЛС или ИНН руководителя, указанных в заявлении.', MISMATCH)


SERVICE = ServiceDefinition(
    code=CODE,
    title='Регистрация кабинета юридического лица',
    document_kind='Заявление о регистрации кабинета юридического лица',
    agency=CompetentAgency(
        'portal_operator',
        'Оператор портала государственных услуг (министерство цифрового развития)',
        OrganizationKind.ministry,
    ),
    fields=FIELDS,
    groups=GROUPS,
    attachments=(AttachmentSpec('founding_documents', 'Учредительные документы', required=False),),
    signatures=(SignatureSpec('application', SIGNATURE_LABEL, (QUALIFIED,)),),
    rules=(
        not_in_future('organization.registration_date'),
        *issue_date_rules('head.passport'),
        certificate_matches('application', SIGNATURE_LABEL, 'ogrn', 'ОГРН', 'organization.ogrn'),
        certificate_matches('application', SIGNATURE_LABEL, 'inn_le', 'ИНН ЮЛ', 'organization.inn'),
        head_certificate,
    ),
    allowed_types=frozenset({PDF, JPEG, XML}),
    deadlines=DeadlinePlan(
        stages=(Stage('registry_check', 'Сверка сведений с ЕГРЮЛ (межведомственный запрос в ФНС)', 1, 3),),
        max_total=5,
        basis='срок ответа на межведомственный запрос (ст. 7.2 Федерального закона № 210-ФЗ)',
    ),
    statuses=(
        ServiceStatus(IN_PROGRESS, 'В обработке'),
        ServiceStatus(CLARIFICATION_REQUIRED, 'Требуется уточнение'),
        ServiceStatus(DONE, 'Завершено', final=True),
        ServiceStatus(REFUSED, 'Отклонено', final=True),
    ),
    refusal_reasons=(
        RefusalReason('egrul_mismatch', 'Сведения заявления не совпадают со сведениями ЕГРЮЛ (расхождения указаны)'),
        RefusalReason(
            'signature_invalid',
            'Электронная подпись недействительна или её сертификат не соответствует реквизитам организации',
        ),
        RefusalReason('certificate_expired', 'Истёк срок действия сертификата электронной подписи'),
        RefusalReason('not_head', 'Заявление подписано не руководителем организации'),
        RefusalReason('documents_format', 'Подтверждающие документы представлены не в требуемом формате'),
    ),
    result=ResultTemplate('Уведомление о регистрации кабинета юридического лица'),
    channels=frozenset({Channel.portal, Channel.xml_upload, Channel.mfc}),
    applicant=ApplicantFields(
        kind='legal_entity', name=('organization.name',), snils='head.snils', inn='organization.inn'
    ),
    interagency=(
        InteragencyNeed(
            agency='tax',
            data='Сведения о юридическом лице из ЕГРЮЛ',
            legal_basis='ст. 7, 7.2 Федерального закона от 27.07.2010 № 210-ФЗ',
            compared_fields=tuple(spec.path for spec in FIELDS if spec.path not in ('head.inn', 'head.snils')),
            kind='egrul',
        ),
    ),
)
