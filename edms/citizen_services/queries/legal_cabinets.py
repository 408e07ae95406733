"""Reading legal entities' cabinets: the cabinets a portal account belongs to, one cabinet with the reader's own
membership (a cabinet the reader is not a member of is «not found»), the per-action right check, the cabinet's
journal (audit entries about it), the КЭП signatures kept from its staff changes (the text signed and the CMS) and
its staff version, the legal entity's applications, a portal account found by СНИЛС or ИНН.

    cabinet, me = get_legal_cabinet(user, cabinet_id)
    require_legal_cabinet_right(me, LegalCabinetRight.view)
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from edms.audit.models import AuditEntry
from edms.auth.models import Role, User, UserRole
from edms.citizen_services.models import ApplicantKind, Application
from edms.citizen_services.models.legal_cabinets import (
    LEGAL_CABINET_RIGHT_LABELS,
    LegalCabinetMember,
    LegalCabinetRight,
    LegalEntityCabinet,
    StaffChangeSignature,
)
from edms.citizen_services.queries.applications import (
    ApplicationFilter,
    ApplicationPage,
    filtered_page,
    portal_account_by_snils,
)
from edms.core.blobs import blob_store
from edms.core.db import db
from edms.core.errors import Forbidden, NotFound
from edms.core.validation import ID_MAX
from edms.directory.models import Organization, OrganizationKind

#: The parts of a kept staff-change signature that are served: the text signed, the detached CMS.
StaffSignaturePart = Literal['text', 'signature']
#: The object type of the cabinet's audit entries (every action in the cabinet is recorded on the cabinet).
CABINET_AUDIT_TYPE = LegalEntityCabinet.__tablename__
JOURNAL_LIMIT = 500
#: The journal's actions that change the staff (the version a staff change is confirmed for).
STAFF_ACTIONS = tuple(
    f'legal_cabinet.{action}' for action in ('create', 'rebind', 'member_add', 'member_change', 'member_remove')
)


class LegalCabinetNotFound(NotFound):
    """No such cabinet, or one the reader is not a member of (never revealed)."""

    code = 'legal_cabinet_not_found'
    message = 'Кабинет организации не найден.'


def legal_cabinets_of(user: User) -> list[tuple[LegalEntityCabinet, LegalCabinetMember]]:
    """The cabinets the account is an active member of, by name, each with the membership."""
    query = (
        select(LegalEntityCabinet, LegalCabinetMember)
        .join(LegalCabinetMember, LegalCabinetMember.cabinet_id == LegalEntityCabinet.id)
        .where(LegalCabinetMember.user_id == user.id, LegalCabinetMember.removed_at.is_(None))
        .order_by(LegalEntityCabinet.name, LegalEntityCabinet.id)
    )
    return [(cabinet, member) for cabinet, member in db.session.execute(query)]


def get_legal_cabinet(
    user: User, cabinet_id: int, *, lock: bool = False
) -> tuple[LegalEntityCabinet, LegalCabinetMember]:
    """The cabinet and the reader's active membership; `LegalCabinetNotFound` for anyone else. `lock` reads the
    cabinet for update (staff changes of one cabinet are serialized: the last administrator stays)."""
    query = select(LegalEntityCabinet).where(LegalEntityCabinet.id == cabinet_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    cabinet = db.session.execute(query.options(selectinload(LegalEntityCabinet.members))).scalar_one_or_none()
    member = None
    if cabinet is not None:
        member = next((row for row in cabinet.active_members if row.user_id == user.id), None)
    if cabinet is None or member is None:
        raise LegalCabinetNotFound()
    return cabinet, member


def require_legal_cabinet_right(member: LegalCabinetMember, right: LegalCabinetRight) -> None:
    """`Forbidden` naming the right the member lacks."""
    if not member.has(right):
        label = LEGAL_CABINET_RIGHT_LABELS[right]
        raise Forbidden(f'В кабинете организации у вас нет права «{label}».')


def legal_cabinet_by_ogrn(ogrn: str | None, *, lock: bool = False) -> LegalEntityCabinet | None:
    """The cabinet of the ОГРН (no access check); `lock` reads it for update."""
    query = select(LegalEntityCabinet).where(LegalEntityCabinet.ogrn == ogrn)
    if lock:
        query = query.with_for_update()
    return db.session.execute(query).scalar_one_or_none()


def legal_cabinet_journal(cabinet: LegalEntityCabinet) -> list[AuditEntry]:
    """The cabinet's journal: every recorded action on it, newest first (the last `JOURNAL_LIMIT`)."""
    query = (
        select(AuditEntry)
        .where(AuditEntry.object_type == CABINET_AUDIT_TYPE, AuditEntry.object_id == str(cabinet.id))
        .order_by(AuditEntry.seq.desc())
        .limit(JOURNAL_LIMIT)
    )
    return list(db.session.execute(query).scalars())


def staff_change_signature(cabinet: LegalEntityCabinet, signature_id: int) -> StaffChangeSignature:
    """A kept signature that confirmed a staff change of this cabinet; `NotFound` for any other (another cabinet's)."""
    row = db.session.get(StaffChangeSignature, signature_id) if 0 < signature_id <= ID_MAX else None
    if row is None or row.cabinet_id != cabinet.id:
        raise NotFound('Подпись изменения состава сотрудников не найдена.')
    return row


def staff_change_signature_file(row: StaffChangeSignature, part: StaffSignaturePart) -> tuple[str, bytes, str]:
    """One part of a kept signature as (file name, bytes, content type): `text`, the exact UTF-8 text signed, or
    `signature`, the detached CMS over it (checked against its SHA-256 before it is served)."""
    name = f'staff-change-{row.id}.txt'
    if part == 'text':
        return name, row.text.encode('utf-8'), 'text/plain; charset=utf-8'
    with blob_store().open_verified(row.signature_sha256) as file:
        return f'{name}.sig', file.read(), 'application/pkcs7-signature'


def staff_version(cabinet: LegalEntityCabinet) -> int:
    """The journal's sequence number of the cabinet's last committed staff change (0 before any): a staff change is
    confirmed for the staff as of this version."""
    query = select(func.max(AuditEntry.seq)).where(
        AuditEntry.object_type == CABINET_AUDIT_TYPE,
        AuditEntry.object_id == str(cabinet.id),
        AuditEntry.action.in_(STAFF_ACTIONS),
    )
    return int(db.session.execute(query).scalar_one() or 0)


def legal_entity_applications(cabinet: LegalEntityCabinet, filters: ApplicationFilter) -> ApplicationPage:
    """A page of the legal entity's applications (its ИНН as the applicant), newest first, filtered like the other
    lists. The caller checked the «view» right."""
    query = select(Application).where(
        Application.applicant_kind == ApplicantKind.legal_entity, Application.applicant_inn == cabinet.inn
    )
    return filtered_page(query, filters)


def portal_account_by_inn(inn: str | None) -> int | None:
    """The id of the one active applicant account of a portal holding this personal ИНН; None when none or several."""
    if not inn:
        return None
    query = (
        select(User.id)
        .join(Organization, Organization.id == User.organization_id)
        .join(UserRole, and_(UserRole.user_id == User.id, UserRole.role == Role.applicant))
        .where(User.inn == inn, User.is_active.is_(True), Organization.kind == OrganizationKind.portal)
        .limit(2)
    )
    ids = list(db.session.execute(query).scalars())
    return ids[0] if len(ids) == 1 else None


def portal_account(snils: str | None, inn: str | None) -> int | None:
    """A portal applicant account by СНИЛС, else by personal ИНН."""
    return portal_account_by_snils(snils) or portal_account_by_inn(inn)
