"""Who may do what with applications, as SQL for lists and as checks for one application.

- The applicant sees the applications of their portal account.
- An MFC or a partner (a bank) sees the applications filed through it, and acts for their applicant (resubmits).
- The staff of the agency deciding an application sees it; managers, executors and clerks decide (clarification,
  approval, refusal).
- A member of a legal entity's cabinet holding «view» sees the legal entity's applications (its ИНН as applicant);
  one holding «send» acts for it (resubmits).
Everything else is «not found», never «forbidden».
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, or_, select

from edms.auth.models import Role, User
from edms.citizen_services.errors import ApplicationNotFound
from edms.citizen_services.models import ApplicantKind, Application
from edms.citizen_services.models.legal_cabinets import LegalCabinetMember, LegalEntityCabinet
from edms.core.db import db
from edms.core.errors import Forbidden
from edms.directory.models import OrganizationKind

#: The agency's staff who see its applications.
STAFF_ROLES = (Role.administrator, Role.clerk, Role.manager, Role.assistant, Role.executor, Role.controller)
#: Who decides an application: requests a clarification, approves, refuses.
DECIDING_ROLES = (Role.manager, Role.executor, Role.clerk)
#: Organizations filing on an applicant's behalf.
FILING_KINDS = (OrganizationKind.mfc, OrganizationKind.partner)


def organization_kind(user: User) -> OrganizationKind | None:
    organization = getattr(user, 'organization', None)
    return organization.kind if organization is not None else None


def files_on_behalf(user: User) -> bool:
    """An MFC operator or a partner's account: acts for applicants filed through its organization."""
    kind = organization_kind(user)
    if kind == OrganizationKind.mfc:
        return user.has_role(Role.mfc_operator)
    return kind == OrganizationKind.partner


def is_staff(user: User) -> bool:
    return organization_kind(user) not in (*FILING_KINDS, OrganizationKind.portal) and user.has_role(*STAFF_ROLES)


def _legal_entities(user: User, right: str = 'view') -> ColumnElement[bool]:
    """The application is a legal entity's whose cabinet the user is a member of holding `right` (view, send)."""
    if organization_kind(user) != OrganizationKind.portal:
        return false()
    cabinets = (
        select(LegalEntityCabinet.inn)
        .join(LegalCabinetMember, LegalCabinetMember.cabinet_id == LegalEntityCabinet.id)
        .where(
            LegalCabinetMember.user_id == user.id,
            LegalCabinetMember.removed_at.is_(None),
            getattr(LegalCabinetMember, f'can_{right}').is_(True),
        )
    )
    return and_(Application.applicant_kind == ApplicantKind.legal_entity, Application.applicant_inn.in_(cabinets))


def visible_applications(user: User) -> ColumnElement[bool]:
    """SQL condition selecting exactly the applications the user may see."""
    conditions = [Application.applicant_user_id == user.id, _legal_entities(user)]
    if files_on_behalf(user):
        conditions.append(Application.filed_via_organization_id == user.organization_id)
    if is_staff(user):
        conditions.append(Application.organization_id == user.organization_id)
    return or_(*conditions)


def can_see(user: User, application: Application) -> bool:
    """The same rule for one loaded application."""
    return (
        (application.applicant_user_id is not None and application.applicant_user_id == user.id)
        or (files_on_behalf(user) and application.filed_via_organization_id == user.organization_id)
        or (is_staff(user) and application.organization_id == user.organization_id)
        or _for_legal_entity(user, application, 'view')
    )


def _for_legal_entity(user: User, application: Application, right: str) -> bool:
    if application.applicant_kind != ApplicantKind.legal_entity or not application.applicant_inn:
        return False
    query = select(exists().where(Application.id == application.id, _legal_entities(user, right)))
    return bool(db.session.execute(query).scalar())


def require_visible(user: User, application: Application) -> None:
    if not can_see(user, application):
        raise ApplicationNotFound()


def require_official(user: User, application: Application) -> None:
    """The user decides applications of the agency: another organization's application is not found; a staff
    member without a deciding role is refused."""
    if not is_staff(user) or application.organization_id != user.organization_id:
        raise ApplicationNotFound()
    if not user.has_role(*DECIDING_ROLES):
        raise Forbidden('Решения по заявлениям принимают руководитель, исполнитель или делопроизводитель ведомства.')


def require_applicant_side(user: User, application: Application) -> None:
    """The user acts for the applicant: the account holder, the MFC or partner the application came through, or a
    member of the legal entity's cabinet holding «send»."""
    own = application.applicant_user_id is not None and application.applicant_user_id == user.id
    via = files_on_behalf(user) and application.filed_via_organization_id == user.organization_id
    if not (own or via or _for_legal_entity(user, application, 'send')):
        raise ApplicationNotFound()
