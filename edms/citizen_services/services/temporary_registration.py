"""Temporary registration at the place of stay (seed 001): the form, the files, the owner's consent, the terms.

Rules of the seed: stay at most 90 days; passport series 4 digits and number 6 digits, issue date, issuer; ИНН
optional, СНИЛС with its check number; address with a postal code; phone +7 XXX XXX-XX-XX; e-mail; dates
ДД.ММ.ГГГГ; reason study, work, treatment or other; files PDF/JPG/PNG up to 5 MB (identity document, the right to
use the premises, the owner's consent); the consent signed with a qualified signature (or confirmed by an SMS code)
valid when sent and issued not earlier than 30 days before the start; a foreign citizen adds a migration card, a
minor a birth certificate and the second parent's consent, a representative a power of attorney. Checks 1–3 working
days, the certificate 1 working day after, at most 5 in all; a clarification adds up to 2 working days.

The certificate is valid for the stay period (`VALIDITY`): the applicant is reminded 7 days and 1 day before its end
(«at expiry the applicant is notified to extend»); an extension is a new application prefilled from the previous one
with a new end date and a new owner's consent, decided within 24 hours («решение принимается в течение 24 часов»).
The 90 days are counted per certificate, not in total: the seed says «Срок регистрации может достигать 90 дней,
после чего требуется продление или переход на постоянную регистрацию», i.e. each extension is a new term of at most
90 days, checked by the same rule as the first one (and the consent, not older than 30 days before the start of the
new period, by the same signature rule). The official annuls a certificate for a reason of `ANNULMENT_REASONS`.
"""

from __future__ import annotations

from edms.citizen_services.catalogue.deadlines import DeadlinePlan, Stage
from edms.citizen_services.catalogue.definition import (
    CLARIFICATION_REQUIRED,
    DONE,
    IN_PROGRESS,
    REFUSED,
    AnnulmentReason,
    Channel,
    CompetentAgency,
    ExtensionPlan,
    RefusalReason,
    ResultTemplate,
    ResultValidity,
    ServiceDefinition,
    ServiceStatus,
)
from edms.citizen_services.rules import readers
from edms.citizen_services.rules.attachments import AttachmentSpec
from edms.citizen_services.rules.dates import not_in_future, period_at_most
from edms.citizen_services.rules.facts import QUALIFIED, SMS
from edms.citizen_services.rules.fields import FieldSpec
from edms.citizen_services.rules.signatures import SignatureSpec, issued_within
from edms.citizen_services.rules.situation import Condition, is_minor, value_is
from edms.citizen_services.services.common import full_name, issue_date_rules, postal_address, russian_passport
from edms.directory.models import OrganizationKind

CODE = 'temporary_registration'
MAX_STAY_DAYS = 90
CONSENT_MAX_AGE_DAYS = 30

CITIZENSHIP = {'russian': 'гражданин Российской Федерации', 'foreign': 'иностранный гражданин или лицо без гражданства'}
REASONS = {'study': 'учёба', 'work': 'работа', 'treatment': 'лечение', 'other': 'другое'}
FILED_BY = {
    'self': 'заявитель лично',
    'parent': 'родитель (законный представитель) несовершеннолетнего',
    'representative': 'представитель по доверенности',
}

RUSSIAN = value_is('applicant.citizenship', 'russian', 'для гражданина Российской Федерации')
FOREIGN = value_is('applicant.citizenship', 'foreign', 'для иностранного гражданина или лица без гражданства')
MINOR = is_minor('applicant.birth_date')
REPRESENTATIVE = value_is('filed_by', 'representative', 'при подаче заявления представителем')
NOT_OWNER = Condition(
    'если заявитель не собственник помещения', lambda situation: situation.value('stay.applicant_is_owner') is not True
)

FIELDS = (
    *full_name('applicant'),
    FieldSpec('applicant.birth_date', 'Дата рождения', readers.ru_date),
    FieldSpec('applicant.citizenship', 'Гражданство', readers.choice(CITIZENSHIP)),
    *russian_passport('applicant.passport', required=RUSSIAN),
    FieldSpec('applicant.foreign_document.name', 'Вид документа, удостоверяющего личность', readers.text(100), FOREIGN),
    FieldSpec('applicant.foreign_document.series', 'Серия документа', readers.document_number(10), required=False),
    FieldSpec('applicant.foreign_document.number', 'Номер документа', readers.document_number(20), FOREIGN),
    FieldSpec('applicant.foreign_document.issue_date', 'Дата выдачи документа', readers.ru_date, FOREIGN),
    FieldSpec('applicant.foreign_document.issuer', 'Кем выдан документ', readers.text(255), FOREIGN),
    FieldSpec('applicant.inn', 'ИНН', readers.inn_person, required=False),
    FieldSpec('applicant.snils', 'СНИЛС', readers.snils),
    FieldSpec('contacts.phone', 'Телефон', readers.phone),
    FieldSpec('contacts.email', 'Адрес электронной почты', readers.email),
    *postal_address('stay.address', 'адреса пребывания'),
    FieldSpec('stay.start_date', 'Дата начала регистрации', readers.ru_date),
    FieldSpec('stay.end_date', 'Дата окончания регистрации', readers.ru_date),
    FieldSpec('stay.reason', 'Причина временной регистрации', readers.choice(REASONS)),
    FieldSpec('stay.applicant_is_owner', 'Заявитель — собственник помещения', readers.boolean, required=False),
    FieldSpec('filed_by', 'Кто подаёт заявление', readers.choice(FILED_BY)),
    *full_name('owner', 'собственника', required=NOT_OWNER),
    *russian_passport('owner.passport', 'собственника', required=NOT_OWNER, with_issuer=False),
)

