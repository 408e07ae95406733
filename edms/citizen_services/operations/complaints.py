"""Complaints (210-ФЗ ст. 11.1–11.2): the applicant (or the MFC on the visitor's behalf) files a complaint about an
application, or, when no application was registered (ст. 11.1 п. 4: the documents were not accepted), about a service
and an agency providing it; the agency decides it.

Filing: the kind (one of the seven of ст. 11.1), the text and up to ten files (`operations.complaint_files`) are
checked — every problem at once, nothing kept on a refusal — the complaint is numbered «Ж-2026-000012», its term of
consideration counted (`queries.complaints.complaint_deadline`), and it is registered in the agency complained about
as a citizen appeal card through the registry's own operations (numbered by the agency's appeals journal, linked to
the application's card when there is one, routed by the agency's rules, the files its attachments); the card's summary
states the complaint's own term and how it was counted. Deciding: upheld with the remedy, or rejected with the reasons
(ст. 11.2 ч. 7); the card is then executed. Each working morning the agency's deciding staff hear of complaints due
that day or overdue. Both steps are journaled and the applicant is notified (ст. 11.2 ч. 8).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from flask import current_app
from sqlalchemy import select

from edms.audit.operations import record
from edms.auth.models import Role, User
from edms.citizen_services.catalogue.definition import ServiceDefinition
from edms.citizen_services.catalogue.registry import catalogue, find_service, get_service
from edms.citizen_services.errors import ApplicationNotFound
from edms.citizen_services.models import SERVICE_CODE_MAX, Application
from edms.citizen_services.models.complaints import (
    COMPLAINT_TEXT_MAX,
    DECISION_TEXT_MAX,
    Complaint,
    ComplaintKind,
    ComplaintStatus,
    kind_title,
)
from edms.citizen_services.operations.agency_card import registered_card
from edms.citizen_services.operations.applicants import BLOCK, read_applicant
from edms.citizen_services.operations.common import AgencyActor, today
from edms.citizen_services.operations.complaint_files import attach_files, discarded_on_error, store_files
from edms.citizen_services.operations.uploads import StoredUpload, UploadedFile
from edms.citizen_services.permissions import DECIDING_ROLES, files_on_behalf, is_staff, organization_kind
from edms.citizen_services.queries import portal_account_by_snils
from edms.citizen_services.queries.complaints import (
    ComplaintNotFound,
    complaint_agencies,
    complaint_deadline,
    complaints_due,
)
from edms.citizen_services.queries.interagency import officials_of
from edms.core.calendar import business_calendar
from edms.core.calendar.days import ru
from edms.core.clock import to_local, utcnow
from edms.core.db import db
from edms.core.errors import Conflict, Forbidden, ValidationFailed
from edms.core.validation import RawInput
from edms.directory.models import OrganizationKind
from edms.notifications.operations import Message, notify, notify_many
from edms.registry.errors import CardStateConflict
from edms.registry.models import Card, DeliveryMethod
from edms.registry.operations.execution import mark_executed
from edms.registry.validation import SUMMARY_MAX
from edms.routing.matching import sample_of
from edms.routing.operations import route_card

COMPLAINT_FIELDS = ('kind', 'text')
#: A complaint without an application: the service and the agency chosen, and for an MFC the visitor (`on_behalf`).
SERVICE_COMPLAINT_FIELDS = ('service', 'organization_id', 'kind', 'text', BLOCK)
DECISION_FIELDS = ('decision', 'text')
NUMBER_PREFIX = 'Ж'
NOTIFICATION_KIND = 'complaint'
COMPLAINT_URL = '/complaints/{id}'
DOCUMENT_KIND = 'Жалоба'
DECISIONS = {'upheld': ComplaintStatus.upheld, 'rejected': ComplaintStatus.rejected}
NOT_COMPLAINANT = 'Жалобу подаёт заявитель лично или через МФЦ.'


@dataclass(frozen=True)
class Subject:
    """What a complaint is about and whose it is: the agency, the service, the application when there is one, the
    applicant (their portal account when known, their name) and whether an MFC accepted it."""

    organization_id: int
    service: ServiceDefinition
    application: Application | None
    applicant_user_id: int | None
    applicant_name: str
    via_mfc: bool


def _kind_and_text(form: RawInput) -> tuple[ComplaintKind, str]:
    """The kind and the text, each problem said in `form` by its field."""
    kind = form.choice('kind', 'Основание жалобы', ComplaintKind, required=True)
    text = form.text('text', 'Текст жалобы', required=True, max_length=COMPLAINT_TEXT_MAX)
    return cast(ComplaintKind, kind), text


def require_complainant(user: User, application: Application) -> None:
    """The applicant's account, or an operator of the MFC the application came through; anyone else does not see the
    application (not found). A partner (bank) filing on the applicant's behalf does not accept complaints."""
    if application.applicant_user_id is not None and application.applicant_user_id == user.id:
        return
    if files_on_behalf(user) and application.filed_via_organization_id == user.organization_id:
        organization = getattr(user, 'organization', None)
        if organization is not None and organization.kind == OrganizationKind.mfc:
            return
        raise Forbidden(NOT_COMPLAINANT)
    raise ApplicationNotFound()


