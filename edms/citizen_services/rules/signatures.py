"""Signature rules over `SignatureFacts`: which signed documents a service needs and how they may be signed, a
verdict that must be valid, a qualified certificate valid when signing and when sending, and the service-specific
rules built here (a consent issued not earlier than N days before a date; a certificate naming the organization).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from edms.citizen_services.rules.facts import METHOD_LABELS, QUALIFIED, SMS, SignatureFacts
from edms.citizen_services.rules.problems import MISMATCH, REQUIRED, SIGNATURE, UNKNOWN, Problem, signature_path
from edms.citizen_services.rules.readers import quoted
from edms.citizen_services.rules.situation import Requirement, Rule, Situation, applies, when_text
from edms.core.calendar.days import ru
from edms.core.clock import to_local


@dataclass(frozen=True)
class SignatureSpec:
    """A signed document of the application: `role` names it, `label` is its Russian name, `methods` the ways it may
    be signed or confirmed (QUALIFIED, SMS…)."""

    role: str
    label: str
    methods: tuple[str, ...] = (QUALIFIED,)
    required: Requirement = True


def check_signatures(specs: Iterable[SignatureSpec], situation: Situation) -> list[Problem]:
    """Every problem of the signatures: an unexpected one, a missing one, a wrong method, an invalid verdict, a
    certificate that was not qualified or not valid when signing and when sending."""
    specs = {spec.role: spec for spec in specs}
    problems = [
        Problem(signature_path(facts.role), f'Подпись «{facts.role}»: не предусмотрена услугой.', UNKNOWN)
        for facts in situation.signatures
        if facts.role not in specs
    ]
    for spec in specs.values():
        facts = situation.signature(spec.role)
        if facts is not None:
            problems.extend(Problem(signature_path(spec.role), text, SIGNATURE) for text in facts_problems(spec, facts))
        elif applies(spec.required, situation):
            ways = ' или '.join(METHOD_LABELS[method] for method in spec.methods)
            message = f'{quoted(spec.label)}: требуется {ways}{when_text(spec.required)}.'
            problems.append(Problem(signature_path(spec.role), message, REQUIRED))
    return problems


def facts_problems(spec: SignatureSpec, facts: SignatureFacts) -> Iterator[str]:
    """The Russian messages for one signed document's facts."""
    name = quoted(spec.label)
    if facts.method not in spec.methods:
        allowed = ' или '.join(METHOD_LABELS[method] for method in spec.methods)
        yield f'{name}: подписано способом «{METHOD_LABELS[facts.method]}», требуется {allowed}.'
        return
    detail = f': {facts.detail}' if facts.detail else ''
    if facts.verdict == 'invalid':
        yield f'{name}: подпись недействительна{detail}.'
    elif facts.verdict != 'valid':
        yield f'{name}: действительность подписи не установлена{detail}.'
    if facts.method == SMS:
        return
    if facts.method == QUALIFIED and not facts.qualified:
        yield f'{name}: сертификат подписи не является квалифицированным.'
    if facts.not_before is None or facts.not_after is None:
        yield f'{name}: нет сведений о сертификате подписи.'
        return
    moments = (('в момент подписания', facts.signing_time), ('в момент отправки', facts.sent_at))
    for when, moment in moments:
        if moment is not None and not facts.not_before <= moment <= facts.not_after:
            period = f'с {_moment(facts.not_before)} по {_moment(facts.not_after)}'
            yield f'{name}: сертификат не действовал {when} ({_moment(moment)}), срок его действия {period}.'


def issued_within(role: str, label: str, start_path: str, days: int) -> Rule:
    """The document signed for `role` was signed not earlier than `days` days before the date at `start_path`."""

    def rule(situation: Situation) -> Iterator[Problem]:
        facts, start = situation.signature(role), situation.value(start_path)
        if facts is None or start is None:
            return
        if facts.signing_time is None:
            yield Problem(signature_path(role), f'{quoted(label)}: в подписи нет даты подписания.', SIGNATURE)
            return
        issued, earliest = to_local(facts.signing_time).date(), start - timedelta(days=days)
        if issued < earliest:
            message = (
                f'{quoted(label)}: выдано {ru(issued)} — ранее чем за {days} дней до даты '
                f'«{situation.label(start_path)}» ({ru(start)}); допускается не ранее {ru(earliest)}.'
            )
            yield Problem(signature_path(role), message, SIGNATURE)

    return rule


def certificate_matches(role: str, label: str, attribute: str, attribute_label: str, path: str) -> Rule:
    """The certificate of the signature for `role` carries `attribute` (ogrn, inn_le, inn, snils) equal to the field
    at `path`; a certificate without the attribute does not match either."""

    def rule(situation: Situation) -> Iterator[Problem]:
        facts, expected = situation.signature(role), situation.value(path)
        if facts is None or expected is None or facts.method == SMS:
            return
        found = getattr(facts, attribute)
        if found != expected:
            shown = f'«{found}»' if found else 'не указан'
            message = (
                f'{quoted(label)}: {attribute_label} в сертификате ({shown}) не совпадает '
                f'с полем «{situation.label(path)}» ({expected}).'
            )
            yield Problem(signature_path(role), message, MISMATCH)

    return rule


def _moment(value: datetime) -> str:
    return to_local(value).strftime('%d.%m.%Y %H:%M')
