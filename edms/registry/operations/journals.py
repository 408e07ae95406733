"""Journals: administration, and the locked, gapless issue of the next number at registration."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import bindparam, func, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from edms.audit.operations import changes, record
from edms.core.access import Actor, require_admin_of
from edms.core.db import db
from edms.core.errors import NotFound, ValidationFailed
from edms.core.validation import RawInput
from edms.directory.models import Department
from edms.registry.errors import JournalMissing, NumberTooLong
from edms.registry.models import CardKind, Journal
from edms.registry.numbering import MAX_NUMBER_LENGTH, NumberParts, render, template_problem

JOURNAL_FIELDS = ('kind', 'year', 'name', 'template', 'next_seq', 'is_default', 'is_active')
_JOURNALS = Journal.__table__
#: What `lock_journal` accepts, as SQL: the journal of the organization, kind and year, active (and the default one
#: when the clerk names none). Repeated in the outer WHERE of the updates below, so that a journal changed while the
#: update waited for its row lock is re-checked, as `SELECT … FOR UPDATE` re-checks it.
_USABLE = (
    _JOURNALS.c.organization_id == bindparam('b_organization_id'),
    _JOURNALS.c.kind == bindparam('b_kind'),
    _JOURNALS.c.year == bindparam('b_year'),
    _JOURNALS.c.is_active == true(),
)
_DEFAULT = (*_USABLE, _JOURNALS.c.is_default == true())
_RETURNED = (_JOURNALS.c.id, _JOURNALS.c.template, _JOURNALS.c.next_seq)
_ADVANCE_DEFAULT = (
    update(_JOURNALS)
    .where(_JOURNALS.c.id == select(_JOURNALS.c.id).where(*_DEFAULT).limit(1).scalar_subquery(), *_DEFAULT)
    .values(next_seq=_JOURNALS.c.next_seq + 1)
    .returning(*_RETURNED)
)
_ADVANCE_CHOSEN = (
    update(_JOURNALS)
    .where(_JOURNALS.c.id == bindparam('b_journal_id'), *_USABLE)
    .values(next_seq=_JOURNALS.c.next_seq + 1)
    .returning(*_RETURNED)
)
_STEP_BACK = (
    update(_JOURNALS).where(_JOURNALS.c.id == bindparam('b_journal_id')).values(next_seq=_JOURNALS.c.next_seq - 1)
)


def read_journal(raw: Mapping[str, Any], organization_id: int) -> dict[str, Any]:
    form = RawInput(raw, JOURNAL_FIELDS)
    values = {
        'kind': form.choice('kind', 'Вид документов', CardKind, required=True),
        'year': form.integer('year', 'Год', required=True, min_value=2000, max_value=2100),
        'name': form.text('name', 'Наименование журнала', required=True, max_length=255),
        'template': form.text('template', 'Шаблон номера', required=True, max_length=100),
        'is_default': form.boolean('is_default', 'Журнал по умолчанию', default=True),
        'is_active': form.boolean('is_active', 'Действует', default=True),
    }
    if values['template']:
        problem = template_problem(values['template'], _longest_department_code(organization_id))
        if problem:
            form.errors.add('template', problem)
    form.finish()
    return values


def _longest_department_code(organization_id: int) -> str:
    length = db.session.execute(
        select(func.max(func.length(Department.code))).where(Department.organization_id == organization_id)
    ).scalar()
    return 'X' * (length or 0)


def create_journal(actor: Actor, organization_id: int, raw: Mapping[str, Any]) -> Journal:
    """Add a journal; its counter starts at 1."""
    require_admin_of(actor, organization_id)
    values = read_journal(raw, organization_id)
    _check_unique(organization_id, values, None)
    journal = Journal(organization_id=organization_id, next_seq=1, **values)
    db.session.add(journal)
    db.session.flush()
    _keep_single_default(journal)
    record(actor, 'journal.create', journal, {'after': _plain(values)}, organization_id=organization_id)
    return journal


def update_journal(actor: Actor, journal: Journal, raw: Mapping[str, Any]) -> Journal:
    """Change a journal's name, template or flags; the counter is never edited (numbers are never skipped)."""
    require_admin_of(actor, journal.organization_id)
    values = read_journal({**raw, 'kind': raw.get('kind', journal.kind.value)}, journal.organization_id)
    if (values['kind'] != journal.kind or values['year'] != journal.year) and journal.next_seq > 1:
        raise ValidationFailed(fields={'year': '«Год»: по журналу уже зарегистрированы документы.'})
    _check_unique(journal.organization_id, values, journal.id)
    before = _plain({name: getattr(journal, name) for name in values})
    for name, value in values.items():
        setattr(journal, name, value)
    db.session.flush()
    _keep_single_default(journal)
    record(
        actor,
        'journal.update',
        journal,
        {'changes': changes(before, _plain(values))},
        organization_id=journal.organization_id,
    )
    return journal


