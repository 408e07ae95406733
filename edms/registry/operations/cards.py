"""Card life cycle: create (draft), register with a journal number, change with audited before/after, file, cancel."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, select

from edms.audit.operations import changes, record
from edms.auth.models import User
from edms.core.clock import local_today, utcnow
from edms.core.db import db
from edms.core.errors import ValidationFailed
from edms.core.validation import RawInput
from edms.directory.models import Department, Organization
from edms.registry.errors import CardStateConflict, NumberTaken, PossibleDuplicate
from edms.registry.models import (
    Card,
    CardAccessGrant,
    CardAddressee,
    CardKind,
    CardLink,
    CardStatus,
    CaseFile,
)
from edms.registry.operations.journals import take_number
from edms.registry.permissions import require_registrar, visible_cards
from edms.registry.validation import CARD_FIELDS, EDITABLE_AFTER_REGISTRATION, read_card

OPEN_STATUSES = (CardStatus.registered, CardStatus.in_work, CardStatus.executed)
#: Card fields stored as columns (addressees and links are rows of their own).
_SCALARS = tuple(name for name in CARD_FIELDS if name not in ('addressees', 'links'))


def today() -> date:
    return local_today(current_app.config['TIMEZONE'])


def snapshot(card: Card) -> dict[str, Any]:
    """Plain values of a card's fields, for the audit journal and the API."""
    data = {name: _plain(getattr(card, name)) for name in _SCALARS}
    data.update(
        status=card.status.value,
        reg_number=card.reg_number,
        reg_date=_plain(card.reg_date),
        addressees=[{'name': a.name, 'organization_id': a.organization_id} for a in card.addressees],
        links=[{'kind': link.kind.value, 'card_id': link.target_card_id} for link in card.links],
    )
    return data


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    return getattr(value, 'value', value)


def create_card(user: User, raw: Mapping[str, Any], *, register: bool = False, confirm_duplicate: bool = False) -> Card:
    """Create a card as a draft, or registered at once (numbered before its first insert) when `register` is set."""
    require_registrar(user)
    values = read_card(raw, today=today())
    _resolve_references(user, values)
    card = Card(organization_id=user.organization_id, status=CardStatus.draft, created_by_id=user.id)
    _apply(card, values)
    card.department_id = card.department_id or user.department_id
    if register:
        details = _assign_number(user, card, None, None, confirm_duplicate)
    db.session.add(card)
    db.session.flush()
    if register:
        record(user, 'card.register', card, {'after': snapshot(card), **details})
    else:
        record(user, 'card.create', card, {'after': snapshot(card)})
    return card


def register_card(
    user: User,
    card: Card,
    *,
    journal_id: int | None = None,
    reg_date: date | None = None,
    confirm_duplicate: bool = False,
) -> Card:
    """Give a draft its number and date from the journal (locked; never skipped, never duplicated)."""
    lock_card(card)
    return _register(user, card, journal_id, reg_date, confirm_duplicate)


def register_new_card(user: User, card: Card, *, confirm_duplicate: bool = False) -> Card:
    """`register_card` for a draft created in this transaction, which no one else can see yet (no row lock, no
    reload). For an operation that writes much more with its card: call it last, right before the commit. From the
    number to the commit the journal's row stays locked, and every other registration in that journal waits."""
    return _register(user, card, None, None, confirm_duplicate)


def _register(user: User, card: Card, journal_id: int | None, reg_date: date | None, confirm: bool) -> Card:
    details = _assign_number(user, card, journal_id, reg_date, confirm)
    db.session.flush()
    record(user, 'card.register', card, details)
    return card


def lock_card(card: Card) -> None:
    """Re-read a stored card under a row lock, so that two clicks cannot register or change it at once."""
    if card.id is not None:
        db.session.execute(select(Card.id).where(Card.id == card.id).with_for_update())
        db.session.refresh(card)


