"""Connection to the taxpayer's cabinet (seed 003): ИНН, СНИЛС, date of birth and e-mail, confirmed by a signature
or an SMS code; filed through the portal, the mobile app, a КЭП-signed XML, an MFC operator, on paper at the office,
or by a partner (a bank) on the applicant's behalf. An ИНН typo is refused at once; missing fields return the form.
Statuses «В обработке», «Готов», «Требуется уточнение» with the expected completion date (5 to 10 working days).
"""

from __future__ import annotations

from edms.citizen_services.catalogue.deadlines import DeadlinePlan, Stage
from edms.citizen_services.catalogue.definition import (
    CLARIFICATION_REQUIRED,
    DONE,
    IN_PROGRESS,
    REFUSED,
    ApplicantFields,
    Channel,
    CompetentAgency,
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
from edms.citizen_services.rules.signatures import SignatureSpec
from edms.citizen_services.rules.situation import channel_in
from edms.directory.models import OrganizationKind

CODE = 'taxpayer_cabinet'

#: The applicant confirms the application in person on line; at an MFC or the tax office the operator identifies
#: them, and a partner files through its authenticated API (a КЭП-signed XML is required by the channel itself).
SELF_SERVICE = channel_in({Channel.portal, Channel.mobile}, 'при подаче через портал или мобильное приложение')

SERVICE = ServiceDefinition(
    code=CODE,
    title='Подключение к личному кабинету налогоплательщика',
    document_kind='Заявление о подключении к личному кабинету налогоплательщика',
    agency=CompetentAgency('tax', 'Налоговый орган (ФНС России)', OrganizationKind.agency),
    fields=(
        FieldSpec('inn', 'ИНН', readers.inn_person),
        FieldSpec('snils', 'СНИЛС', readers.snils),
        FieldSpec('birth_date', 'Дата рождения', readers.ru_date),
        FieldSpec('email', 'Адрес электронной почты', readers.email),
    ),
    attachments=(AttachmentSpec('supporting_documents', 'Дополнительные документы', required=False),),
    signatures=(SignatureSpec('application', 'Подтверждение заявления', (QUALIFIED, SMS), SELF_SERVICE),),
    rules=(not_in_future('birth_date'),),
    deadlines=DeadlinePlan(
        stages=(Stage('processing', 'Проверка сведений в базе ФНС и подключение кабинета', 1, 5),),
        max_total=10,
        clarification_days=1,
        basis='срок подключения к личному кабинету налогоплательщика',
    ),
    statuses=(
        ServiceStatus(IN_PROGRESS, 'В обработке'),
        ServiceStatus(CLARIFICATION_REQUIRED, 'Требуется уточнение'),
        ServiceStatus(DONE, 'Готов', final=True),
        ServiceStatus(REFUSED, 'Отклонено', final=True),
    ),
    refusal_reasons=(
        RefusalReason('inn_not_found', 'ИНН не найден в базе ФНС (опечатка в ИНН)'),
        RefusalReason('name_mismatch', 'ФИО не совпадает с данными ФНС'),
        RefusalReason('contacts_invalid', 'Некорректный адрес электронной почты: код подтверждения не доставлен'),
        RefusalReason('not_confirmed', 'Заявление не подтверждено электронной подписью или кодом из СМС'),
    ),
    result=ResultTemplate('Уведомление о подключении к личному кабинету налогоплательщика'),
    channels=frozenset(Channel),
    applicant=ApplicantFields(name=(), snils='snils', inn='inn'),
)
