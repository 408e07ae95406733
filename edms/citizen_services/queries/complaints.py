"""Reading complaints: the term of consideration (210-ФЗ ст. 11.2 ч. 6) with its explanation, one complaint with the
access rule and its files, the lists of the applicant, the MFC and the agency, the complaints of one application, and
the agencies a complaint about a service may concern (its providers).

Who sees a complaint and its files: the applicant's account, the MFC that accepted it, the staff of the agency
complained about. Everything else is «not found».
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Literal

from flask import current_app
from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import selectinload

from edms.auth.models import User
from edms.citizen_services.models import Application, ServiceProvider
from edms.citizen_services.models.complaints import Complaint, ComplaintFile, ComplaintKind, ComplaintStatus
from edms.citizen_services.permissions import files_on_behalf, is_staff
from edms.core.calendar import BusinessCalendar, Deadline
from edms.core.calendar.days import plural
from edms.core.clock import local_today
from edms.core.db import db
from edms.core.errors import NotFound
from edms.directory.models import Organization

#: 210-ФЗ ст. 11.2 ч. 6: a complaint is considered within 15 working days of its registration, within 5 working days
#: when it is about a refusal to accept documents or to correct typos and errors, or about missing the term of
#: such corrections (ст. 11.1 п. 4 and 7).
CONSIDERATION_DAYS = 15
SHORT_CONSIDERATION_DAYS = 5
SHORT_KINDS = (ComplaintKind.documents_refused, ComplaintKind.typos_not_corrected)
ComplaintScope = Literal['mine', 'filed', 'agency']


class ComplaintNotFound(NotFound):
    """No such complaint, or one of another applicant or organization (never revealed)."""

    code = 'complaint_not_found'
    message = 'Жалоба не найдена.'


def consideration_days(kind: ComplaintKind) -> int:
    return SHORT_CONSIDERATION_DAYS if kind in SHORT_KINDS else CONSIDERATION_DAYS


def complaint_deadline(calendar: BusinessCalendar, kind: ComplaintKind, registered_on: date) -> Deadline:
    """The last day of consideration, counted in working days from the day of registration, with the rule cited."""
    days = consideration_days(kind)
    counted = calendar.add_working_days(registered_on, days, basis='дата регистрации жалобы')
    unit = plural(days, 'рабочий день', 'рабочих дня', 'рабочих дней')
    if kind in SHORT_KINDS:
        rule = (
            f'Жалоба на отказ в приёме документов либо в исправлении опечаток и ошибок или на нарушение срока '
            f'исправлений рассматривается в течение {days} {unit} со дня регистрации (ч. 6 ст. 11.2 210-ФЗ).'
        )
    else:
        rule = f'Жалоба рассматривается в течение {days} {unit} со дня регистрации (ч. 6 ст. 11.2 210-ФЗ).'
    return dataclasses.replace(counted, explanation=f'{rule} {counted.explanation}')


def visible_complaints(user: User) -> ColumnElement[bool]:
    """SQL condition selecting exactly the complaints the user may see."""
    conditions = [Complaint.applicant_user_id == user.id]
    if files_on_behalf(user):
        conditions.append(Complaint.filed_via_organization_id == user.organization_id)
    if is_staff(user):
        conditions.append(Complaint.organization_id == user.organization_id)
    return or_(*conditions)


def get_complaint(user: User, complaint_id: int, *, lock: bool = False) -> Complaint:
    """The complaint if the user may see it; `ComplaintNotFound` otherwise. `lock` reads it for update."""
    query = select(Complaint).where(Complaint.id == complaint_id, visible_complaints(user))
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    complaint = db.session.execute(query).scalar_one_or_none()
    if complaint is None:
        raise ComplaintNotFound()
    return complaint


def get_complaint_file(complaint: Complaint, file_id: int) -> ComplaintFile:
    """One of the files of a complaint the user may see; `ComplaintNotFound` for another id."""
    row = next((item for item in complaint.files if item.id == file_id), None)
    if row is None:
        raise ComplaintNotFound('Файл жалобы не найден.')
    return row


def complaint_agencies(service_code: str) -> list[Organization]:
    """The agencies a complaint about the service without an application may concern: the active organizations that
    are active providers of the service (those that would have received the application), by short name."""
    query = (
        select(Organization)
        .join(ServiceProvider, ServiceProvider.organization_id == Organization.id)
        .where(
            ServiceProvider.service_code == service_code,
            ServiceProvider.is_active.is_(True),
            Organization.is_active.is_(True),
        )
        .order_by(Organization.short_name, Organization.id)
    )
    return list(db.session.execute(query).scalars().unique())


def default_complaint_scope(user: User) -> ComplaintScope:
    if is_staff(user):
        return 'agency'
    return 'filed' if files_on_behalf(user) else 'mine'


def list_complaints(user: User, scope: ComplaintScope | None = None, *, limit: int = 200) -> list[Complaint]:
    """The complaints of a list, the ones under consideration first by their deadline, then the decided newest first."""
    query = _scoped(user, scope or default_complaint_scope(user))
    open_first = (Complaint.status != ComplaintStatus.registered, Complaint.deadline, Complaint.id.desc())
    query = query.options(
        selectinload(Complaint.application), selectinload(Complaint.organization), selectinload(Complaint.files)
    )
    return list(db.session.execute(query.order_by(*open_first).limit(limit)).scalars())


def _scoped(user: User, scope: ComplaintScope) -> Select[tuple[Complaint]]:
    query = select(Complaint)
    if scope == 'agency' and is_staff(user):
        return query.where(Complaint.organization_id == user.organization_id)
    if scope == 'filed' and files_on_behalf(user):
        return query.where(Complaint.filed_via_organization_id == user.organization_id)
    return query.where(Complaint.applicant_user_id == user.id)


def complaints_of_application(user: User, application: Application) -> list[Complaint]:
    """The complaints about an application the user may see, newest first."""
    query = select(Complaint).where(Complaint.application_id == application.id, visible_complaints(user))
    return list(db.session.execute(query.order_by(Complaint.id.desc())).scalars())


def complaint_of_card(card_id: int) -> Complaint | None:
    """The complaint behind an agency's appeal card (the card page shows it); no access check: the card's was done."""
    return db.session.execute(select(Complaint).where(Complaint.card_id == card_id)).scalar_one_or_none()


def complaints_due(today: date, limit: int = 5000) -> list[Complaint]:
    """Complaints under consideration whose term ends today or has ended, by term (the morning reminders)."""
    query = select(Complaint).where(Complaint.status == ComplaintStatus.registered, Complaint.deadline <= today)
    return list(db.session.execute(query.order_by(Complaint.deadline, Complaint.id).limit(limit)).scalars())


def is_overdue(complaint: Complaint, today: date | None = None) -> bool:
    """Under consideration past its term."""
    today = today or local_today(current_app.config['TIMEZONE'])
    return complaint.status == ComplaintStatus.registered and complaint.deadline < today
