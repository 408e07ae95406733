"""Helpers of the card pages: the typed form values, the raw mapping for `read_card`, link references, the history.

The browser form is flat (a textarea of addressees, a multi-select of system organizations, rows of link kind and
card reference); the domain wants lists of objects. Values typed by the user are kept as they were typed so that a
refused form comes back exactly as it was sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from itertools import zip_longest
from typing import Any

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from edms.audit.models import AuditEntry
from edms.auth.models import User
from edms.core.db import db
from edms.core.validation import is_id, parse_date
from edms.registry.models import Card
from edms.registry.models.enums import (
    ACCESS_MARK_LABELS,
    CORRESPONDENT_TYPE_LABELS,
    DELIVERY_LABELS,
    KIND_LABELS,
    LINK_LABELS,
    STATUS_LABELS,
)
from edms.registry.permissions import visible_cards
from edms.registry.validation import CARD_FIELDS

SCALAR_FIELDS = tuple(name for name in CARD_FIELDS if name not in ('addressees', 'links'))
DOCUMENT_KINDS = ('Письмо', 'Приказ', 'Заявление', 'Обращение', 'Служебная записка', 'Распоряжение')
FIELD_LABELS = {
    'kind': 'Вид карточки',
    'document_kind': 'Вид документа',
    'summary': 'Краткое содержание',
    'correspondent_type': 'Тип корреспондента',
    'correspondent_organization_id': 'Корреспондент (организация системы)',
    'correspondent_name': 'Корреспондент',
    'sender_number': 'Исходящий номер отправителя',
    'sender_date': 'Дата документа отправителя',
    'received_date': 'Дата поступления',
    'signer': 'Подписал',
    'addressees': 'Адресаты',
    'pages': 'Количество листов',
    'attachment_pages': 'Листов приложений',
    'access_mark': 'Гриф доступа',
    'case_file_id': 'Дело по номенклатуре',
    'delivery_method': 'Способ доставки',
    'department_id': 'Подразделение',
    'links': 'Связанные документы',
    'status': 'Статус',
    'reg_number': 'Регистрационный номер',
    'reg_date': 'Дата регистрации',
}
ACTION_LABELS = {
    'card.create': 'Создание карточки',
    'card.register': 'Регистрация',
    'card.sign_registration': 'Подписаны регистрационные данные',
    'card.update': 'Изменение реквизитов',
    'card.cancel': 'Аннулирование',
    'card.file': 'Списание в дело',
    'card.grant_access': 'Предоставлен доступ',
    'attachment.add': 'Добавлен файл',
    'attachment.remove': 'Удалён файл',
    'attachment.corrupted': 'Обнаружено повреждение файла',
    'card.route': 'Направлено по правилам маршрутизации',
    'exchange.card.send': 'Отправлено по МЭДО',
    'exchange.dispatch.step': 'Ход отправки по МЭДО',
    'exchange.delivery.failed': 'Не доставлено по МЭДО',
    'exchange.card.published': 'Отмечено опубликование',
}
_VALUE_LABELS: dict[str, dict[Any, str]] = {
    'kind': KIND_LABELS,
    'status': STATUS_LABELS,
    'access_mark': ACCESS_MARK_LABELS,
    'correspondent_type': CORRESPONDENT_TYPE_LABELS,
    'delivery_method': DELIVERY_LABELS,
}
_DATE_FIELDS = ('sender_date', 'received_date', 'reg_date')


def typed_values(form: MultiDict[str, str]) -> dict[str, Any]:
    """What the user typed, field by field, to fill the form again."""
    values: dict[str, Any] = {name: form.get(name, '') for name in SCALAR_FIELDS}
    values['addressees'] = form.get('addressees', '')
    values['addressee_org_ids'] = form.getlist('addressee_org_ids')
    rows = zip_longest(form.getlist('link_kind'), form.getlist('link_ref'), fillvalue='')
    values['link_rows'] = [(kind, ref.strip()) for kind, ref in rows]
    values['confirm_duplicate'] = form.get('confirm_duplicate', '')
    values['file_description'] = form.get('file_description', '')
    return values


def initial_values(kind: str | None) -> dict[str, Any]:
    """An empty registration form of the given card kind."""
    values: dict[str, Any] = dict.fromkeys(SCALAR_FIELDS, '')
    values.update(kind=kind if kind in KIND_LABELS else 'incoming', access_mark='public', addressees='')
    values.update(addressee_org_ids=[], link_rows=[])
    return values


def card_values(user: User, card: Card) -> dict[str, Any]:
    """The edit form of a stored card."""
    values: dict[str, Any] = {name: _as_text(getattr(card, name)) for name in SCALAR_FIELDS}
    values['addressees'] = '\n'.join(item.name for item in card.addressees if item.organization_id is None)
    values['addressee_org_ids'] = [str(item.organization_id) for item in card.addressees if item.organization_id]
    values['link_rows'] = [(link.kind.value, _link_ref(user, link.target)) for link in card.links]
    return values


def _as_text(value: Any) -> str:
    if value is None:
        return ''
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def raw_card(user: User, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The raw mapping for `read_card`, and messages about link references that name no visible card."""
    raw: dict[str, Any] = {name: values[name] for name in SCALAR_FIELDS if name != 'kind' or values[name]}
    names = [line.strip() for line in values['addressees'].splitlines() if line.strip()]
    raw['addressees'] = [{'name': name, 'organization_id': None} for name in names] + [
        {'name': '', 'organization_id': org_id} for org_id in values['addressee_org_ids'] if org_id
    ]
    links, problems = [], []
    for kind, ref in values['link_rows']:
        if not ref:
            continue
        card_id, problem = resolve_card_ref(user, ref)
        if problem:
            problems.append(problem)
        else:
            links.append({'kind': kind, 'card_id': card_id})
    raw['links'] = links
    errors = {'links': '«Связанные документы»: ' + '; '.join(problems) + '.'} if problems else {}
    return raw, errors


