"""The staff of a legal entity's cabinet (seed 000): an administrator holding «edit» adds a portal account by its
СНИЛС or ИНН with a role (its default rights, or the rights given) and changes a member's role and rights; an
administrator holding «delete» removes a member («Администратор — управляет пользователями»: «delete» alone, given to
another role, does not let it remove staff). The cabinet always keeps an administrator holding «edit», so someone can
manage it. Every change is recorded in the cabinet's journal.

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
from edms.citizen_services.queries.legal_cabinets import portal_account, require_legal_cabinet_right
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


def _keeps_administrator(cabinet: LegalEntityCabinet) -> None:
    if not any(
        row.role == LegalCabinetRole.administrator and row.has(LegalCabinetRight.edit) for row in cabinet.members
    ):
        raise Conflict(LAST_ADMINISTRATOR)


def _described(member: LegalCabinetMember) -> dict[str, Any]:
    return {
        'member_id': member.id,
        'user_id': member.user_id,
        'role': member.role.value,
        'rights': sorted(right.value for right in member.rights),
    }


def add_legal_cabinet_member(
    actor: User, cabinet: LegalEntityCabinet, me: LegalCabinetMember, raw: Mapping[str, Any]
) -> LegalCabinetMember:
    """Add the portal account with this СНИЛС (or personal ИНН) with a role; a removed member comes back."""
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
    if member is None:
        member = LegalCabinetMember(user_id=user_id, role=role)
        cabinet.members.append(member)
    member.role, member.removed_at = role, None
    member.added_by_id, member.added_at = actor.id, utcnow()
    member.set_rights(rights)
    db.session.flush()
    audit(actor, 'member_add', cabinet, _described(member))
    return member


def _member(cabinet: LegalEntityCabinet, member_id: int) -> LegalCabinetMember:
    member = next((row for row in cabinet.active_members if row.id == member_id), None)
    if member is None:
        raise LegalCabinetMemberNotFound()
    return member


def change_legal_cabinet_member(
    actor: User, cabinet: LegalEntityCabinet, me: LegalCabinetMember, member_id: int, raw: Mapping[str, Any]
) -> LegalCabinetMember:
    """Change a member's role and rights (the rights given; the new role's defaults when none are sent)."""
    _require_manager(me)
    member = _member(cabinet, member_id)
    form = RawInput(raw, ('role', 'rights'))
    role = _role(form)
    rights = _rights(form, role)
    form.finish()
    before = _described(member)
    member.role = role or member.role
    member.set_rights(rights)
    _keeps_administrator(cabinet)
    db.session.flush()
    audit(actor, 'member_change', cabinet, {'user_id': member.user_id, 'before': before, 'after': _described(member)})
    return member


def remove_legal_cabinet_member(
    actor: User, cabinet: LegalEntityCabinet, me: LegalCabinetMember, member_id: int
) -> LegalCabinetMember:
    """Remove a member: an administrator holding «delete» (the last administrator stays)."""
    require_legal_cabinet_right(me, LegalCabinetRight.delete)
    if me.role != LegalCabinetRole.administrator:
        raise Forbidden(REMOVED_BY_ADMINISTRATOR)
    member = _member(cabinet, member_id)
    described = _described(member)
    member.removed_at = utcnow()
    _keeps_administrator(cabinet)
    db.session.flush()
    audit(actor, 'member_remove', cabinet, described)
    return member
