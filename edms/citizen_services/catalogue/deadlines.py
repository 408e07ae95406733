"""Deadlines of a service as data (stages in working days, a limit in all, what a clarification does to the clock)
and their computation with the working-day calendar of `edms.core.calendar`: every date says how it was counted.

Temporary registration (seed 001), for example: checks 1–3 working days, the certificate 1 working day after, at
most 5 working days in all; a clarification extends the term by up to 2 working days and the applicant is told.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

from edms.core.calendar import BusinessCalendar, Deadline
from edms.core.calendar.days import plural, ru

SUBMITTED = 'дата подачи заявления'


@dataclass(frozen=True)
class Stage:
    """A step of the service's processing, lasting `min_days` to `max_days` working days after the previous one."""

    code: str
    title: str
    min_days: int
    max_days: int


@dataclass(frozen=True)
class DeadlinePlan:
    """`stages` in order; `max_total` the limit in working days from submission (the service's deadline);
    `clarification_days` the working days a clarification adds on top of the time it stopped the clock for."""

    stages: tuple[Stage, ...]
    max_total: int
    clarification_days: int = 0
    #: Where the terms come from, named in explanations («регламент услуги»).
    basis: str = 'срок предоставления услуги'

    def __post_init__(self) -> None:
        if not self.stages or any(not 0 <= stage.min_days <= stage.max_days for stage in self.stages):
            raise ValueError('a deadline plan needs stages with 0 <= min_days <= max_days')
        if self.max_total < self.expected_days or self.clarification_days < 0:
            raise ValueError('max_total must cover the stages; clarification_days must not be negative')

    @property
    def expected_days(self) -> int:
        """Working days the stages take at most, one after another (the date shown as expected completion)."""
        return sum(stage.max_days for stage in self.stages)

    def stage(self, code: str) -> Stage:
        for stage in self.stages:
            if stage.code == code:
                return stage
        raise KeyError(code)

    def deadline(self, calendar: BusinessCalendar, submitted_on: date) -> Deadline:
        """The service's deadline: `max_total` working days after the submission (complaints count from it)."""
        counted = calendar.add_working_days(submitted_on, self.max_total, basis=SUBMITTED)
        head = f'{self.basis[:1].upper()}{self.basis[1:]} — не более {self.max_total} {_working_days(self.max_total)}. '
        return dataclasses.replace(counted, explanation=head + counted.explanation)

    def expected(self, calendar: BusinessCalendar, submitted_on: date) -> Deadline:
        """The expected completion date shown to the applicant: every stage at its longest."""
        counted = calendar.add_working_days(submitted_on, self.expected_days, basis=SUBMITTED)
        stages = '; '.join(f'«{item.title}»: {item.max_days} {_working_days(item.max_days)}' for item in self.stages)
        return dataclasses.replace(counted, explanation=f'Ожидаемый срок — {stages}. {counted.explanation}')

    def stage_due(self, calendar: BusinessCalendar, code: str, started_on: date) -> Deadline:
        """When the stage `code` begun on `started_on` is due (the issue stage counts from the end of the checks)."""
        stage = self.stage(code)
        return calendar.add_working_days(started_on, stage.max_days, basis=f'начало этапа «{stage.title}»')

    def after_clarification(
        self, calendar: BusinessCalendar, due: date, requested_on: date, resubmitted_on: date
    ) -> Deadline:
        """The deadline after a clarification: the clock stops on `requested_on` and runs again from the day the
        corrected application came (`resubmitted_on`) for the working days that were left, plus
        `clarification_days`. The explanation says so before the calendar's own account."""
        left = max(calendar.working_days_between(requested_on, due), 0)
        days = left + self.clarification_days
        counted = calendar.add_working_days(resubmitted_on, days, basis='дата получения исправленного заявления')
        added = (
            f', срок продлён на {self.clarification_days} {_working_days(self.clarification_days)}'
            if self.clarification_days
            else ''
        )
        head = (
            f'Требовалось уточнение сведений: {ru(requested_on)} до срока {ru(due)} оставалось {left} '
            f'{_working_days(left)}; заявление исправлено {ru(resubmitted_on)}{added}. '
        )
        return dataclasses.replace(counted, explanation=head + counted.explanation)


def _working_days(count: int) -> str:
    return plural(count, 'рабочий день', 'рабочих дня', 'рабочих дней')
