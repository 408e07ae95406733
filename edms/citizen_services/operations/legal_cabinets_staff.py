"""The staff of a legal entity's cabinet (seed 000): an administrator holding «edit» adds a portal account by its
СНИЛС or ИНН with a role (its default rights, or the rights given) and changes a member's role and rights; an
administrator holding «delete» removes a member («Администратор — управляет пользователями»: «delete» alone, given to
another role, does not let it remove staff). The cabinet always keeps an administrator holding «edit», so someone can
manage it.

Every change takes effect only once the acting administrator confirms exactly that change with a one-time SMS code
or a qualified signature (`legal_cabinets_confirmation`): `plan_member_add`, `plan_member_change` and
`plan_member_remove` check the input and the rights and give the `StaffChange` (its canonical text, its code
purpose) without changing anything; `add_legal_cabinet_member`, `change_legal_cabinet_member` and
`remove_legal_cabinet_member` plan the change again under the cabinet's lock, confirm it and apply it. The cabinet's
journal records the change with how it was confirmed. A wrong code raises `CodeRejected` after counting the attempt:
the entry point commits that count (nothing else has changed by then) and raises the error after the commit.

`seed_legal_cabinet_member` adds a member without a confirmation: system-level seeding only (the demo data of
`flask edms seed-demo`); no web or API route calls it, and its journal entry says `{"method": "seed"}`.

The caller loads the cabinet locked with the actor's membership (`queries.legal_cabinets.get_legal_cabinet`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from edms.auth.models import User
from edms.citizen_services.models.legal_cabinets import (
    DEFAULT_RIGHTS,
    LEGAL_CABINET_RIGHT_LABELS,
    LEGAL_CABINET_ROLE_LABELS,
    LegalCabinetMember,
    LegalCabinetRight,
    LegalCabinetRole,
    LegalEntityCabinet,
)
from edms.citizen_services.operations.legal_cabinets import audit
from edms.citizen_services.operations.legal_cabinets_confirmation import (
    StaffChange,
    StaffConfirmation,
    confirm_staff_change,
)
from edms.citizen_services.queries.legal_cabinets import portal_account, require_legal_cabinet_right, staff_version
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from edms.core.identifiers import check_inn_person, check_snils, normalize_snils
from edms.core.validation import RawInput

NOT_ADMINISTRATOR = 'Сотрудников кабинета организации добавляет и меняет их роли администратор кабинета.'
REMOVED_BY_ADMINISTRATOR = 'Сотрудников кабинета организации исключает только администратор кабинета.'
LAST_ADMINISTRATOR = (
    'В кабинете организации должен остаться хотя бы один администратор с правом «Редактирование»: '
    'сначала назначьте другого администратора.'
)
ROLES_TEXT = ', '.join(LEGAL_CABINET_ROLE_LABELS.values())
RIGHTS_TEXT = ', '.join(LEGAL_CABINET_RIGHT_LABELS.values())


class LegalCabinetMemberNotFound(NotFound):
    code = 'legal_cabinet_member_not_found'
    message = 'Сотрудник кабинета не найден.'


def _quoted(check: Any) -> Any:
    """An identifier check of `edms.core.identifiers` giving a message with the label in quotes and a full stop."""

    def checker(value: str, label: str) -> str | None:
        problem = check(value, f'«{label}»')
        return f'{problem}.' if problem else None

    return checker


def _role(form: RawInput) -> LegalCabinetRole | None:
    value = form.text('role', 'Роль')
    if not value:
        form.errors.add('role', '«Роль»: обязательное поле.')
        return None
    if value not in LegalCabinetRole.__members__:
        form.errors.add('role', f'«Роль»: выберите одну из ролей: {ROLES_TEXT}.')
        return None
    return LegalCabinetRole(value)


def _rights(form: RawInput, role: LegalCabinetRole | None) -> frozenset[LegalCabinetRight]:
    """The rights given (a list, or a comma-separated text); the role's defaults when none are sent at all."""
    if not form.present('rights'):
        return DEFAULT_RIGHTS[role] if role else frozenset()
    raw = form.raw.get('rights')
    items = raw.split(',') if isinstance(raw, str) else raw if isinstance(raw, list | tuple) else None
    names = [item.strip() for item in items or [] if isinstance(item, str) and item.strip()]
    if items is None or any(name not in LegalCabinetRight.__members__ for name in names):
        form.errors.add('rights', f'«Права»: допустимо {RIGHTS_TEXT}.')
        return frozenset()
    return frozenset(LegalCabinetRight(name) for name in names)