def complains_via_mfc(user: User) -> bool:
    """Who may file a complaint without an application: an applicant of the portal in their own name (False) or an
    MFC operator for a visitor (True); `Forbidden` for anyone else."""
    kind = organization_kind(user)
    if kind == OrganizationKind.portal and user.has_role(Role.applicant):
        return False
    if kind == OrganizationKind.mfc and user.has_role(Role.mfc_operator):
        return True
    raise Forbidden(NOT_COMPLAINANT)


def file_complaint(
    actor: User, application: Application, raw: Mapping[str, Any], files: Sequence[UploadedFile] = ()
) -> Complaint:
    """File a complaint about the application: checked, numbered, its term counted, registered in the agency."""
    require_complainant(actor, application)
    form = RawInput(raw, COMPLAINT_FIELDS)
    kind, text = _kind_and_text(form)
    uploads = store_files(form.errors, files)
    with discarded_on_error(uploads):
        form.finish()
        subject = Subject(
            organization_id=application.organization_id,
            service=get_service(application.service_code),
            application=application,
            applicant_user_id=application.applicant_user_id,
            applicant_name=application.applicant_name,
            via_mfc=actor.id != application.applicant_user_id,
        )
        return _filed(actor, subject, kind, text, uploads)


def file_service_complaint(actor: User, raw: Mapping[str, Any], files: Sequence[UploadedFile] = ()) -> Complaint:
    """File a complaint without an application: about the service chosen (`service`) and an agency providing it
    (`organization_id`), by the applicant in their own name or by an MFC operator for the visitor named in
    `on_behalf` ({name, snils, inn}; the portal account with that СНИЛС then sees the complaint)."""
    via_mfc = complains_via_mfc(actor)
    form = RawInput(raw, SERVICE_COMPLAINT_FIELDS)
    service = read_service(form)
    organization_id = _agency(form, service)
    kind, text = _kind_and_text(form)
    account_id, name = _complainant(form, actor, via_mfc)
    uploads = store_files(form.errors, files)
    with discarded_on_error(uploads):
        form.finish()
        subject = Subject(cast(int, organization_id), cast(ServiceDefinition, service), None, account_id, name, via_mfc)
        return _filed(actor, subject, kind, text, uploads)


def read_service(form: RawInput) -> ServiceDefinition | None:
    """The service named by the field `service`; a problem said in `form` when it is missing or not in the catalogue."""
    code = form.text('service', 'Услуга', required=True, max_length=SERVICE_CODE_MAX)
    if code and code not in catalogue:
        form.errors.add('service', f'«Услуга»: нет услуги с кодом «{code}» в каталоге.')
    return find_service(code)


def _agency(form: RawInput, service: ServiceDefinition | None) -> int | None:
    """The agency chosen, when it provides the service (the complaint goes to the agency that would have received
    the application)."""
    organization_id = form.integer('organization_id', 'Ведомство', required=True, min_value=1)
    if service is None or organization_id is None:
        return None
    if organization_id not in {organization.id for organization in complaint_agencies(service.code)}:
        message = f'«Ведомство»: не предоставляет услугу «{service.title}»; выберите ведомство, предоставляющее её.'
        form.errors.add('organization_id', message)
    return organization_id


def _complainant(form: RawInput, actor: User, via_mfc: bool) -> tuple[int | None, str]:
    """(the applicant's portal account, their name): the actor's own, or the MFC's visitor of the `on_behalf` block."""
    block = form.raw.get(BLOCK)
    if not via_mfc:
        if block:
            form.errors.add(BLOCK, '«Заявитель»: через портал жалоба подаётся от своего имени.')
        return actor.id, actor.full_name
    try:
        applicant = read_applicant(block if block is not None else {})
    except ValidationFailed as error:
        for field, message in error.fields.items():
            form.errors.add(field, message)
        return None, ''
    if applicant is None or not applicant.name:
        form.errors.add(f'{BLOCK}.name', '«Заявитель: ФИО или наименование»: обязательное поле.')
        return None, ''
    return portal_account_by_snils(applicant.snils) if applicant.snils else None, applicant.name


