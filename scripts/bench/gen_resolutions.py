"""Staff and resolutions for the benchmarks of issue 3, written straight into PostgreSQL with COPY.

The shape (`Generator`; the same seed and cards always give the same data):

- staff (`make_staff`, through the real operations): 20 departments — «Руководство» (8 managers, 4 assistants,
  6 controllers) and 4 «Департамент N», each with 3–4 «Отдел N.M» below it — and 182 executors spread over the 19
  working departments: 200 users in all;
- N resolutions (2,000,000 by default) on the organization's cards taken in the order of their registration dates, so
  that ids and dates grow together on disk as years of work write them (about two per card): ~91 % top-level ones by
  a random manager, ~9 % sub-resolutions that the responsible executor of a top-level one passes to a colleague of
  his department (deadline up to 3 days before the parent's); 1 responsible plus 0 (70 %), 1 (20 %) or 2 (10 %)
  co-executors, so about 1.4 assignments per resolution; 40 % on control (a quarter of those controlled by their
  author);
- issued 0–3 days after the card's registration, deadline 5–30 days later (moved off Saturday and Sunday);
- states by the deadline against today: a deadline not reached — in work 80 %, reported 12 %, executed early 8 %;
  a deadline passed — still open (overdue: in work 80 %, reported 20 %) with probability 25 % within 30 days, 2 %
  within a year, 0.2 % before, otherwise executed (on time 85 %, up to 10 days early; late 15 %, 1–20 days late);
  2 % of resolutions with a passed deadline cancelled. A resolution is executed when its parts are (controlled ones
  with `control_closed_at`), approved while any part is open;
- 50 drafts per manager, prepared by an assistant, on the most recent cards (the cabinet's «На рассмотрение»).

Loading: the secondary indexes of both tables are dropped, rows go in by COPY with `session_replication_role =
replica` (no foreign-key triggers; the generator keeps every reference valid), the indexes are rebuilt from their
own definitions (`pg_indexes`, so they are exactly the migration's), the id sequences are set, and both tables are
VACUUM ANALYZEd as autovacuum would do after a bulk load.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import Flask
from sqlalchemy import text

from edms.core.db import db
from edms.core.tx import atomic

RESOLUTION_COLUMNS = (
    'id', 'organization_id', 'card_id', 'parent_assignment_id', 'author_id', 'prepared_by_id', 'text', 'status',
    'is_controlled', 'controller_id', 'control_closed_at', 'control_closed_by_id', 'issued_at', 'executed_at',
    'cancelled_at', 'signature_method', 'signed_by_id', 'signed_at', 'created_at',
)  # fmt: skip
ASSIGNMENT_COLUMNS = (
    'id', 'resolution_id', 'organization_id', 'card_id', 'executor_id', 'is_responsible', 'deadline',
    'initial_deadline', 'deadline_explanation', 'status', 'executed_at', 'created_at',
)  # fmt: skip
TABLES = ('resolutions_resolutions', 'resolutions_assignments')
TEXTS = (
    'Подготовить ответ заявителю', 'Рассмотреть и доложить', 'Подготовить проект ответа', 'Прошу проработать вопрос',
    'Обеспечить исполнение в установленный срок', 'Подготовить информацию', 'Организовать проверку и доложить',
)  # fmt: skip
SUB_SHARE = 0.1
DRAFTS_PER_MANAGER = 50
FLUSH_EVERY = 50_000
OPEN = ('in_work', 'reported')


@dataclass
class Staff:
    organization_id: int
    managers: list[int]
    assistants: list[int]
    controllers: list[int]
    #: Department id → its executors; `top` are the four «Департамент N» (each with its sections below).
    executors: dict[int, list[int]] = field(default_factory=dict)
    top: list[int] = field(default_factory=list)

    @property
    def all_executors(self) -> list[int]:
        return [user for users in self.executors.values() for user in users]


def make_staff(app: Flask, organization_id: int, seed: int) -> Staff:
    """20 departments and 200 users created by the real operations (one transaction)."""
    from edms.directory.models import Organization
    from tests.factories import make_department, make_user

    rng = random.Random(seed)
    with app.app_context(), atomic():
        organization = db.session.get(Organization, organization_id)
        head = make_department(organization, 'Руководство', 'РУК')

        def people(role: str, count: int, department_id: int, prefix: str) -> list[int]:
            return [
                make_user(organization, role, login=f'{prefix}{i}', department_id=department_id, last_name=prefix).id
                for i in range(1, count + 1)
            ]

        staff = Staff(
            organization_id,
            people('manager', 8, head.id, 'manager'),
            people('assistant', 4, head.id, 'assistant'),
            people('controller', 6, head.id, 'controller'),
        )
        working = []
        for number, sections in enumerate((4, 4, 4, 3), start=1):
            top = make_department(organization, f'Департамент {number}', f'Д{number}')
            staff.top.append(top.id)
            working.append(top)
            working += [
                make_department(organization, f'Отдел {number}.{m}', f'Д{number}-{m}', top)
                for m in range(1, sections + 1)
            ]
        sizes = [182 // len(working) + (1 if i < 182 % len(working) else 0) for i in range(len(working))]
        rng.shuffle(sizes)
        for index, (department, size) in enumerate(zip(working, sizes, strict=True)):
            staff.executors[department.id] = people('executor', size, department.id, f'executor{index}_')
    return staff


@dataclass
class Counter:
    resolutions: int = 0
    assignments: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


class Writer:
    """Rows of both tables as COPY text, sent every `FLUSH_EVERY` resolutions."""

    def __init__(self, cursor: object) -> None:
        self.cursor = cursor
        self.resolutions, self.assignments = io.StringIO(), io.StringIO()
        self.pending = 0

    def resolution(self, *values: object) -> None:
        self.resolutions.write('\t'.join(_copy(value) for value in values) + '\n')
        self.pending += 1
        if self.pending >= FLUSH_EVERY:
            self.flush()

    def assignment(self, *values: object) -> None:
        self.assignments.write('\t'.join(_copy(value) for value in values) + '\n')

    def flush(self) -> None:
        for table, columns, buffer in (
            (TABLES[0], RESOLUTION_COLUMNS, self.resolutions),
            (TABLES[1], ASSIGNMENT_COLUMNS, self.assignments),
        ):
            data = buffer.getvalue()
            if data:
                statement = f'COPY {table} ({", ".join(columns)}) FROM STDIN'
                with self.cursor.copy(statement) as copy:  # type: ignore[attr-defined]
                    copy.write(data)
        self.resolutions, self.assignments, self.pending = io.StringIO(), io.StringIO(), 0


def _copy(value: object) -> str:
    if value is None:
        return r'\N'
    if value is True or value is False:
        return 't' if value else 'f'
    return str(value)


def _weekday(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


def _moment(day: date | None) -> str | None:
    return f'{day.isoformat()} 12:00:00+00' if day else None


class Generator:
    """Resolutions and assignments in the documented shape; ids are assigned here."""

    def __init__(self, staff: Staff, cards: list[tuple[int, date]], today: date, seed: int, writer: Writer) -> None:
        self.staff, self.today, self.writer = staff, today, writer
        self.cards = sorted(cards, key=lambda card: (card[1], card[0]))
        self.rng = random.Random(seed)
        self.departments = [department for department, users in staff.executors.items() if users]
        self.department_of = {user: dep for dep, users in staff.executors.items() for user in users}
        self.counter = Counter()

    def run(self, total: int) -> Counter:
        """Resolutions in the order of their cards' dates (as the system writes them over the years), the drafts
        last on the most recent cards."""
        drafts = DRAFTS_PER_MANAGER * len(self.staff.managers)
        issued_total = total - drafts
        while self.counter.resolutions < issued_total:
            self._top_level(issued_total)
        recent = self.cards[-drafts * 4 :]
        for index in range(drafts):
            self._draft(recent[self.rng.randrange(len(recent))], self.staff.managers[index % len(self.staff.managers)])
        self.writer.flush()
        return self.counter

    def _next_ids(self, parts: int) -> tuple[int, list[int]]:
        self.counter.resolutions += 1
        first = self.counter.assignments + 1
        self.counter.assignments += parts
        return self.counter.resolutions, list(range(first, first + parts))

    def _executors(self, responsible: int) -> list[int]:
        colleagues = self.staff.executors[self.department_of[responsible]]
        extra = self.rng.choices((0, 1, 2), weights=(70, 20, 10))[0]
        chosen = [responsible]
        for _ in range(extra):
            pool = colleagues if self.rng.random() < 0.7 else self.staff.all_executors
            candidate = pool[self.rng.randrange(len(pool))]
            if candidate not in chosen:
                chosen.append(candidate)
        return chosen

    def _draft(self, card: tuple[int, date], manager: int) -> None:
        department = self.departments[self.rng.randrange(len(self.departments))]
        executors = self._executors(self.rng.choice(self.staff.executors[department]))
        deadline = _weekday(self.today + timedelta(days=self.rng.randrange(7, 30)))
        rid, ids = self._next_ids(len(executors))
        self._resolution(rid, card[0], None, manager, 'draft', None, self.today, None, None, draft=True)
        for number, (aid, executor) in enumerate(zip(ids, executors, strict=True)):
            self._assignment(aid, rid, card[0], executor, number == 0, deadline, 'draft', None, self.today)

    def _top_level(self, total: int) -> None:
        """A resolution on a card about as far through the (date-ordered) cards as the run is through `total`."""
        position = (self.counter.resolutions + 3 * self.rng.random()) * len(self.cards) / total
        card_id, reg_date = self.cards[min(len(self.cards) - 1, int(position))]
        issued = min(self.today, reg_date + timedelta(days=self.rng.randrange(4)))
        deadline = _weekday(issued + timedelta(days=self.rng.randrange(5, 31)))
        department = self.departments[self.rng.randrange(len(self.departments))]
        executors = self._executors(self.rng.choice(self.staff.executors[department]))
        author = self.rng.choice(self.staff.managers)
        cancelled = deadline < self.today and self.rng.random() < 0.02
        rid, ids = self._next_ids(len(executors))
        states = [('cancelled', None) if cancelled else self._state(issued, deadline) for _ in executors]
        self._store(rid, card_id, None, author, issued, deadline, list(zip(ids, executors, strict=True)), states)
        if self.counter.resolutions < total and self.rng.random() < SUB_SHARE:
            self._sub(card_id, ids[0], executors[0], issued, deadline, states[0])

    def _sub(
        self,
        card_id: int,
        parent_id: int,
        author: int,
        issued: date,
        parent_deadline: date,
        parent_state: tuple[str, date | None],
    ) -> None:
        colleagues = self.staff.executors[self.department_of[author]]
        responsible = colleagues[self.rng.randrange(len(colleagues))]
        deadline = max(issued, parent_deadline - timedelta(days=self.rng.randrange(4)))
        status, executed_at = parent_state
        if status == 'executed' and executed_at is not None:
            state = ('executed', min(executed_at, deadline))
        elif status == 'cancelled':
            state = ('cancelled', None)
        else:
            state = self._state(issued, deadline)
        rid, ids = self._next_ids(1)
        self._store(rid, card_id, parent_id, author, issued, deadline, [(ids[0], responsible)], [state])

    def _state(self, issued: date, deadline: date) -> tuple[str, date | None]:
        """One part's status and execution date, by how far the deadline is from today."""
        r = self.rng.random()
        if deadline >= self.today:
            if r < 0.80:
                return 'in_work', None
            if r < 0.92:
                return 'reported', None
            return 'executed', issued + timedelta(days=self.rng.randrange((self.today - issued).days + 1))
        age = (self.today - deadline).days
        if r < (0.25 if age <= 30 else 0.02 if age <= 365 else 0.002):
            return ('in_work' if self.rng.random() < 0.8 else 'reported'), None
        if self.rng.random() < 0.85:
            early = self.rng.randrange(min(10, (deadline - issued).days) + 1)
            return 'executed', deadline - timedelta(days=early)
        return 'executed', deadline + timedelta(days=1 + self.rng.randrange(min(20, age)))

    def _store(
        self,
        rid: int,
        card_id: int,
        parent_id: int | None,
        author: int,
        issued: date,
        deadline: date,
        parts: list[tuple[int, int]],
        states: list[tuple[str, date | None]],
    ) -> None:
        statuses = {status for status, _ in states}
        if statuses & set(OPEN):
            status, executed_at = 'approved', None
        elif statuses == {'cancelled'}:
            status, executed_at = 'cancelled', None
        else:
            status, executed_at = 'executed', max(day for _, day in states if day is not None)
        self._resolution(rid, card_id, parent_id, author, status, executed_at, issued, deadline, self.rng.random())
        for number, ((aid, executor), (part_status, part_day)) in enumerate(zip(parts, states, strict=True)):
            self._assignment(aid, rid, card_id, executor, number == 0, deadline, part_status, part_day, issued)

    def _resolution(
        self,
        rid: int,
        card_id: int,
        parent_id: int | None,
        author: int,
        status: str,
        executed_at: date | None,
        issued: date,
        deadline: date | None,
        control: float | None,
        draft: bool = False,
    ) -> None:
        self.counter.by_status[status] = self.counter.by_status.get(status, 0) + 1
        controlled = control is not None and control < 0.4
        controller = (author if control < 0.1 else self.rng.choice(self.staff.controllers)) if controlled else None
        closed = _moment(executed_at) if controlled and status == 'executed' else None
        signed = None if draft else _moment(issued)
        self.writer.resolution(
            rid, self.staff.organization_id, card_id, parent_id, author,
            self.rng.choice(self.staff.assistants) if draft else None, self.rng.choice(TEXTS), status, controlled,
            controller, closed, controller if closed else None, signed, _moment(executed_at),
            _moment(deadline) if status == 'cancelled' else None, None if draft else 'simple',
            None if draft else author, signed, _moment(issued),
        )  # fmt: skip

    def _assignment(
        self,
        aid: int,
        rid: int,
        card_id: int,
        executor: int,
        responsible: bool,
        deadline: date,
        status: str,
        executed_at: date | None,
        issued: date,
    ) -> None:
        explanation = f'Срок установлен автором резолюции датой: {deadline:%d.%m.%Y}.'
        self.writer.assignment(
            aid, rid, self.staff.organization_id, card_id, executor, responsible, deadline, deadline, explanation,
            status, executed_at, _moment(issued),
        )  # fmt: skip


