"""The card's side of execution, driven by the resolutions module: access grants for the participants of a
restricted card, and the status changes registered → in work → executed → filed («в дело») with their audit entries.

The resolutions module decides who may act (the author, the controller); these functions only check that the card is
in a state that allows the change and record it as the acting user.
"""

from __future__ import annotations

from collections.abc import Iterable

from edms.audit.operations import changes, record
from edms.auth.models import User
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.errors import ValidationFailed
from edms.registry.errors import CardStateConflict
from edms.registry.models import AccessMark, Card, CardStatus, CaseFile
from edms.registry.operations.cards import grant_access, lock_card

#: Card states in which a resolution may be issued or executed.
EXECUTABLE_STATUSES = (CardStatus.registered, CardStatus.in_work)


def grant_participants(actor: User, card: Card, user_ids: Iterable[int], reason: str = 'executor') -> None:
    """Let the participants of a resolution see a restricted (ДСП) card; a public card needs no grants."""
    if card.access_mark != AccessMark.restricted:
        return
    for user_id in dict.fromkeys(user_ids):
        grant_access(actor, card, user_id, reason)


def start_execution(actor: User, card: Card) -> bool:
    """A registered card goes into work when its first resolution is issued; True if the status changed."""
    lock_card(card)
    if card.status == CardStatus.in_work:
        return False
    if card.status != CardStatus.registered:
        raise CardStateConflict('Резолюцию можно вынести только по зарегистрированной карточке или карточке в работе.')
    _change_status(actor, card, CardStatus.in_work, 'card.start_execution')
    return True


def mark_executed(actor: User | None, card: Card) -> bool:
    """The card is executed (all its top-level resolutions are); True if the status changed."""
    lock_card(card)
    if card.status in (CardStatus.executed, CardStatus.filed):
        return False
    if card.status not in EXECUTABLE_STATUSES:
        raise CardStateConflict('Исполненной можно признать только карточку в работе.')
    _change_status(actor, card, CardStatus.executed, 'card.execute')
    return True


def file_executed_card(actor: User | None, card: Card, case_file_id: int) -> Card:
    """File an executed card into a case of its organization's nomenclature (the execution mark «в дело»)."""
    lock_card(card)
    if card.status != CardStatus.executed:
        raise CardStateConflict('В дело по отметке об исполнении списывается только исполненная карточка.')
    case_file = check_case_file(card.organization_id, case_file_id)
    before = {'status': card.status.value, 'case_file_id': card.case_file_id}
    card.case_file_id, card.status = case_file.id, CardStatus.filed
    _touch(actor, card)
    after = {'status': card.status.value, 'case_file_id': case_file.id}
    record(
        actor,
        'card.file',
        card,
        {'changes': changes(before, after), 'case_index': case_file.index},
        organization_id=card.organization_id,
    )
    return card


def check_case_file(organization_id: int, case_file_id: int, field: str = 'case_file_id') -> CaseFile:
    """An open case of the organization's nomenclature, or a field error naming `field`."""
    case_file = db.session.get(CaseFile, case_file_id)
    if case_file is None or case_file.organization_id != organization_id:
        raise ValidationFailed(fields={field: '«Дело»: дело не найдено в номенклатуре организации.'})
    if case_file.is_closed:
        raise ValidationFailed(fields={field: '«Дело»: дело закрыто.'})
    return case_file


def _change_status(actor: User | None, card: Card, status: CardStatus, action: str) -> None:
    before = card.status.value
    card.status = status
    _touch(actor, card)
    record(
        actor,
        action,
        card,
        {'changes': {'status': {'before': before, 'after': status.value}}},
        organization_id=card.organization_id,
    )


def _touch(actor: User | None, card: Card) -> None:
    if actor is not None:
        card.updated_by_id = actor.id
    card.updated_at = utcnow()
