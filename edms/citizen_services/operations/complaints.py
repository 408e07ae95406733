"""Complaints (210-ФЗ ст. 11.1–11.2): the applicant (or the MFC on the visitor's behalf) files a complaint about an
application, the agency decides it.

Filing: the kind (one of the seven of ст. 11.1) and the text are checked, the complaint is numbered «Ж-2026-000012»,
its term of consideration counted (`queries.complaints.complaint_deadline`), and it is registered in the agency
complained about as a citizen appeal card through the registry's own operations (numbered by the agency's appeals
journal, linked to the application's card, routed by the agency's rules); the card's summary states the complaint's
own term and how it was counted. Deciding: upheld with the remedy, or rejected with the reasons (ст. 11.2 ч. 7); the
card is then executed. Each working morning the agency's deciding staff hear of complaints due that day or overdue.
Both steps are journaled and the applicant is notified (ст. 11.2 ч. 8).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, cast

from flask import current_app
from sqlalchemy import select

from edms.audit.operations import record
from edms.auth.models import User
from edms.citizen_services.errors import ApplicationNotFound
from edms.citizen_services.models import Application
from edms.citizen_services.models.complaints import (
    COMPLAINT_TEXT_MAX,
    DECISION_TEXT_MAX,
    Complaint,
    ComplaintKind,
    ComplaintStatus,
    kind_title,
)
from edms.citizen_services.operations.agency_card import registered_card
from edms.citizen_services.operations.common import AgencyActor, service_of, today
from edms.citizen_services.permissions import DECIDING_ROLES, files_on_behalf, is_staff
from edms.citizen_services.queries.complaints import ComplaintNotFound, complaint_deadline, complaints_due
from edms.citizen_services.queries.interagency import officials_of
from edms.core.calendar import business_calendar
from edms.core.calendar.days import ru
from edms.core.clock import to_local, utcnow
from edms.core.db import db
from edms.core.errors import Conflict, Forbidden
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
DECISION_FIELDS = ('decision', 'text')
NUMBER_PREFIX = 'Ж'
NOTIFICATION_KIND = 'complaint'
COMPLAINT_URL = '/complaints/{id}'
DOCUMENT_KIND = 'Жалоба'
DECISIONS = {'upheld': ComplaintStatus.upheld, 'rejected': ComplaintStatus.rejected}


def read_complaint(raw: Mapping[str, Any]) -> tuple[ComplaintKind, str]:
    """The kind and the text, every problem named by its field."""
    form = RawInput(raw, COMPLAINT_FIELDS)
    kind = form.choice('kind', 'Основание жалобы', ComplaintKind, required=True)
    text = form.text('text', 'Текст жалобы', required=True, max_length=COMPLAINT_TEXT_MAX)
    form.finish()
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
        raise Forbidden('Жалобу подаёт заявитель лично или через МФЦ.')
    raise ApplicationNotFound()


def file_complaint(actor: User, application: Application, raw: Mapping[str, Any]) -> Complaint:
    """File a complaint about the application: checked, numbered, its term counted, registered in the agency."""
    require_complainant(actor, application)
    kind, text = read_complaint(raw)
    via_mfc = actor.id != application.applicant_user_id
    complaint = _new_complaint(actor, application, kind, text, via_mfc)
    card = _appeal_card(complaint, application, via_mfc)
    complaint.card_id = card.id
    db.session.flush()
    facts = {
        'number': complaint.number,
        'kind': kind.value,
        'application': application.number,
        'card_id': card.id,
        'reg_number': card.reg_number,
        'deadline': complaint.deadline.isoformat(),
    }
    record(actor, 'complaint.file', complaint, facts, organization_id=complaint.organization_id)
    reg = f', регистрационный № {card.reg_number}' if card.reg_number else ''
    text = f'Жалоба № {complaint.number} зарегистрирована{reg}. Срок рассмотрения — до {ru(complaint.deadline)}.'
    _notify(complaint, text, 'filed')
    return complaint


def _new_complaint(actor: User, application: Application, kind: ComplaintKind, text: str, via_mfc: bool) -> Complaint:
    """The complaint stored and numbered, registered today with its term of consideration."""
    registered_on = today()
    deadline = complaint_deadline(business_calendar(), kind, registered_on)
    complaint = Complaint(
        application_id=application.id,
        organization_id=application.organization_id,
        kind=kind,
        text=text,
        applicant_user_id=application.applicant_user_id,
        applicant_name=application.applicant_name,
        filed_by_id=actor.id,
        filed_via_organization_id=actor.organization_id if via_mfc else None,
        registered_on=registered_on,
        deadline=deadline.date,
        deadline_explanation=deadline.explanation,
        status=ComplaintStatus.registered,
    )
    db.session.add(complaint)
    db.session.flush()
    complaint.number = public_number(complaint)
    return complaint


def public_number(complaint: Complaint) -> str:
    return f'{NUMBER_PREFIX}-{complaint.registered_on.year}-{complaint.id:06d}'


def _appeal_card(complaint: Complaint, application: Application, via_mfc: bool) -> Card:
    """The citizen appeal card in the agency complained about, registered with its appeals journal when there is
    one (else a draft for a clerk, journaled), linked to the application's card and routed like the application."""
    actor = cast(User, AgencyActor(complaint.organization_id))
    values: dict[str, Any] = {
        'kind': 'citizen_appeal',
        'document_kind': DOCUMENT_KIND,
        'summary': card_summary(complaint, application),
        'correspondent_type': 'person',
        'correspondent_name': complaint.applicant_name[:511],
        'sender_number': complaint.number,
        'sender_date': complaint.registered_on,
        'received_date': complaint.registered_on,
        'delivery_method': (DeliveryMethod.mfc if via_mfc else DeliveryMethod.portal).value,
    }
    if application.card_id:
        values['links'] = [{'kind': 'related', 'card_id': application.card_id}]
    card = registered_card(actor, values, 'complaint', {'complaint_id': complaint.id})
    route_card(card, sample_of(card, service=application.service_code), new=True)
    return card


def card_summary(complaint: Complaint, application: Application) -> str:
    """What the card says: the complaint, its own term of consideration and how it was counted, then the text."""
    service = service_of(application)
    summary = (
        f'Жалоба № {complaint.number} по заявлению № {application.number} «{service.title}». '
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
