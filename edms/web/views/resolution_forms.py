"""The resolution form of the browser: a fixed number of executor rows (a user, the responsible radio, a date or a
number of working days), read into the raw mapping of `edms.resolutions.validation.read_resolution` and filled back
from what was typed or from a stored draft; and the lists of people the form offers.

Empty rows are dropped and the filled ones renumbered before validation, so that the domain's field names
(`executors.<i>.user_id`) and its messages («Исполнитель (2)») point at the row the user sees with that number when
the refused form comes back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from edms.auth.models import Role, User
from edms.auth.queries import list_users
from edms.resolutions.models import Resolution
from edms.resolutions.validation import MAX_EXECUTORS

#: Executor rows of an empty form; a form with more filled rows gets one empty row more.
EXECUTOR_ROWS = 6
ROW_FIELD = re.compile(r'^executors-(\d{1,3})-(user_id|deadline|deadline_days)$')
ROW_NAMES = ('user_id', 'deadline', 'deadline_days')
#: Fields of the form whose messages stand next to their inputs (the others are listed above the form).
FORM_FIELDS = ('text', 'executors', 'is_controlled', 'controller_id', 'author_id')


@dataclass
class ExecutorRow:
    user_id: str = ''
    deadline: str = ''
    deadline_days: str = ''

    def is_empty(self) -> bool:
        return not (self.user_id or self.deadline or self.deadline_days)


@dataclass
class ResolutionForm:
    """What the user typed (or what a stored draft holds), as strings; `responsible` is a row index."""

    text: str = ''
    rows: list[ExecutorRow] = field(default_factory=list)
    responsible: int | None = None
    is_controlled: bool = False
    controller_id: str = ''
    author_id: str = ''

    @property
    def row_count(self) -> int:
        return min(max(EXECUTOR_ROWS, len(self.rows) + 1), MAX_EXECUTORS)

    def values(self) -> dict[str, Any]:
        """Flat values for the template macros."""
        values: dict[str, Any] = {
            'text': self.text,
            'is_controlled': '1' if self.is_controlled else '',
            'controller_id': self.controller_id,
            'author_id': self.author_id,
            'responsible': '' if self.responsible is None else str(self.responsible),
        }
        for index, row in enumerate(self.rows):
            for name in ROW_NAMES:
                values[f'executors-{index}-{name}'] = getattr(row, name)
        return values

    def raw(self, *, draft: bool = False) -> dict[str, Any]:
        """The raw mapping of `read_resolution`; `author_id` only for a draft, `controller_id` only under control."""
        executors = []
        for index, row in enumerate(self.rows):
            item: dict[str, Any] = {'user_id': row.user_id, 'responsible': index == self.responsible}
            if row.deadline:
                item['deadline'] = row.deadline
            if row.deadline_days:
                item['deadline_days'] = row.deadline_days
            executors.append(item)
        raw: dict[str, Any] = {'text': self.text, 'executors': executors, 'is_controlled': self.is_controlled}
        if self.is_controlled and self.controller_id:
            raw['controller_id'] = self.controller_id
        if draft:
            raw['author_id'] = self.author_id
        return raw


def read_form(form: Mapping[str, Any]) -> ResolutionForm:
    """The posted form; rows without any value (and not marked responsible) are dropped, the rest renumbered."""
    rows: dict[int, ExecutorRow] = {}
    for key in form:
        match = ROW_FIELD.match(key)
        if match is None or int(match.group(1)) >= MAX_EXECUTORS:
            continue
        row = rows.setdefault(int(match.group(1)), ExecutorRow())
        setattr(row, match.group(2), _text(form.get(key)))
    marked = _text(form.get('responsible'))
    responsible_row = int(marked) if marked.isdecimal() and len(marked) <= 3 else None
    kept = [index for index in sorted(rows) if not rows[index].is_empty() or index == responsible_row]
    return ResolutionForm(
        text=_text(form.get('text')),
        rows=[rows[index] for index in kept],
        responsible=kept.index(responsible_row) if responsible_row in kept else None,
        is_controlled=_text(form.get('is_controlled')) in ('1', 'on', 'true'),
        controller_id=_text(form.get('controller_id')),
        author_id=_text(form.get('author_id')),
    )


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ''


def form_of(resolution: Resolution) -> ResolutionForm:
    """A stored resolution (a draft to edit) as the form: its executors with their deadlines as dates."""
    assignments = list(resolution.assignments)
    controller = resolution.controller_id if resolution.controller_id != resolution.author_id else None
    return ResolutionForm(
        text=resolution.text,
        rows=[ExecutorRow(str(item.executor_id), item.deadline.isoformat()) for item in assignments],
        responsible=next((index for index, item in enumerate(assignments) if item.is_responsible), None),
        is_controlled=resolution.is_controlled,
        controller_id=str(controller) if controller else '',
        author_id=str(resolution.author_id),
    )


def row_errors(errors: Mapping[str, str], index: int) -> list[str]:
    """Messages of one executor row, in the order of its inputs."""
    prefix = f'executors.{index}.'
    return [message for key, message in errors.items() if key.startswith(prefix)]


def known_fields(errors: Mapping[str, str]) -> list[str]:
    """Error keys shown next to an input: the form's fields and every executor row's."""
    return [key for key in errors if key in FORM_FIELDS or key.startswith('executors.')]


@dataclass(frozen=True)
class People:
    """Active users of the organization as (id, label) options: everyone, the managers and the controllers."""

    everyone: list[tuple[int, str]]
    managers: list[tuple[int, str]]
    controllers: list[tuple[int, str]]


def people(organization_id: int) -> People:
    users = [user for user in list_users(organization_id) if user.is_active]
    return People(
        everyone=[(user.id, person_label(user)) for user in users],
        managers=[(user.id, person_label(user)) for user in users if user.has_role(Role.manager)],
        controllers=[(user.id, person_label(user)) for user in users if user.has_role(Role.controller)],
    )


def person_label(user: User) -> str:
    """«Фамилия И. О. — Подразделение»."""
    department = user.department
    return f'{user.short_name} — {department.name}' if department is not None else user.short_name
