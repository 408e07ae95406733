"""`Situation`: everything a rule may look at (normalized field values, today, channel, files, signatures), and
`Condition`: a named test over it that makes a field, a file or a signature required («для иностранного гражданина»).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from edms.citizen_services.rules.facts import AttachmentFile, SignatureFacts
from edms.citizen_services.rules.problems import Problem


@dataclass(frozen=True)
class Situation:
    """The application as the rules see it. `values` holds only the fields that were read without a problem."""

    values: Mapping[str, Any]
    today: date
    channel: str
    labels: Mapping[str, str]
    attachments: tuple[AttachmentFile, ...] = ()
    signatures: tuple[SignatureFacts, ...] = ()

    def value(self, path: str) -> Any:
        return self.values.get(path)

    def label(self, path: str) -> str:
        return self.labels.get(path, path)

    def signature(self, role: str) -> SignatureFacts | None:
        """The last signature facts given for `role`, or None."""
        found = [facts for facts in self.signatures if facts.role == role]
        return found[-1] if found else None


@dataclass(frozen=True)
class Condition:
    """`when` completes «обязательно …» in Russian ('для иностранного гражданина'); `test` decides it."""

    when: str
    test: Callable[[Situation], bool]

    def holds(self, situation: Situation) -> bool:
        return bool(self.test(situation))


#: A cross-field rule: the problems it finds in the situation (it sees only fields read without a problem).
Rule = Callable[[Situation], Iterable[Problem]]
#: A requirement: always (True), never (False) or when a condition holds.
Requirement = bool | Condition


def applies(requirement: Requirement, situation: Situation) -> bool:
    return requirement.holds(situation) if isinstance(requirement, Condition) else requirement


def when_text(requirement: Requirement) -> str:
    """' (для иностранного гражданина)' for a condition, '' for an unconditional requirement."""
    return f' ({requirement.when})' if isinstance(requirement, Condition) else ''


def value_is(path: str, expected: object, when: str) -> Condition:
    """The field at `path` has the value `expected` (a failed or empty field never matches)."""
    return Condition(when, lambda situation: situation.value(path) == expected)


def channel_in(channels: frozenset[str] | set[str], when: str) -> Condition:
    return Condition(when, lambda situation: situation.channel in channels)


def age_on(birth: date, day: date) -> int:
    """Full years of a person born on `birth` at `day` (born on 29 February: a year is complete on 1 March)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def is_minor(path: str, when: str = 'для несовершеннолетнего заявителя') -> Condition:
    """The person born on the date at `path` is under 18 today."""

    def test(situation: Situation) -> bool:
        birth = situation.value(path)
        return isinstance(birth, date) and age_on(birth, situation.today) < 18

    return Condition(when, test)
