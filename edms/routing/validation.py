"""Reading rule and sample input (web forms, JSON, CLI) into plain values, with a Russian message naming each field.

Whether the department, the executor and the correspondent exist in the right organization is checked by the
operations, which see the database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from edms.core.errors import FieldErrors
from edms.core.validation import ID_MAX, RawInput
from edms.registry.models import CardKind, DeliveryMethod
from edms.routing.models import COMMENT_MAX, CORRESPONDENT_TEXT_MAX, DOCUMENT_KIND_MAX, NAME_MAX, SERVICE_CODE_MAX

RULE_FIELDS = (
    'name',
    'is_active',
    'card_kind',
    'document_kind',
    'correspondent_organization_id',
    'correspondent_text',
    'service_code',
    'delivery_method',
    'department_id',
    'executor_id',
    'comment',
)
SAMPLE_FIELDS = (
    'kind',
    'document_kind',
    'correspondent_organization_id',
    'correspondent_name',
    'service_code',
    'delivery_method',
)
LABELS = {
    'name': 'Название правила',
    'is_active': 'Действует',
    'card_kind': 'Вид карточки',
    'document_kind': 'Вид документа',
    'correspondent_organization_id': 'Корреспондент (организация системы)',
    'correspondent_text': 'Наименование корреспондента содержит',
    'correspondent_name': 'Наименование корреспондента',
    'service_code': 'Код услуги',
    'delivery_method': 'Способ доставки',
    'department_id': 'Подразделение',
    'executor_id': 'Исполнитель',
    'comment': 'Комментарий',
    'kind': 'Вид карточки',
}
#: Largest id a column holds (32-bit); a larger number names nothing.
#: A check of the values against the database, adding its messages to the others (all are reported at once).
Check = Callable[[dict[str, Any], FieldErrors], None]


def read_rule(raw: Mapping[str, Any], check: Check | None = None) -> dict[str, Any]:
    """Validated rule fields: empty conditions are None; a department or an executor is required."""
    form = RawInput(raw, RULE_FIELDS)
    values = {
        'name': form.text('name', LABELS['name'], required=True, max_length=NAME_MAX),
        'is_active': form.boolean('is_active', LABELS['is_active'], default=True),
        'card_kind': form.choice('card_kind', LABELS['card_kind'], CardKind),
        'document_kind': form.text('document_kind', LABELS['document_kind'], max_length=DOCUMENT_KIND_MAX) or None,
        'correspondent_organization_id': _id(form, 'correspondent_organization_id'),
        'correspondent_text': form.text(
            'correspondent_text', LABELS['correspondent_text'], max_length=CORRESPONDENT_TEXT_MAX
        )
        or None,
        'service_code': form.text('service_code', LABELS['service_code'], max_length=SERVICE_CODE_MAX) or None,
        'delivery_method': form.choice('delivery_method', LABELS['delivery_method'], DeliveryMethod),
        'department_id': _id(form, 'department_id'),
        'executor_id': _id(form, 'executor_id'),
        'comment': form.text('comment', LABELS['comment'], max_length=COMMENT_MAX),
    }
    if values['department_id'] is None and values['executor_id'] is None:
        form.errors.add('department_id', '«Подразделение»: укажите подразделение или исполнителя, куда направлять.')
    if check is not None:
        check(values, form.errors)
    form.finish()
    return values


def read_sample(raw: Mapping[str, Any], check: Check | None = None) -> dict[str, Any]:
    """Validated sample fields of a trial of the rules (all optional)."""
    form = RawInput(raw, SAMPLE_FIELDS)
    values = {
        'kind': form.choice('kind', LABELS['kind'], CardKind),
        'document_kind': form.text('document_kind', LABELS['document_kind'], max_length=DOCUMENT_KIND_MAX),
        'correspondent_organization_id': _id(form, 'correspondent_organization_id'),
        'correspondent_name': form.text('correspondent_name', LABELS['correspondent_name'], max_length=511),
        'service_code': form.text('service_code', LABELS['service_code'], max_length=SERVICE_CODE_MAX),
        'delivery_method': form.choice('delivery_method', LABELS['delivery_method'], DeliveryMethod),
    }
    if check is not None:
        check(values, form.errors)
    form.finish()
    return values


def _id(form: RawInput, name: str) -> int | None:
    return form.integer(name, LABELS[name], min_value=1, max_value=ID_MAX)