def _filed(actor: User, subject: Subject, kind: ComplaintKind, text: str, uploads: list[StoredUpload]) -> Complaint:
    """The checked complaint stored, registered in the agency with its files, journaled, the applicant told."""
    complaint = _new_complaint(actor, subject, kind, text)
    card = _appeal_card(complaint, subject)
    complaint.card_id = card.id
    if uploads:
        attach_files(complaint, card, uploads)
    db.session.flush()
    application = subject.application
    facts = {
        'number': complaint.number,
        'kind': kind.value,
        'service': subject.service.code,
        'application': application.number if application is not None else None,
        'card_id': card.id,
        'reg_number': card.reg_number,
        'deadline': complaint.deadline.isoformat(),
        'files': len(uploads),
    }
    record(actor, 'complaint.file', complaint, facts, organization_id=complaint.organization_id)
    reg = f', регистрационный № {card.reg_number}' if card.reg_number else ''
    said = f'Жалоба № {complaint.number} зарегистрирована{reg}. Срок рассмотрения — до {ru(complaint.deadline)}.'
    _notify(complaint, said, 'filed')
    return complaint


def _new_complaint(actor: User, subject: Subject, kind: ComplaintKind, text: str) -> Complaint:
    """The complaint stored and numbered, registered today with its term of consideration."""
    registered_on = today()
    deadline = complaint_deadline(business_calendar(), kind, registered_on)
    application = subject.application
    complaint = Complaint(
        application_id=application.id if application is not None else None,
        service_code=subject.service.code,
        organization_id=subject.organization_id,
        kind=kind,
        text=text,
        applicant_user_id=subject.applicant_user_id,
        applicant_name=subject.applicant_name,
        filed_by_id=actor.id,
        filed_via_organization_id=actor.organization_id if subject.via_mfc else None,
        registered_on=registered_on,
        deadline=deadline.date,
        deadline_explanation=deadline.explanation,
        status=ComplaintStatus.registered,
        # Set now: attaching files appends to it without a query for what a new row cannot have.
        files=[],
    )
    db.session.add(complaint)
    db.session.flush()
    complaint.number = public_number(complaint)
    return complaint


def public_number(complaint: Complaint) -> str:
    return f'{NUMBER_PREFIX}-{complaint.registered_on.year}-{complaint.id:06d}'


def _appeal_card(complaint: Complaint, subject: Subject) -> Card:
    """The citizen appeal card in the agency complained about, registered with its appeals journal when there is
    one (else a draft for a clerk, journaled), linked to the application's card and routed like the application."""
    actor = cast(User, AgencyActor(complaint.organization_id))
    values: dict[str, Any] = {
        'kind': 'citizen_appeal',
        'document_kind': DOCUMENT_KIND,
        'summary': card_summary(complaint, subject),
        'correspondent_type': 'person',
        'correspondent_name': complaint.applicant_name[:511],
        'sender_number': complaint.number,
        'sender_date': complaint.registered_on,
        'received_date': complaint.registered_on,
        'delivery_method': (DeliveryMethod.mfc if subject.via_mfc else DeliveryMethod.portal).value,
    }
    if subject.application is not None and subject.application.card_id:
        values['links'] = [{'kind': 'related', 'card_id': subject.application.card_id}]
    card = registered_card(actor, values, 'complaint', {'complaint_id': complaint.id})
    route_card(card, sample_of(card, service=subject.service.code), new=True)
    return card


def card_summary(complaint: Complaint, subject: Subject) -> str:
    """What the card says: the complaint, its own term of consideration and how it was counted, then the text."""
    application = subject.application
    if application is not None:
        about = f'по заявлению № {application.number} «{subject.service.title}»'
    else:
        about = f'по услуге «{subject.service.title}» (заявление не зарегистрировано)'
    summary = (
        f'Жалоба № {complaint.number} {about}. '
        f'Основание: {kind_title(complaint.kind)}. '
        f'Срок рассмотрения жалобы по 210-ФЗ (а не 30 дней по 59-ФЗ) — {ru(complaint.deadline)}. '
        f'{complaint.deadline_explanation} '
        f'Текст жалобы: {complaint.text}'
    )
    return summary if len(summary) <= SUMMARY_MAX else summary[: SUMMARY_MAX - 1] + '…'