def load(app: Flask, staff: Staff, total: int, seed: int, today: date) -> Counter:
    """Generate and COPY `total` resolutions on the organization's cards; indexes rebuilt, tables analyzed."""
    with app.app_context():
        rows = db.session.execute(
            text('SELECT id, reg_date FROM registry_cards WHERE organization_id = :org AND reg_date IS NOT NULL'),
            {'org': staff.organization_id},
        ).all()
        db.session.rollback()
        cards = [(row.id, row.reg_date) for row in rows]
        connection = db.engine.raw_connection()
        try:
            cursor = connection.cursor()
            _replica_mode(cursor)
            indexes = _drop_indexes(cursor)
            counter = Generator(staff, cards, today, seed, Writer(cursor)).run(total)
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for definition in indexes:
                cursor.execute(definition)
            for table in TABLES:
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            connection.commit()
            connection.driver_connection.autocommit = True  # VACUUM cannot run in a transaction
            for table in TABLES:
                cursor.execute(f'VACUUM ANALYZE {table}')
        finally:
            connection.close()
    return counter


def _drop_indexes(cursor: object) -> list[str]:
    """Drop the secondary indexes of both tables; their CREATE statements, to rebuild them after the load."""
    cursor.execute(  # type: ignore[attr-defined]
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT LIKE 'pk_%%'",
        (list(TABLES),),
    )
    rows = cursor.fetchall()  # type: ignore[attr-defined]
    for name, _ in rows:
        cursor.execute(f'DROP INDEX {name}')  # type: ignore[attr-defined]
    return [definition for _, definition in rows]


def _replica_mode(cursor: object) -> None:
    """Skip foreign-key triggers during the load (superuser only; otherwise they are checked, just slower)."""
    try:
        cursor.execute("SET session_replication_role = 'replica'")  # type: ignore[attr-defined]
    except Exception as error:  # a non-superuser URL: the load only gets slower
        print(f'foreign keys checked during the load ({error.__class__.__name__})')
        cursor.connection.rollback()  # type: ignore[attr-defined]