def _assign_number(
    user: User, card: Card, journal_id: int | None, reg_date: date | None, confirm_duplicate: bool
) -> dict[str, Any]:
    """Check the card may be registered, lock its journal and take the next number; returns the audit details."""
    require_registrar(user)
    if card.status != CardStatus.draft:
        raise CardStateConflict('Карточка уже зарегистрирована или аннулирована.')
    reg_date = reg_date or today()
    if reg_date > today():
        raise ValidationFailed(fields={'reg_date': '«Дата регистрации»: дата не может быть в будущем.'})
    if card.kind in (CardKind.incoming, CardKind.citizen_appeal) and not confirm_duplicate:
        existing = _duplicates(user, card)
        if existing:
            raise PossibleDuplicate(existing)
    department_id = card.department_id
    number = take_number(card.organization_id, card.kind, reg_date, journal_id, lambda: _department_code(department_id))
    # The number is set only once it is known to be free: a stored draft would otherwise be flushed with it by the
    # check's autoflush, in an UPDATE of its own.
    _refuse_taken_number(card.organization_id, number[2], reg_date.year)
    journal_id, card.reg_seq, card.reg_number = number
    card.journal_id, card.reg_date, card.registered_at = journal_id, reg_date, utcnow()
    card.status = CardStatus.registered
    card.received_date = card.received_date or (reg_date if card.kind != CardKind.outgoing else None)
    return {
        'reg_number': card.reg_number,
        'reg_date': reg_date.isoformat(),
        'journal_id': journal_id,
        'duplicate_confirmed': confirm_duplicate,
    }


_CARDS = Card.__table__
#: On the Core table: a card gets its number only right before it is flushed, so there is nothing to autoflush, and
#: the statement runs without the ORM's compilation.
_TAKEN_NUMBER = select(_CARDS.c.id).where(
    _CARDS.c.organization_id == bindparam('organization_id'),
    _CARDS.c.reg_number == bindparam('number'),
    _CARDS.c.reg_date >= bindparam('first_day'),
    _CARDS.c.reg_date <= bindparam('last_day'),
)


def _refuse_taken_number(organization_id: int, number: str, year: int) -> None:
    """A journal number may collide with a number imported from another system; never issue it twice."""
    params = {'organization_id': organization_id, 'number': number}
    taken = db.session.execute(_TAKEN_NUMBER, {**params, 'first_day': date(year, 1, 1), 'last_day': date(year, 12, 31)})
    if taken.first() is not None:
        raise NumberTaken(number)


def _department_code(department_id: int | None) -> str:
    """The code used by `{dept}` in number templates (read only when a template may need it)."""
    if department_id is None:
        return ''
    code = db.session.execute(select(Department.code).where(Department.id == department_id)).scalar()
    return code or ''


def _duplicates(user: User, card: Card) -> list[tuple[int, str | None]]:
    from edms.registry.queries import find_duplicates

    values = {
        'sender_number': card.sender_number,
        'sender_date': card.sender_date,
        'correspondent_organization_id': card.correspondent_organization_id,
        'correspondent_name': card.correspondent_name,
    }
    return find_duplicates(user, values, own_id=card.id)


def update_card(user: User, card: Card, raw: Mapping[str, Any]) -> Card:
    """Change a card; after registration every change is audited with before and after values."""
    require_registrar(user)
    lock_card(card)
    if card.status in (CardStatus.cancelled, CardStatus.filed):
        raise CardStateConflict('Аннулированную карточку или карточку в деле изменить нельзя.')
    merged = {'kind': card.kind.value, **raw}
    if card.status != CardStatus.draft and merged['kind'] != card.kind.value:
        raise ValidationFailed(fields={'kind': '«Вид карточки»: после регистрации вид изменить нельзя.'})
    values = read_card(merged, today=today())
    _resolve_references(user, values, own_id=card.id)
    before = snapshot(card)
    fields = EDITABLE_AFTER_REGISTRATION if card.status != CardStatus.draft else tuple(values)
    _apply(card, {name: values[name] for name in fields if name in values})
    card.updated_by_id, card.updated_at = user.id, utcnow()
    db.session.flush()
    difference = changes(before, snapshot(card))
    if difference:
        record(user, 'card.update', card, {'changes': difference})
    return card


def cancel_card(user: User, card: Card, reason: str) -> Card:
    """Cancel a card with a reason; a registered number stays in the journal, marked as cancelled."""
    require_registrar(user)
    reason = reason.strip()
    if not reason or len(reason) > 1000:
        raise ValidationFailed(fields={'reason': '«Причина аннулирования»: обязательное поле, до 1000 символов.'})
    lock_card(card)
    if card.status in (CardStatus.cancelled, CardStatus.filed):
        raise CardStateConflict('Карточка уже аннулирована или списана в дело.')
    before = card.status.value
    card.status, card.cancel_reason = CardStatus.cancelled, reason
    card.updated_by_id, card.updated_at = user.id, utcnow()
    record(user, 'card.cancel', card, {'reason': reason, 'status': {'before': before, 'after': 'cancelled'}})
    return card