def resolve_card_ref(user: User, ref: str) -> tuple[int | None, str | None]:
    """A card id from '#id', a registration number of a visible card, or a bare id; else a problem to show."""
    if ref.startswith('#') and is_id(ref[1:]):
        return int(ref[1:]), None
    ids = _ids_by_number(user, ref)
    if len(ids) == 1:
        return ids[0], None
    if len(ids) > 1:
        return None, f'номер «{ref}» есть у нескольких документов, укажите идентификатор в виде #123'
    if is_id(ref):
        return int(ref), None
    return None, f'документ «{ref}» не найден'


def _ids_by_number(user: User, number: str) -> list[int]:
    query = select(Card.id).where(Card.reg_number == number, visible_cards(user)).limit(2)
    return list(db.session.execute(query).scalars())


def _link_ref(user: User, target: Card) -> str:
    if target.reg_number and len(_ids_by_number(user, target.reg_number)) == 1:
        return target.reg_number
    return f'#{target.id}'


@dataclass
class HistoryRow:
    """One audit entry of a card as the history tab shows it."""

    entry: AuditEntry
    actor: str
    action: str
    detail: str = ''
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def history_rows(entries: list[AuditEntry]) -> list[HistoryRow]:
    """Entries with actor names (loaded in one query), Russian action names and before → after values."""
    actor_ids = {entry.actor_id for entry in entries if entry.actor_id is not None}
    users = db.session.execute(select(User).where(User.id.in_(actor_ids))).scalars() if actor_ids else []
    names = {user.id: user.full_name for user in users}
    rows = []
    for entry in entries:
        actor = names.get(entry.actor_id, f'пользователь #{entry.actor_id}') if entry.actor_id else 'Система'
        row = HistoryRow(entry, actor, ACTION_LABELS.get(entry.action, entry.action), _detail(entry))
        data = entry.data or {}
        changed = dict(data.get('changes') or {})
        if isinstance(data.get('status'), dict):
            changed.setdefault('status', data['status'])
        for name, change in sorted(changed.items()):
            label = FIELD_LABELS.get(name, name)
            row.changes.append((label, show_value(name, change.get('before')), show_value(name, change.get('after'))))
        rows.append(row)
    return rows


def _detail(entry: AuditEntry) -> str:
    data = entry.data or {}
    if entry.action == 'card.register':
        return f'№ {data.get("reg_number")} от {show_value("reg_date", data.get("reg_date"))}'
    if entry.action == 'card.cancel':
        return f'Причина: {data.get("reason", "")}'
    if entry.action == 'card.file':
        return f'Дело {data.get("case_index", "")}'
    if entry.action.startswith('attachment.'):
        return str(data.get('filename', ''))
    return ''


def show_value(name: str, value: Any) -> str:
    """A value of the audit journal in words: labels of enumerations, dates ДД.ММ.ГГГГ, lists joined."""
    if value in (None, '', []):
        return '—'
    if name in _VALUE_LABELS:
        return _VALUE_LABELS[name].get(value, str(value))
    if name in _DATE_FIELDS:
        parsed = parse_date(value)
        return parsed.strftime('%d.%m.%Y') if parsed else str(value)
    if name == 'addressees' and isinstance(value, list):
        return '; '.join(str(item.get('name', '')) for item in value if isinstance(item, dict))
    if name == 'links' and isinstance(value, list):
        return ', '.join(
            f'{LINK_LABELS.get(item.get("kind"), item.get("kind"))} #{item.get("card_id")}'
            for item in value
            if isinstance(item, dict)
        )
    return str(value)


def human_size(size: int) -> str:
    """A file size in Russian units."""
    if size < 1024:
        return f'{size} Б'
    if size < 1024 * 1024:
        return f'{size / 1024:.1f} КБ'.replace('.', ',')
    return f'{size / 1024 / 1024:.1f} МБ'.replace('.', ',')