def _require_manager(member: LegalCabinetMember) -> None:
    if member.role != LegalCabinetRole.administrator:
        raise Forbidden(NOT_ADMINISTRATOR)
    require_legal_cabinet_right(member, LegalCabinetRight.edit)


def _keeps_administrator(
    cabinet: LegalEntityCabinet, member_id: int, role: LegalCabinetRole | None, rights: frozenset[LegalCabinetRight]
) -> None:
    """`Conflict` unless an administrator holding «edit» stays once the member `member_id` has `role` and `rights`
    (None: removed)."""

    def manages(row: LegalCabinetMember) -> bool:
        if row.id == member_id:
            return role == LegalCabinetRole.administrator and LegalCabinetRight.edit in rights
        return row.role == LegalCabinetRole.administrator and row.has(LegalCabinetRight.edit)

    if not any(manages(row) for row in cabinet.active_members):
        raise Conflict(LAST_ADMINISTRATOR)


def _described(member: LegalCabinetMember) -> dict[str, Any]:
    return {
        'member_id': member.id,
        'user_id': member.user_id,
        'role': member.role.value,
        'rights': sorted(right.value for right in member.rights),
    }


def _change(
    action: str, actor: User, cabinet: LegalEntityCabinet, account: User, role: LegalCabinetRole, **more: Any
) -> StaffChange:
    return StaffChange(
        action=action,
        cabinet_id=cabinet.id,
        ogrn=cabinet.ogrn,
        organization=cabinet.name,
        user_id=account.id,
        user_name=account.full_name,
        role=role,
        actor_id=actor.id,
        actor_name=actor.full_name,
        version=staff_version(cabinet),
        **more,
    )


def plan_member_add(
    actor: User, cabinet: LegalEntityCabinet, me: LegalCabinetMember, raw: Mapping[str, Any]
) -> StaffChange:
    """Adding the portal account with this СНИЛС (or personal ИНН) with a role, checked; nothing changes yet."""
    _require_manager(me)
    form = RawInput(raw, ('snils', 'inn', 'role', 'rights'))
    snils = form.checked('snils', 'СНИЛС сотрудника', _quoted(check_snils), required=False)
    inn = form.checked('inn', 'ИНН сотрудника', _quoted(check_inn_person), required=False)
    role = _role(form)
    rights = _rights(form, role)
    if not form.raw.get('snils') and not form.raw.get('inn'):
        form.errors.add('snils', '«СНИЛС сотрудника»: укажите СНИЛС или ИНН сотрудника.')
    form.finish()
    digits = normalize_snils(snils) if snils else None
    user_id = portal_account(digits, inn or None)
    field = 'snils' if snils else 'inn'
    if user_id is None:
        what = f'СНИЛС {snils}' if snils else f'ИНН {inn}'
        message = f'«{"СНИЛС" if snils else "ИНН"} сотрудника»: нет учётной записи заявителя портала с {what}.'
        raise ValidationFailed(fields={field: message})
    member = next((row for row in cabinet.members if row.user_id == user_id), None)
    if member is not None and member.removed_at is None:
        raise ValidationFailed(fields={field: f'«{"СНИЛС" if snils else "ИНН"} сотрудника»: он уже в кабинете.'})
    account = db.session.get(User, user_id)
    if account is None or role is None:  # found above; form.finish() raised without a role
        raise LegalCabinetMemberNotFound()
    return _change('member_add', actor, cabinet, account, role, rights=rights)


def add_legal_cabinet_member(
    actor: User,
    cabinet: LegalEntityCabinet,
    me: LegalCabinetMember,
    raw: Mapping[str, Any],
    confirmation: StaffConfirmation,
) -> LegalCabinetMember:
    """Add the portal account with this СНИЛС (or personal ИНН) with a role once the administrator confirmed it; a
    removed member comes back."""
    change = plan_member_add(actor, cabinet, me, raw)
    return _added(actor, cabinet, change, confirm_staff_change(actor, change, confirmation))