GROUPS = (
    ('applicant', 'Сведения о заявителе'),
    ('applicant.passport', 'Паспорт гражданина Российской Федерации'),
    ('applicant.foreign_document', 'Документ иностранного гражданина'),
    ('contacts', 'Контакты'),
    ('stay', 'Сведения о пребывании'),
    ('stay.address', 'Адрес пребывания'),
    ('owner', 'Сведения о собственнике помещения'),
    ('owner.passport', 'Паспорт собственника'),
)

ATTACHMENTS = (
    AttachmentSpec('identity_document', 'Документ, удостоверяющий личность (страница с фотографией)'),
    AttachmentSpec('residence_right', 'Документ о праве пользования помещением (договор аренды, выписка из ЕГРН)'),
    AttachmentSpec('owner_consent', 'Согласие собственника помещения', NOT_OWNER),
    AttachmentSpec('migration_card', 'Миграционная карта', FOREIGN),
    AttachmentSpec('birth_certificate', 'Свидетельство о рождении', MINOR),
    AttachmentSpec('second_parent_consent', 'Согласие второго родителя', MINOR),
    AttachmentSpec('power_of_attorney', 'Доверенность представителя', REPRESENTATIVE),
)

CONSENT_SIGNATURE = 'Подпись собственника под согласием'
SIGNATURES = (
    SignatureSpec('owner_consent', CONSENT_SIGNATURE, (QUALIFIED, SMS), NOT_OWNER),
    SignatureSpec('power_of_attorney', 'Подпись доверенности', (QUALIFIED,), required=False),
)

RULES = (
    not_in_future('applicant.birth_date'),
    *issue_date_rules('applicant.passport', 'applicant.birth_date'),
    *issue_date_rules('applicant.foreign_document', 'applicant.birth_date'),
    *issue_date_rules('owner.passport'),
    period_at_most('stay.start_date', 'stay.end_date', MAX_STAY_DAYS, 'срок пребывания'),
    issued_within('owner_consent', CONSENT_SIGNATURE, 'stay.start_date', CONSENT_MAX_AGE_DAYS),
)

ANNULMENT_REASONS = (
    AnnulmentReason('applicant_request', 'Заявление гражданина о снятии с учёта до окончания срока пребывания'),
    AnnulmentReason('owner_withdrawal', 'Собственник помещения отозвал согласие на регистрацию'),
    AnnulmentReason('false_information', 'Выявлены недостоверные сведения или недействительные документы'),
    AnnulmentReason('court_decision', 'Вступившее в законную силу решение суда'),
    AnnulmentReason('permanent_registration', 'Регистрация по месту жительства по этому адресу'),
    AnnulmentReason('death', 'Смерть гражданина, признание его умершим или безвестно отсутствующим'),
)

VALIDITY = ResultValidity(
    start='stay.start_date',
    end='stay.end_date',
    reminder_days=(7, 1),
    extension=ExtensionPlan(
        deadlines=DeadlinePlan(
            stages=(Stage('extension', 'Рассмотрение заявления о продлении регистрации', 1, 1),),
            max_total=1,
            basis='срок рассмотрения заявления о продлении регистрации (24 часа)',
        ),
        renewed=('owner_consent',),
    ),
    annulment_reasons=ANNULMENT_REASONS,
    applicant_request='applicant_request',
)

SERVICE = ServiceDefinition(
    code=CODE,
    title='Регистрация по месту пребывания',
    document_kind='Заявление о регистрации по месту пребывания',
    agency=CompetentAgency('migration', 'Подразделение по вопросам миграции МВД России', OrganizationKind.agency),
    fields=FIELDS,
    groups=GROUPS,
    attachments=ATTACHMENTS,
    signatures=SIGNATURES,
    rules=RULES,
    deadlines=DeadlinePlan(
        stages=(
            Stage('checks', 'Проверка сведений в государственных реестрах', 1, 3),
            Stage('issue', 'Формирование и выдача свидетельства', 1, 1),
        ),
        max_total=5,
        clarification_days=2,
        basis='срок регистрации по месту пребывания',
    ),
    statuses=(
        ServiceStatus(IN_PROGRESS, 'В обработке'),
        ServiceStatus(CLARIFICATION_REQUIRED, 'Требуется уточнение'),
        ServiceStatus(DONE, 'Одобрено', final=True),
        ServiceStatus(REFUSED, 'Отказано', final=True),
    ),
    refusal_reasons=(
        RefusalReason('personal_data', 'Неправильно указаны персональные данные (ФИО, паспортные реквизиты, ИНН)'),
        RefusalReason(
            'address_mismatch', 'Адрес, указанный в заявлении, не соответствует фактическому месту пребывания'
        ),
        RefusalReason('missing_documents', 'Нет подтверждающих документов (договор аренды, согласие собственника)'),
        RefusalReason('no_owner_consent', 'Собственник помещения не дал согласия на регистрацию'),
        RefusalReason('file_format', 'Сканы не соответствуют требованиям (размер, разрешение, тип файла)'),
        RefusalReason('false_information', 'Представленные сведения не соответствуют действительности'),
        RefusalReason('migration_violation', 'Есть открытое дело о нарушении миграционного законодательства'),
    ),
    result=ResultTemplate('Свидетельство о регистрации по месту пребывания', layout='stay_certificate'),
    validity=VALIDITY,
    channels=frozenset({Channel.portal, Channel.mobile, Channel.xml_upload, Channel.mfc}),
)