def _check_unique(organization_id: int, values: dict[str, Any], own_id: int | None) -> None:
    clash = db.session.execute(
        select(Journal.id).where(
            Journal.organization_id == organization_id,
            Journal.kind == values['kind'],
            Journal.year == values['year'],
            Journal.name == values['name'],
        )
    ).scalar_one_or_none()
    if clash is not None and clash != own_id:
        raise ValidationFailed(fields={'name': '«Наименование журнала»: такой журнал уже есть для этого вида и года.'})


def _keep_single_default(journal: Journal) -> None:
    if not journal.is_default:
        return
    others = select(Journal).where(
        Journal.organization_id == journal.organization_id,
        Journal.kind == journal.kind,
        Journal.year == journal.year,
        Journal.id != journal.id,
        Journal.is_default.is_(True),
    )
    for other in db.session.execute(others).scalars():
        other.is_default = False


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {key: getattr(value, 'value', value) for key, value in values.items()}


def lock_journal(organization_id: int, kind: CardKind, year: int, journal_id: int | None) -> Journal:
    """The journal to number a card, locked for update; a new year restarts from the last year's template."""
    if journal_id is not None:
        journal = db.session.execute(select(Journal).where(Journal.id == journal_id).with_for_update()).scalar()
        if journal is None or journal.organization_id != organization_id or journal.kind != kind:
            raise NotFound('Журнал регистрации не найден.')
        if journal.year != year or not journal.is_active:
            raise ValidationFailed(fields={'journal_id': '«Журнал»: журнал закрыт или относится к другому году.'})
        return journal
    journal = _default_journal(organization_id, kind, year, lock=True)
    if journal is None:
        _open_new_year(organization_id, kind, year)
        journal = _default_journal(organization_id, kind, year, lock=True)
    if journal is None:
        raise JournalMissing()
    return journal


def _default_journal(organization_id: int, kind: CardKind, year: int, *, lock: bool) -> Journal | None:
    query = select(Journal).where(
        Journal.organization_id == organization_id,
        Journal.kind == kind,
        Journal.year == year,
        Journal.is_default.is_(True),
        Journal.is_active.is_(True),
    )
    return db.session.execute(query.with_for_update() if lock else query).scalars().first()


def _open_new_year(organization_id: int, kind: CardKind, year: int) -> None:
    """Yearly restart: copy the latest earlier default journal with its counter back at 1."""
    previous = db.session.execute(
        select(Journal)
        .where(Journal.organization_id == organization_id, Journal.kind == kind, Journal.year < year)
        .where(Journal.is_default.is_(True))
        .order_by(Journal.year.desc())
        .limit(1)
    ).scalar()
    if previous is None:
        return
    try:
        with db.session.begin_nested():
            journal = Journal(
                organization_id=organization_id,
                kind=kind,
                year=year,
                name=previous.name,
                template=previous.template,
                next_seq=1,
                is_default=True,
            )
            db.session.add(journal)
        record(None, 'journal.open_year', journal, {'from_journal_id': previous.id}, organization_id=organization_id)
    except IntegrityError:
        pass  # another registration opened the year at the same moment; its journal is used


def issue_number(journal: Journal, reg_date: date, dept_code: str) -> tuple[int, str]:
    """Take the next sequence number from a locked journal and render the registration number."""
    seq = journal.next_seq
    number = render(journal.template, NumberParts(seq, reg_date, dept_code))
    if len(number) > MAX_NUMBER_LENGTH:
        raise NumberTooLong()
    journal.next_seq = seq + 1
    return seq, number


def take_number(
    organization_id: int, kind: CardKind, reg_date: date, journal_id: int | None, dept_code: Callable[[], str]
) -> tuple[int, int, str]:
    """Lock the journal and take its next number in one statement; returns (journal id, sequence number, number).

    The same journal and the same guarantees as `lock_journal` + `issue_number` (the row stays locked until the
    commit, a rollback returns the number), in one `UPDATE … RETURNING` instead of a locking select and a flush.
    When that finds no journal (none yet for the year, a wrong or closed journal) the classic path runs and opens
    the year or raises its error. `dept_code` is asked only when the template holds `{dept}`.
    """
    params = {'b_organization_id': organization_id, 'b_kind': kind, 'b_year': reg_date.year}
    if journal_id is None:
        row = db.session.execute(_ADVANCE_DEFAULT, params).first()
    else:
        row = db.session.execute(_ADVANCE_CHOSEN, {**params, 'b_journal_id': journal_id}).first()
    if row is None:
        journal = lock_journal(organization_id, kind, reg_date.year, journal_id)
        seq, number = issue_number(journal, reg_date, dept_code() if '{dept}' in journal.template else '')
        return journal.id, seq, number
    seq = row.next_seq - 1
    number = render(row.template, NumberParts(seq, reg_date, dept_code() if '{dept}' in row.template else ''))
    if len(number) > MAX_NUMBER_LENGTH:
        db.session.execute(_STEP_BACK, {'b_journal_id': row.id})  # under our lock: the number is not skipped
        raise NumberTooLong()
    loaded = db.session.identity_map.get(identity_key(Journal, row.id))
    if loaded is not None:  # a journal read earlier in this session shows its new counter
        set_committed_value(loaded, 'next_seq', row.next_seq)
    return row.id, seq, number