def seed_legal_cabinet_member(
    actor: User, cabinet: LegalEntityCabinet, me: LegalCabinetMember, raw: Mapping[str, Any]
) -> LegalCabinetMember:
    """`add_legal_cabinet_member` without a confirmation, for system-level seeding only (see the module docstring)."""
    change = plan_member_add(actor, cabinet, me, raw)
    return _added(actor, cabinet, change, {'method': 'seed'})


def _added(
    actor: User, cabinet: LegalEntityCabinet, change: StaffChange, confirmed: dict[str, Any]
) -> LegalCabinetMember:
    member = next((row for row in cabinet.members if row.user_id == change.user_id), None)
    if member is None:
        member = LegalCabinetMember(user_id=change.user_id, role=change.role)
        cabinet.members.append(member)
    member.role, member.removed_at = change.role, None
    member.added_by_id, member.added_at = actor.id, utcnow()
    member.set_rights(change.rights)
    db.session.flush()
    audit(actor, 'member_add', cabinet, {**_described(member), 'confirmation': confirmed})
    return member


def _member(cabinet: LegalEntityCabinet, member_id: int) -> LegalCabinetMember:
    member = next((row for row in cabinet.active_members if row.id == member_id), None)
    if member is None:
        raise LegalCabinetMemberNotFound()
    return member


def plan_member_change(
    actor: User, cabinet: LegalEntityCabinet, me: LegalCabinetMember, member_id: int, raw: Mapping[str, Any]
) -> StaffChange:
    """A member's new role and rights (the rights given; the new role's defaults when none are sent), checked."""
    _require_manager(me)
    member = _member(cabinet, member_id)
    form = RawInput(raw, ('role', 'rights'))
    role = _role(form)
    rights = _rights(form, role)
    form.finish()
    role = role or member.role
    _keeps_administrator(cabinet, member.id, role, rights)
    before = {'member_id': member.id, 'before_role': member.role, 'before_rights': member.rights}
    return _change('member_change', actor, cabinet, member.user, role, rights=rights, **before)


def change_legal_cabinet_member(
    actor: User,
    cabinet: LegalEntityCabinet,
    me: LegalCabinetMember,
    member_id: int,
    raw: Mapping[str, Any],
    confirmation: StaffConfirmation,
) -> LegalCabinetMember:
    """Change a member's role and rights once the administrator confirmed it."""
    change = plan_member_change(actor, cabinet, me, member_id, raw)
    confirmed = confirm_staff_change(actor, change, confirmation)
    member = _member(cabinet, member_id)
    before = _described(member)
    member.role = change.role
    member.set_rights(change.rights)
    db.session.flush()
    data = {'user_id': member.user_id, 'before': before, 'after': _described(member), 'confirmation': confirmed}
    audit(actor, 'member_change', cabinet, data)
    return member


def plan_member_remove(actor: User, cabinet: LegalEntityCabinet, me: LegalCabinetMember, member_id: int) -> StaffChange:
    """Removing a member: an administrator holding «delete» (the last administrator stays), checked."""
    require_legal_cabinet_right(me, LegalCabinetRight.delete)
    if me.role != LegalCabinetRole.administrator:
        raise Forbidden(REMOVED_BY_ADMINISTRATOR)
    member = _member(cabinet, member_id)
    _keeps_administrator(cabinet, member.id, None, frozenset())
    return _change('member_remove', actor, cabinet, member.user, member.role, rights=member.rights, member_id=member.id)


def remove_legal_cabinet_member(
    actor: User,
    cabinet: LegalEntityCabinet,
    me: LegalCabinetMember,
    member_id: int,
    confirmation: StaffConfirmation,
) -> LegalCabinetMember:
    """Remove a member once the administrator confirmed it."""
    change = plan_member_remove(actor, cabinet, me, member_id)
    confirmed = confirm_staff_change(actor, change, confirmation)
    member = _member(cabinet, member_id)
    described = _described(member)
    member.removed_at = utcnow()
    db.session.flush()
    audit(actor, 'member_remove', cabinet, {**described, 'confirmation': confirmed})
    return member
