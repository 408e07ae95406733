"""Cross-field rules over dates: not in the future, not before another date, a period of at most N days."""

from __future__ import annotations

from collections.abc import Iterator

from edms.citizen_services.rules.problems import DATE_ORDER, PERIOD, Problem
from edms.citizen_services.rules.readers import quoted
from edms.citizen_services.rules.situation import Rule, Situation
from edms.core.calendar.days import plural, ru


def not_in_future(path: str) -> Rule:
    """The date at `path` is today or earlier (a birth date, an issue date, a registration date)."""

    def rule(situation: Situation) -> Iterator[Problem]:
        value = situation.value(path)
        if value is not None and value > situation.today:
            message = f'{quoted(situation.label(path))}: дата не может быть позже сегодняшней ({ru(situation.today)}).'
            yield Problem(path, message, DATE_ORDER)

    return rule


def not_before(path: str, earlier_path: str) -> Rule:
    """The date at `path` is not before the date at `earlier_path` (a passport is issued after the birth)."""

    def rule(situation: Situation) -> Iterator[Problem]:
        value, earlier = situation.value(path), situation.value(earlier_path)
        if value is not None and earlier is not None and value < earlier:
            other = situation.label(earlier_path)
            message = f'{quoted(situation.label(path))}: не может быть раньше даты «{other}» ({ru(earlier)}).'
            yield Problem(path, message, DATE_ORDER)

    return rule


def period_at_most(start_path: str, end_path: str, days: int, what: str) -> Rule:
    """From the date at `start_path` to the one at `end_path`, both days included, at most `days` days; the end is
    not before the start. `what` names the period in messages ('срок пребывания')."""

    def rule(situation: Situation) -> Iterator[Problem]:
        start, end = situation.value(start_path), situation.value(end_path)
        if start is None or end is None:
            return
        label, start_label = quoted(situation.label(end_path)), situation.label(start_path)
        if end < start:
            yield Problem(end_path, f'{label}: не может быть раньше даты «{start_label}» ({ru(start)}).', DATE_ORDER)
            return
        length = (end - start).days + 1
        if length > days:
            counted = f'{length} {plural(length, "день", "дня", "дней")}'
            message = f'{label}: {what} не более {days} дней (указано {counted}: с {ru(start)} по {ru(end)}).'
            yield Problem(end_path, message, PERIOD)

    return rule
