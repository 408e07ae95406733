"""Reading card input (web form or JSON) into plain values; every rule reports a Russian message naming its field."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from edms.core.validation import RawInput, is_id
from edms.registry.models.enums import AccessMark, CardKind, CardStatus, CorrespondentType, DeliveryMethod, LinkKind

SUMMARY_MAX = 4000
CARD_FIELDS = (
    'kind',
    'document_kind',
    'summary',
    'correspondent_type',
    'correspondent_organization_id',
    'correspondent_name',
    'sender_number',
    'sender_date',
    'received_date',
    'signer',
    'addressees',
    'pages',
    'attachment_pages',
    'access_mark',
    'case_file_id',
    'delivery_method',
    'department_id',
    'links',
)
#: Fields of a card that a change after registration may touch (the kind and the number are fixed).
EDITABLE_AFTER_REGISTRATION = tuple(name for name in CARD_FIELDS if name != 'kind')
NEEDS_CORRESPONDENT = (CardKind.incoming, CardKind.citizen_appeal)


def read_card(
    raw: Mapping[str, Any], *, extra_fields: tuple[str, ...] = (), today: date | None = None
) -> dict[str, Any]:
    """Validated card fields; addressees and links as lists of dicts."""
    form = RawInput(raw, CARD_FIELDS + extra_fields)
    kind = form.choice('kind', 'Вид карточки', CardKind, required=True)
    values: dict[str, Any] = {
        'kind': kind,
        'document_kind': form.text('document_kind', 'Вид документа', required=True, max_length=100),
        'summary': form.text('summary', 'Краткое содержание', required=True, max_length=SUMMARY_MAX),
        'correspondent_type': form.choice('correspondent_type', 'Тип корреспондента', CorrespondentType),
        'correspondent_organization_id': form.integer(
            'correspondent_organization_id', 'Корреспондент (организация системы)', min_value=1
        ),
        'correspondent_name': form.text('correspondent_name', 'Корреспондент', max_length=511),
        'sender_number': form.text('sender_number', 'Исходящий номер отправителя', max_length=64) or None,
        'sender_date': form.date('sender_date', 'Дата документа отправителя'),
        'received_date': form.date('received_date', 'Дата поступления'),
        'signer': form.text('signer', 'Подписал', max_length=255),
        'addressees': _addressees(form, raw.get('addressees')),
        'pages': form.integer('pages', 'Количество листов', min_value=1, max_value=100000),
        'attachment_pages': form.integer('attachment_pages', 'Листов приложений', min_value=0, max_value=100000),
        'access_mark': form.choice('access_mark', 'Гриф доступа', AccessMark) or AccessMark.public,
        'case_file_id': form.integer('case_file_id', 'Дело по номенклатуре', min_value=1),
        'delivery_method': form.choice('delivery_method', 'Способ доставки', DeliveryMethod),
        'department_id': form.integer('department_id', 'Подразделение', min_value=1),
        'links': _links(form, raw.get('links')),
    }
    _check_correspondent(form, values)
    _check_dates(form, values, today or date.today())
    form.finish()
    return values


def _check_correspondent(form: RawInput, values: dict[str, Any]) -> None:
    kind = values['kind']
    has_correspondent = values['correspondent_name'] or values['correspondent_organization_id']
    if kind in NEEDS_CORRESPONDENT and not has_correspondent:
        form.errors.add('correspondent_name', '«Корреспондент»: обязательное поле для входящих документов и обращений.')
    if has_correspondent and values['correspondent_type'] is None:
        values['correspondent_type'] = (
            CorrespondentType.organization
            if values['correspondent_organization_id'] or kind != CardKind.citizen_appeal
            else CorrespondentType.person
        )
    if kind == CardKind.citizen_appeal and values['correspondent_type'] == CorrespondentType.organization:
        form.errors.add(
            'correspondent_type', '«Тип корреспондента»: автором обращения гражданина является физическое лицо.'
        )
    if values['correspondent_type'] == CorrespondentType.person and values['correspondent_organization_id']:
        form.errors.add(
            'correspondent_organization_id', '«Корреспондент»: физическое лицо не может быть организацией системы.'
        )


def _check_dates(form: RawInput, values: dict[str, Any], today: date) -> None:
    for name, label in (('sender_date', 'Дата документа отправителя'), ('received_date', 'Дата поступления')):
        if values[name] is not None and values[name] > today:
            form.errors.add(name, f'«{label}»: дата не может быть в будущем.')
    if values['sender_date'] and values['received_date'] and values['received_date'] < values['sender_date']:
        form.errors.add('received_date', '«Дата поступления»: не может быть раньше даты документа отправителя.')


def _addressees(form: RawInput, value: Any) -> list[dict[str, Any]]:
    """Addressees from a list of names or of `{name, organization_id}` objects, or from text, one per line."""
    if value in (None, ''):
        return []
    items = value.splitlines() if isinstance(value, str) else value
    if not isinstance(items, list):
        form.errors.add('addressees', '«Адресаты»: ожидается список.')
        return []
    result = []
    for item in items:
        entry = {'name': item, 'organization_id': None} if isinstance(item, str) else item
        if not isinstance(entry, dict) or set(entry) - {'name', 'organization_id'}:
            form.errors.add('addressees', '«Адресаты»: каждый адресат — строка или объект {name, organization_id}.')
            return []
        name = str(entry.get('name') or '').strip()
        org_id = entry.get('organization_id')
        if not name and not org_id:
            continue
        if len(name) > 511:
            form.errors.add('addressees', '«Адресаты»: наименование адресата не длиннее 511 символов.')
        if org_id is not None and (isinstance(org_id, bool) or not is_id(str(org_id))):
            form.errors.add('addressees', '«Адресаты»: идентификатор организации — целое число.')
            return []
        result.append({'name': name, 'organization_id': int(org_id) if org_id is not None else None})
    if len(result) > 500:
        form.errors.add('addressees', '«Адресаты»: не более 500 адресатов.')
    return result


def _links(form: RawInput, value: Any) -> list[dict[str, Any]]:
    """Links as a list of `{kind, card_id}`."""
    if value in (None, '', []):
        return []
    if not isinstance(value, list):
        form.errors.add('links', '«Связанные документы»: ожидается список.')
        return []
    result = []
    for item in value:
        if not isinstance(item, dict) or set(item) - {'kind', 'card_id'}:
            form.errors.add('links', '«Связанные документы»: каждая связь — объект {kind, card_id}.')
            return []
        try:
            kind = LinkKind(item.get('kind'))
        except ValueError:
            form.errors.add('links', f'«Связанные документы»: неизвестный тип связи «{item.get("kind")}».')
            return []
        card_id = item.get('card_id')
        if isinstance(card_id, bool) or not is_id(str(card_id)):
            form.errors.add('links', '«Связанные документы»: идентификатор карточки — целое число.')
            return []
        result.append({'kind': kind, 'card_id': int(card_id)})
    return result


FILTER_FIELDS = ('kind', 'status', 'date_from', 'date_to', 'correspondent', 'number', 'q', 'page', 'per_page')


def read_card_filter(raw: Mapping[str, Any], *, strict: bool = False) -> dict[str, Any]:
    """Filter values of the card list (query string of the page or the API); `strict` refuses unknown parameters."""
    form = RawInput(raw, FILTER_FIELDS if strict else None)
    values = {
        'kind': form.choice('kind', 'Вид карточки', CardKind),
        'status': form.choice('status', 'Статус', CardStatus),
        'date_from': form.date('date_from', 'Дата регистрации с'),
        'date_to': form.date('date_to', 'Дата регистрации по'),
        'correspondent': form.text('correspondent', 'Корреспондент', max_length=200),
        'number': form.text('number', 'Регистрационный номер', max_length=31),
        'words': form.text('q', 'Слова краткого содержания', max_length=200),
        'page': form.integer('page', 'Страница', min_value=1, max_value=100000) or 1,
        'per_page': form.integer('per_page', 'Записей на странице', min_value=1, max_value=200),
    }
    if values['date_from'] and values['date_to'] and values['date_to'] < values['date_from']:
        form.errors.add('date_to', '«Дата регистрации по»: не может быть раньше даты «с».')
    form.finish()
    return values
