"""Matching a rule against a sample of a card, without the database: the `Sample` (built from a card by
`sample_of`, or typed by an administrator), and for each condition of a rule whether it holds, in Russian words.

Text conditions ignore case, «ё»/«е» and repeated spaces: a document kind typed «письмо» matches «Письмо».
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from edms.registry.models import Card, CardKind, DeliveryMethod
from edms.registry.models.enums import DELIVERY_LABELS, KIND_LABELS
from edms.routing.models import RoutingRule

_SPACES = re.compile(r'\s+')


@dataclass(frozen=True)
class Sample:
    """What the rules look at: the card's kind, document kind, correspondent (the organization of the system, and
    every name it is known by), the public service it applies for and how it arrived."""

    kind: CardKind | None = None
    document_kind: str = ''
    correspondent_organization_id: int | None = None
    correspondent_names: tuple[str, ...] = ()
    service_code: str = ''
    delivery_method: DeliveryMethod | None = None

    @property
    def correspondent_label(self) -> str:
        return self.correspondent_names[0] if self.correspondent_names else ''


@dataclass(frozen=True)
class Condition:
    """One condition of a rule checked against a sample: `text` says what was expected and what was found."""

    field: str
    label: str
    matched: bool
    text: str


def sample_of(card: Card, *, service: str | None = None) -> Sample:
    """The sample of a card; `service` is the code of the public service the card applies for (citizen services)."""
    names = [card.correspondent_name]
    organization = card.correspondent_organization
    if organization is not None:
        names += [organization.short_name, organization.name]
    return Sample(
        kind=card.kind,
        document_kind=card.document_kind or '',
        correspondent_organization_id=card.correspondent_organization_id,
        correspondent_names=tuple(dict.fromkeys(name.strip() for name in names if name and name.strip())),
        service_code=(service or '').strip(),
        delivery_method=card.delivery_method,
    )


def normalized(text: str | None) -> str:
    """Text compared by the rules: case-folded, «ё» as «е», spaces collapsed."""
    return _SPACES.sub(' ', (text or '').strip()).casefold().replace('ё', 'е')


def check_rule(rule: RoutingRule, sample: Sample) -> list[Condition]:
    """Every condition the rule sets, checked against the sample (an empty list: the rule has no conditions)."""
    conditions = []
    if rule.card_kind is not None:
        conditions.append(_kind(rule.card_kind, sample.kind))
    if rule.document_kind:
        conditions.append(_document_kind(rule.document_kind, sample.document_kind))
    if rule.correspondent_organization_id is not None:
        conditions.append(_correspondent_organization(rule, sample))
    if rule.correspondent_text:
        conditions.append(_correspondent_text(rule.correspondent_text, sample))
    if rule.service_code:
        conditions.append(_service(rule.service_code, sample.service_code))
    if rule.delivery_method is not None:
        conditions.append(_delivery(rule.delivery_method, sample.delivery_method))
    return conditions


def _quoted(value: str) -> str:
    return f'«{value}»' if value else 'не указан'


def _kind(expected: CardKind, actual: CardKind | None) -> Condition:
    wanted = KIND_LABELS[expected]
    if actual == expected:
        return Condition('card_kind', 'Вид карточки', True, f'вид карточки — «{wanted}»')
    found = _quoted(KIND_LABELS[actual]) if actual is not None else 'не указан'
    return Condition('card_kind', 'Вид карточки', False, f'вид карточки {found}, а правило требует «{wanted}»')


def _document_kind(expected: str, actual: str) -> Condition:
    label = 'Вид документа'
    if normalized(expected) == normalized(actual):
        return Condition('document_kind', label, True, f'вид документа — «{actual}»')
    return Condition('document_kind', label, False, f'вид документа {_quoted(actual)}, а правило требует «{expected}»')


def _correspondent_organization(rule: RoutingRule, sample: Sample) -> Condition:
    label = 'Корреспондент (организация системы)'
    wanted = rule.correspondent_organization.short_name if rule.correspondent_organization else '—'
    if sample.correspondent_organization_id == rule.correspondent_organization_id:
        return Condition('correspondent_organization_id', label, True, f'корреспондент — «{wanted}»')
    found = _quoted(sample.correspondent_label) if sample.correspondent_organization_id else 'не организация системы'
    text = f'корреспондент {found}, а правило требует «{wanted}»'
    return Condition('correspondent_organization_id', label, False, text)


def _correspondent_text(expected: str, sample: Sample) -> Condition:
    label = 'Наименование корреспондента содержит'
    part = normalized(expected)
    found = next((name for name in sample.correspondent_names if part in normalized(name)), None)
    if found is not None:
        text = f'наименование корреспондента «{found}» содержит «{expected}»'
        return Condition('correspondent_text', label, True, text)
    text = f'наименование корреспондента {_quoted(sample.correspondent_label)} не содержит «{expected}»'
    return Condition('correspondent_text', label, False, text)


def _service(expected: str, actual: str) -> Condition:
    if normalized(expected) == normalized(actual):
        return Condition('service_code', 'Услуга', True, f'услуга — «{actual}»')
    found = f'«{actual}»' if actual else 'не указана'
    return Condition('service_code', 'Услуга', False, f'услуга {found}, а правило требует «{expected}»')


def _delivery(expected: DeliveryMethod, actual: DeliveryMethod | None) -> Condition:
    label, wanted = 'Способ доставки', DELIVERY_LABELS[expected]
    if actual == expected:
        return Condition('delivery_method', label, True, f'способ доставки — «{wanted}»')
    found = _quoted(DELIVERY_LABELS[actual]) if actual is not None else 'не указан'
    return Condition('delivery_method', label, False, f'способ доставки {found}, а правило требует «{wanted}»')


def describe(rule: RoutingRule) -> list[str]:
    """The rule's conditions in words, for lists («Вид документа: «Письмо»»); empty for a catch-all rule."""
    parts = []
    if rule.card_kind is not None:
        parts.append(f'Вид карточки: «{KIND_LABELS[rule.card_kind]}»')
    if rule.document_kind:
        parts.append(f'Вид документа: «{rule.document_kind}»')
    if rule.correspondent_organization is not None:
        parts.append(f'Корреспондент: «{rule.correspondent_organization.short_name}»')
    if rule.correspondent_text:
        parts.append(f'Наименование корреспондента содержит «{rule.correspondent_text}»')
    if rule.service_code:
        parts.append(f'Услуга: «{rule.service_code}»')
    if rule.delivery_method is not None:
        parts.append(f'Способ доставки: «{DELIVERY_LABELS[rule.delivery_method]}»')
    return parts
