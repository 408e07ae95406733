"""The audit journal browser (filters, newest first, 50 per page) and the check of the hash chain's integrity.

A system administrator sees every entry; an organization's administrator only the entries of their organization.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import flash, redirect, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from edms.audit.models import AuditEntry
from edms.audit.queries import AuditFilter, list_entries_query, verify_chain
from edms.auth.models import User
from edms.auth.queries import list_users
from edms.core.clock import DEFAULT_TIMEZONE
from edms.core.db import db
from edms.core.tx import atomic
from edms.core.validation import is_id, parse_date
from edms.directory.queries import list_organizations
from edms.registry.queries import visible_cards_by_id
from edms.web.session import current_user
from edms.web.views.admin import bp
from edms.web.views.admin.common import admin_required, form_page

MAX_PAGE = 10_000
PER_PAGE = 50
FILTER_FIELDS = ('organization_id', 'actor_id', 'action', 'object_type', 'object_id', 'date_from', 'date_to')
_TEXT_LABELS = {'action': 'Действие', 'object_type': 'Тип объекта', 'object_id': 'Идентификатор объекта'}


@bp.get('/audit/')
@admin_required
def audit() -> str | tuple[str, int]:
    actor = current_user()
    values = {name: request.args.get(name, '').strip() for name in FILTER_FIELDS}
    if not actor.is_system_admin:
        values['organization_id'] = str(actor.organization_id)
    flt, errors = _read_filter(values)
    page = min(max(request.args.get('page', 1, type=int), 1), MAX_PAGE)
    entries: list[AuditEntry] = []
    if not errors:
        query = list_entries_query(flt).offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)
        entries = list(db.session.execute(query).scalars())
    organizations = list_organizations(actor)
    hidden = _hidden_cards(actor, entries[:PER_PAGE])
    return form_page(
        'admin/audit.html',
        errors,
        values=values,
        rows=[_row(entry, hidden) for entry in entries[:PER_PAGE]],
        actors=_actors(entries[:PER_PAGE]),
        page=page,
        links=_page_links(values, page, len(entries) > PER_PAGE),
        organization_options=[(organization.id, organization.short_name) for organization in organizations],
        organization_names={organization.id: organization.short_name for organization in organizations},
        user_options=[(user.id, f'{user.full_name} ({user.login})') for user in _users(flt.organization_id)],
        is_system_admin=actor.is_system_admin,
    )


def _users(organization_id: int | None) -> list[User]:
    """Users offered in the filter: those of the chosen organization (none chosen: none offered)."""
    return list_users(organization_id) if organization_id else []


def _read_filter(values: dict[str, str]) -> tuple[AuditFilter, dict[str, str]]:
    errors: dict[str, str] = {}
    numbers: dict[str, int | None] = {}
    for name, label in (('organization_id', 'Организация'), ('actor_id', 'Пользователь')):
        numbers[name] = int(values[name]) if is_id(values[name]) else None
        if values[name] and numbers[name] is None:
            errors[name] = f'«{label}»: ожидается идентификатор.'
    for name, label in _TEXT_LABELS.items():
        if len(values[name]) > 64:
            errors[name] = f'«{label}»: не более 64 символов.'
    date_from = _day(values, 'date_from', 'Дата с', errors)
    date_to = _day(values, 'date_to', 'Дата по', errors)
    if date_from and date_to and date_from > date_to:
        errors['date_to'] = '«Дата по»: не раньше даты «с».'
    flt = AuditFilter(
        organization_id=numbers['organization_id'],
        actor_id=numbers['actor_id'],
        action=values['action'] or None,
        object_type=values['object_type'] or None,
        object_id=values['object_id'] or None,
        date_from=_local_midnight(date_from) if date_from else None,
        date_to=_local_midnight(date_to + timedelta(days=1)) if date_to else None,
    )
    return flt, errors


def _day(values: dict[str, str], name: str, label: str, errors: dict[str, str]) -> date | None:
    if not values[name]:
        return None
    day = parse_date(values[name])
    if day is None:
        errors[name] = f'«{label}»: дата в формате ДД.ММ.ГГГГ.'
    return day


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(DEFAULT_TIMEZONE)).astimezone(UTC)


def _hidden_cards(actor: User, entries: list[AuditEntry]) -> set[str]:
    """Ids of the cards among the entries that the viewer may not see (ДСП): their details are not shown."""
    ids = {int(entry.object_id) for entry in entries if entry.object_type == 'registry_cards' and entry.object_id}
    if actor.can_access_restricted or not ids:
        return set()
    visible = set(visible_cards_by_id(actor, sorted(ids)))
    return {str(card_id) for card_id in ids - visible}


def _row(entry: AuditEntry, hidden: set[str]) -> dict[str, Any]:
    """An entry for display: changed fields as before → after, the rest of the data as compact JSON."""
    if entry.object_type == 'registry_cards' and entry.object_id in hidden:
        return {'entry': entry, 'changes': [], 'data': 'Сведения скрыты: документ с грифом ДСП.'}
    data = dict(entry.data or {})
    changes = data.pop('changes', None)
    changed = []
    if isinstance(changes, dict):
        changed = [
            (field, _compact(change.get('before')), _compact(change.get('after')))
            for field, change in changes.items()
            if isinstance(change, dict)
        ]
    return {'entry': entry, 'changes': changed, 'data': _compact(data) if data else ''}


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(',', ':'), default=str)


def _actors(entries: list[AuditEntry]) -> dict[int, User]:
    ids = {entry.actor_id for entry in entries if entry.actor_id is not None}
    if not ids:
        return {}
    return {user.id: user for user in db.session.execute(select(User).where(User.id.in_(ids))).scalars()}


def _page_links(values: dict[str, str], page: int, has_next: bool) -> dict[str, str | None]:
    filters = {name: value for name, value in values.items() if value}
    return {
        'previous': url_for('admin.audit', page=page - 1, **filters) if page > 1 else None,
        'next': url_for('admin.audit', page=page + 1, **filters) if has_next else None,
    }


@bp.post('/audit/verify')
@admin_required
def verify_audit() -> Response:
    """Recompute the whole hash chain and report the result."""
    with atomic():
        report = verify_chain()
    if report.ok:
        flash(f'Целостность журнала подтверждена: проверено записей — {report.checked}.', 'success')
    else:
        flash(
            f'Целостность журнала нарушена: запись № {report.broken_seq} — {report.reason} '
            f'(до неё проверено записей — {report.checked}).',
            'error',
        )
    return redirect(url_for('admin.audit'))
