"""Reading resolution input (web form or JSON) into typed values; every rule reports a Russian message naming its
field. Rules that need the database (who the executors are, the calendar, the parent's deadline) are checked by the
operations, with the same field names.

Field names of errors: `text`, `executors` (the list as a whole), `executors.<i>.user_id`,
`executors.<i>.deadline` (also for `deadline_days`), `is_controlled`, `controller_id`, `author_id`, `comment`,
`reason`, `deadline`, `decision`, `execution_mark`, `case_file_id`, `files`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from edms.core.validation import RawInput
from edms.resolutions.models.resolutions import COMMENT_MAX, TEXT_MAX

RESOLUTION_FIELDS = ('text', 'executors', 'is_controlled', 'controller_id')
DRAFT_FIELDS = (*RESOLUTION_FIELDS, 'author_id')
EXECUTOR_FIELDS = ('user_id', 'responsible', 'deadline', 'deadline_days')
MAX_EXECUTORS = 50
MAX_DEADLINE_DAYS = 365


@dataclass(frozen=True)
class ExecutorInput:
    """One executor as typed: a date, or a number of working days counted from the card's registration."""

    index: int
    user_id: int
    responsible: bool
    deadline: date | None
    deadline_days: int | None

    @property
    def field(self) -> str:
        return f'executors.{self.index}'


@dataclass(frozen=True)
class ResolutionInput:
    text: str
    executors: list[ExecutorInput]
    is_controlled: bool
    controller_id: int | None
    author_id: int | None = None


def read_resolution(raw: Mapping[str, Any], *, draft: bool = False) -> ResolutionInput:
    """Text, executors (exactly one responsible, no one twice, a deadline each), control; `author_id` for drafts."""
    form = RawInput(raw, DRAFT_FIELDS if draft else RESOLUTION_FIELDS)
    text = form.text('text', 'Текст резолюции', required=True, max_length=TEXT_MAX)
    executors = _executors(form, raw.get('executors'))
    is_controlled = form.boolean('is_controlled', 'На контроле')
    controller_id = form.integer('controller_id', 'Контролёр', min_value=1)
    if controller_id is not None and not is_controlled:
        form.errors.add('controller_id', '«Контролёр»: указывается только для резолюции на контроле.')
    author_id = form.integer('author_id', 'Руководитель', required=True, min_value=1) if draft else None
    form.finish()
    return ResolutionInput(text, executors, is_controlled, controller_id, author_id)


def _executors(form: RawInput, value: Any) -> list[ExecutorInput]:
    if value in (None, '', []):
        form.errors.add('executors', '«Исполнители»: укажите хотя бы одного исполнителя.')
        return []
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        form.errors.add('executors', '«Исполнители»: ожидается список исполнителей.')
        return []
    if len(value) > MAX_EXECUTORS:
        form.errors.add('executors', f'«Исполнители»: не более {MAX_EXECUTORS} исполнителей.')
        return []
    result = [item for index, raw in enumerate(value) if (item := _executor(form, index, raw)) is not None]
    responsible = sum(1 for item in value if _truthy(item.get('responsible')))
    if responsible != 1:
        form.errors.add(
            'executors',
            f'«Исполнители»: должен быть ровно один ответственный исполнитель (отмечено: {responsible}).',
        )
    seen: set[int] = set()
    for item in result:
        if item.user_id in seen:
            form.errors.add(f'{item.field}.user_id', f'«Исполнитель ({item.index + 1})»: указан дважды.')
        seen.add(item.user_id)
    return result


def _executor(form: RawInput, index: int, raw: Mapping[str, Any]) -> ExecutorInput | None:
    """One item of the list, its messages under `executors.<index>.<field>`, naming the executor's position."""
    item = RawInput(raw, EXECUTOR_FIELDS)
    position = f' ({index + 1})'
    user_id = item.integer('user_id', f'Исполнитель{position}', required=True, min_value=1)
    responsible = item.boolean('responsible', f'Ответственный{position}')
    deadline = item.date('deadline', f'Срок исполнения{position}')
    days = item.integer('deadline_days', f'Срок в рабочих днях{position}', min_value=1, max_value=MAX_DEADLINE_DAYS)
    if 'deadline_days' in item.errors.fields:
        item.errors.add('deadline', item.errors.fields.pop('deadline_days'))
    if deadline is not None and days is not None:
        message = 'укажите дату или число рабочих дней, не то и другое'
        item.errors.add('deadline', f'«Срок исполнения{position}»: {message}.')
    elif deadline is None and days is None and 'deadline' not in item.errors.fields:
        message = 'обязательное поле (дата или число рабочих дней)'
        item.errors.add('deadline', f'«Срок исполнения{position}»: {message}.')
    for name, message in item.errors.fields.items():
        form.errors.add(f'executors.{index}.{name}', message)
    if item.errors or user_id is None:
        return None
    return ExecutorInput(index, user_id, responsible, deadline, days)


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in ('1', 'true', 'on', 'yes', 'y', 'да'))


def read_comment(raw: Mapping[str, Any], label: str, *, required: bool, extra: tuple[str, ...] = ()) -> str:
    """A decision's comment (`comment`): required when returning a draft or a report, or refusing an extension."""
    form = RawInput(raw, ('comment', *extra))
    comment = form.text('comment', label, required=required, max_length=COMMENT_MAX)
    form.finish()
    return comment


def read_report(raw: Mapping[str, Any]) -> str:
    """The report's text (`text`); its files come separately."""
    form = RawInput(raw, ('text',))
    text = form.text('text', 'Текст отчёта', required=True, max_length=TEXT_MAX)
    form.finish()
    return text


def read_extension_request(raw: Mapping[str, Any]) -> tuple[str, date]:
    """`reason` and the new `deadline`; the calendar and the current deadline are checked by the operation."""
    form = RawInput(raw, ('reason', 'deadline'))
    reason = form.text('reason', 'Причина продления', required=True, max_length=COMMENT_MAX)
    deadline = form.date('deadline', 'Новый срок', required=True)
    form.finish()
    return reason, cast(date, deadline)  # required: finish() raised when it is missing


def read_extension_decision(raw: Mapping[str, Any]) -> tuple[bool, str]:
    """`decision` ('grant' or 'refuse') and `comment`, required for a refusal."""
    form = RawInput(raw, ('decision', 'comment'))
    decision = form.text('decision', 'Решение', required=True)
    if decision and decision not in ('grant', 'refuse'):
        form.errors.add('decision', '«Решение»: допустимо grant (продлить) или refuse (отказать).')
    comment = form.text('comment', 'Комментарий', required=decision == 'refuse', max_length=COMMENT_MAX)
    form.finish()
    return decision == 'grant', comment


def read_close_control(raw: Mapping[str, Any]) -> tuple[str, int | None]:
    """The execution mark (`execution_mark`, required) and optionally the case («в дело», `case_file_id`)."""
    form = RawInput(raw, ('execution_mark', 'case_file_id'))
    mark = form.text('execution_mark', 'Отметка об исполнении', required=True, max_length=TEXT_MAX)
    case_file_id = form.integer('case_file_id', 'Дело', min_value=1)
    form.finish()
    return mark, case_file_id


def read_cancel(raw: Mapping[str, Any]) -> str:
    """The reason of cancelling a resolution (`reason`, required)."""
    form = RawInput(raw, ('reason',))
    reason = form.text('reason', 'Причина отмены', required=True, max_length=COMMENT_MAX)
    form.finish()
    return reason