def file_card(user: User, card: Card, case_file_id: int) -> Card:
    """File a registered card into a case of the nomenclature («в дело»)."""
    require_registrar(user)
    lock_card(card)
    if card.status not in OPEN_STATUSES:
        raise CardStateConflict('В дело можно списать только зарегистрированную карточку.')
    case_file = db.session.get(CaseFile, case_file_id)
    if case_file is None or case_file.organization_id != card.organization_id:
        raise ValidationFailed(fields={'case_file_id': '«Дело»: дело не найдено в номенклатуре организации.'})
    if case_file.is_closed:
        raise ValidationFailed(fields={'case_file_id': '«Дело»: дело закрыто.'})
    before = {'status': card.status.value, 'case_file_id': card.case_file_id}
    card.case_file_id, card.status = case_file.id, CardStatus.filed
    card.updated_by_id, card.updated_at = user.id, utcnow()
    after = {'status': card.status.value, 'case_file_id': case_file.id}
    record(user, 'card.file', card, {'changes': changes(before, after), 'case_index': case_file.index})
    return card


def grant_access(actor: User | None, card: Card, user_id: int, reason: str, *, new_card: bool = False) -> None:
    """Let one user see the card (an executor of a restricted card); used by the resolutions and routing modules.
    `new_card`: the card was created in this transaction, so it has no grant yet to look for."""
    exists = None if new_card else db.session.get(CardAccessGrant, (card.id, user_id, reason))
    if exists is None:
        db.session.add(CardAccessGrant(card_id=card.id, user_id=user_id, reason=reason))
        record(
            actor,
            'card.grant_access',
            card,
            {'user_id': user_id, 'reason': reason},
            organization_id=card.organization_id,
        )


def _apply(card: Card, values: dict[str, Any]) -> None:
    for name in _SCALARS:
        if name in values:
            setattr(card, name, values[name])
    if 'addressees' in values:
        card.addressees = [
            CardAddressee(position=index, name=item['name'], organization_id=item['organization_id'])
            for index, item in enumerate(values['addressees'])
        ]
    if 'links' in values:
        wanted = {(item['kind'], item['card_id']) for item in values['links']}
        card.links = [link for link in card.links if (link.kind, link.target_card_id) in wanted] + [
            CardLink(kind=kind, target_card_id=target)
            for kind, target in sorted(wanted)
            if (kind, target) not in {(link.kind, link.target_card_id) for link in card.links}
        ]


def _resolve_references(user: User, values: dict[str, Any], own_id: int | None = None) -> None:
    """Check that every referenced object exists for this user; fill names of system organizations."""
    form = RawInput({})
    org_id = values.get('correspondent_organization_id')
    if org_id:
        organization = db.session.get(Organization, org_id)
        if organization is None:
            form.errors.add('correspondent_organization_id', '«Корреспондент»: организация не найдена.')
        elif not values['correspondent_name']:
            values['correspondent_name'] = organization.short_name
    for item in values.get('addressees', []):
        if item['organization_id']:
            organization = db.session.get(Organization, item['organization_id'])
            if organization is None:
                form.errors.add('addressees', '«Адресаты»: организация-адресат не найдена.')
            elif not item['name']:
                item['name'] = organization.short_name
    _check_own(form, values, 'department_id', Department, user, '«Подразделение»: подразделение не найдено.')
    _check_own(form, values, 'case_file_id', CaseFile, user, '«Дело по номенклатуре»: дело не найдено.')
    existing = {link.target_card_id for link in db.session.get(Card, own_id).links} if own_id else set()
    targets = [item['card_id'] for item in values.get('links', []) if item['card_id'] not in existing]
    if own_id in targets:
        form.errors.add('links', '«Связанные документы»: карточка не может ссылаться сама на себя.')
    elif targets:
        visible = set(db.session.execute(select(Card.id).where(Card.id.in_(targets), visible_cards(user))).scalars())
        if set(targets) - visible:
            form.errors.add('links', '«Связанные документы»: карточка не найдена.')
    form.finish()


def _check_own(form: RawInput, values: dict[str, Any], name: str, model: type, user: User, message: str) -> None:
    object_id = values.get(name)
    if object_id:
        obj = db.session.get(model, object_id)
        if obj is None or obj.organization_id != user.organization_id:
            form.errors.add(name, message)
