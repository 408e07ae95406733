"""The inputs of notifications: the document referred to, people, and the seven events with their own checks and
elements (IEDMS 2.6 `messageNotification`: documentAccepted, documentRefused, executorAssigned, reportPrepared,
reportSent, courseChanged, documentPublished). `type_name` is the exact notification/@type text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from lxml import etree

from edms.exchange.packets.notices_xml import (
    check_official,
    check_reference,
    write_number,
    write_official,
    write_reference,
)
from edms.exchange.packets.writer_xml import MAX_TEXT, Checks, Xml, collapse, moment, require_aware

#: «Отказано в регистрации»: the reasons of the IEDMS 2.6 XSD (reasonForRejection), in its order
REFUSAL_REASONS: tuple[str, ...] = (
    'Не подлежит регистрации',
    'Ошибка адресации',
    'Не указан корреспондент',
    'Нет искового заявления',
    'Отсутствует текст',
    'Нет подписи',
    'Приложение отсутствует',
    'Листаж приложения указан ошибочно',
    'Несовпадение реквизитов приложения с приложенными документами',
    'Нет № и даты',
    'Не полная комплектация',
    'Дата документа неразборчива',
    'Исходящий номер документа неразборчив',
    'Отсутствует (не видна) подпись',
    'Перевернуты страницы',
    'Продублированы страницы',
    'В приложении проект нормативного акта',
    'Документ ДСП',
    'Документ и/или приложение отсканированы с оборотом',
    'Документ неверно адресован',
    'Документ получен ранее на бумажном носителе',
    'Документ зарегистрирован ранее, текст взамен разосланного загружен',
    'Количество страниц в тексте документа не соответствует заявленному',
    'Несоответствие переданных реквизитов тексту документа',
    'Отсутствует приложение, указанное в документе',
    'Текст неразборчив',
    'Текст отсутствует',
    'Текст не соответствует регламенту',
)


@dataclass(frozen=True)
class DocumentRef:
    """A document referred to: its number and date, and who issued or signed it."""

    number: str
    date: date | None = None
    organization: str | None = None
    person: str | None = None


@dataclass(frozen=True)
class Official:
    """A person in a notification (secretary, manager, executor, signatory): at least one part is required."""

    name: str | None = None
    post: str | None = None
    department: str | None = None
    organization: str | None = None


@dataclass(frozen=True)
class NoticeSubject:
    """The document a notification is about: its GUID (the received document/@uid or container/@uid), the
    foundation (the sender's number and date — always sent), the header GUID of the message that delivered it
    (@mid) and the sender's local id (@id), when known."""

    document_uid: UUID
    foundation: DocumentRef
    message_uid: UUID | None = None
    local_id: str | None = None


@dataclass(frozen=True)
class Registered:
    """«Зарегистрирован»: our registration number and date."""

    number: str
    date: date
    type_name = 'Зарегистрирован'
    element = 'documentAccepted'

    def check(self, checks: Checks) -> None:
        checks.number('number', 'Регистрационный номер', self.number)

    def write(self, xml: Xml, body: etree._Element) -> None:
        write_number(xml, body, 'num', self.number, self.date.isoformat())


@dataclass(frozen=True)
class Refused:
    """«Отказано в регистрации»: one of REFUSAL_REASONS (details go to the notification's comment)."""

    reason: str
    type_name = 'Отказано в регистрации'
    element = 'documentRefused'

    def check(self, checks: Checks) -> None:
        checks.rule('reason', self.reason in REFUSAL_REASONS, '«Причина отказа»: выберите причину из перечня МЭДО.')

    def write(self, xml: Xml, body: etree._Element) -> None:
        xml.add(body, 'reason', self.reason)


@dataclass(frozen=True)
class ExecutorAssigned:
    """«Назначен исполнитель»: who assigned (secretary), the head of the unit (manager) and the executor."""

    secretary: Official
    manager: Official
    executor: Official
    type_name = 'Назначен исполнитель'
    element = 'executorAssigned'

    def check(self, checks: Checks) -> None:
        check_official(checks, 'secretary', 'Назначивший исполнителя', self.secretary)
        check_official(checks, 'manager', 'Руководитель', self.manager)
        check_official(checks, 'executor', 'Исполнитель', self.executor)

    def write(self, xml: Xml, body: etree._Element) -> None:
        write_official(xml, body, 'secretary', self.secretary)
        write_official(xml, body, 'manager', self.manager)
        write_official(xml, body, 'executor', self.executor)


@dataclass(frozen=True)
class ReportPrepared:
    """«Доклад подготовлен»: the reply is drafted and passed for signature to `signatory` on `signed`."""

    signatory: Official
    signed: date
    type_name = 'Доклад подготовлен'
    element = 'reportPrepared'

    def check(self, checks: Checks) -> None:
        check_official(checks, 'signatory', 'Подписывающий доклад', self.signatory)

    def write(self, xml: Xml, body: etree._Element) -> None:
        signatory = write_official(xml, body, 'signatory', self.signatory)
        xml.add(signatory, 'signed', self.signed.isoformat())


@dataclass(frozen=True)
class ReportSent:
    """«Доклад направлен»: the reply (report) was sent; its number and date."""

    report: DocumentRef
    type_name = 'Доклад направлен'
    element = 'reportSent'

    def check(self, checks: Checks) -> None:
        check_reference(checks, 'report', 'Доклад', self.report)

    def write(self, xml: Xml, body: etree._Element) -> None:
        write_reference(xml, body, 'report', self.report)


@dataclass(frozen=True)
class CourseChanged:
    """«Исполнение»: any other progress of execution, as text, with an optional document reference."""

    text: str
    reference: DocumentRef | None = None
    type_name = 'Исполнение'
    element = 'courseChanged'

    def check(self, checks: Checks) -> None:
        checks.text('text', 'Ход исполнения', self.text, MAX_TEXT)
        if self.reference is not None:
            check_reference(checks, 'reference', 'Связанный документ', self.reference)

    def write(self, xml: Xml, body: etree._Element) -> None:
        xml.add(body, 'courseText', self.text.strip())
        if self.reference is not None:
            write_reference(xml, body, 'reference', self.reference)


@dataclass(frozen=True)
class Published:
    """«Опубликование»: the act was officially published under `number` at `published` (aware), in `point`."""

    number: str
    published: datetime
    point: str
    type_name = 'Опубликование'
    element = 'documentPublished'

    def check(self, checks: Checks) -> None:
        require_aware(self.published)
        checks.number('number', 'Номер опубликования', self.number)
        checks.line('point', 'Источник опубликования', self.point)

    def write(self, xml: Xml, body: etree._Element) -> None:
        write_number(xml, body, 'num', self.number, moment(self.published))
        xml.add(body, 'publicationPoint', collapse(self.point))


NoticeEvent = Registered | Refused | ExecutorAssigned | ReportPrepared | ReportSent | CourseChanged | Published
#: the seven notification types, in the order of the IEDMS 2.6 XSD
NOTIFICATION_TYPES: tuple[str, ...] = tuple(
    kind.type_name
    for kind in (Registered, Refused, ExecutorAssigned, ReportPrepared, ReportSent, CourseChanged, Published)
)