def read_decision(raw: Mapping[str, Any]) -> tuple[ComplaintStatus, str]:
    form = RawInput(raw, DECISION_FIELDS)
    decision = form.text('decision', 'Решение', required=True, max_length=16)
    if decision and decision not in DECISIONS:
        form.errors.add('decision', '«Решение»: допустимо upheld (удовлетворить) или rejected (отказать).')
    status = DECISIONS.get(decision, ComplaintStatus.rejected)
    label = 'Меры по устранению нарушения' if status == ComplaintStatus.upheld else 'Причины отказа'
    text = form.text('text', label, required=True, max_length=DECISION_TEXT_MAX)
    form.finish()
    return status, text


def require_complaint_official(user: User, complaint: Complaint) -> None:
    """Staff of the agency complained about decide; another organization's complaint is not found."""
    if not is_staff(user) or complaint.organization_id != user.organization_id:
        raise ComplaintNotFound()
    if not user.has_role(*DECIDING_ROLES):
        raise Forbidden('Решение по жалобе принимают руководитель, исполнитель или делопроизводитель ведомства.')


def decide_complaint(official: User, complaint: Complaint, raw: Mapping[str, Any]) -> Complaint:
    """Uphold the complaint with the remedy taken, or reject it with the reasons; the applicant is told."""
    require_complaint_official(official, complaint)
    status, text = read_decision(raw)
    _lock(complaint)
    if complaint.status != ComplaintStatus.registered:
        raise Conflict(f'Решение по жалобе № {complaint.number} уже принято.')
    now = utcnow()
    complaint.status, complaint.decision_text = status, text
    complaint.decided_at, complaint.decided_by_id, complaint.updated_at = now, official.id, now
    db.session.flush()
    decided_on = to_local(now, current_app.config['TIMEZONE']).date()
    in_time = decided_on <= complaint.deadline
    facts = {'number': complaint.number, 'decision': status.value, 'text': text, 'in_time': in_time}
    record(official, f'complaint.{status.value}', complaint, facts, organization_id=complaint.organization_id)
    _close_card(official, complaint)
    outcome = 'удовлетворена' if status == ComplaintStatus.upheld else 'отклонена'
    _notify(complaint, f'Жалоба № {complaint.number} {outcome}. {text}', status.value)
    return complaint


def _close_card(official: User, complaint: Complaint) -> None:
    """The decided complaint's appeal card is executed in the official's name; a card the registry does not let close
    (a draft without an appeals journal, a cancelled card) stays, with a journal entry why."""
    card = db.session.get(Card, complaint.card_id) if complaint.card_id else None
    if card is None:
        return
    try:
        mark_executed(official, card)
    except CardStateConflict as error:
        facts = {'number': complaint.number, 'card_id': card.id, 'card_status': card.status.value}
        facts['reason'] = error.message
        record(official, 'complaint.card_not_closed', complaint, facts, organization_id=complaint.organization_id)


def remind(today: date) -> int:
    """The morning reminders to the deciding staff of each agency: complaints whose term ends today or has ended
    (once per complaint and day); returns how many notifications were created."""
    messages = []
    for complaint in complaints_due(today):
        if complaint.deadline == today:
            text = f'Сегодня, {ru(today)}, истекает срок рассмотрения жалобы № {complaint.number}.'
        else:
            text = f'Просрочено рассмотрение жалобы № {complaint.number}: срок истёк {ru(complaint.deadline)}.'
        source = f'complaint:{complaint.id}:reminder:{today.isoformat()}'
        url = COMPLAINT_URL.format(id=complaint.id)
        organization = complaint.organization_id
        messages += [
            Message(user_id, NOTIFICATION_KIND, text, source, url, organization)
            for user_id in officials_of(organization)
        ]
    return len(notify_many(messages))


def _lock(complaint: Complaint) -> None:
    db.session.execute(select(Complaint.id).where(Complaint.id == complaint.id).with_for_update())
    db.session.refresh(complaint)


def _notify(complaint: Complaint, text: str, step: str) -> None:
    """The applicant's account and, for a complaint accepted by an MFC, its operator (the MFC informs the visitor)."""
    recipients = {complaint.applicant_user_id, complaint.filed_by_id}
    recipients.discard(None)
    notify(
        [recipient for recipient in recipients if recipient is not None],
        kind=NOTIFICATION_KIND,
        text=text[:1000],
        url=COMPLAINT_URL.format(id=complaint.id),
        source=f'complaint:{complaint.id}:{step}',
    )
