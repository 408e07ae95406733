"""The directory of exchange participants, kept by system administrators: one participant per organization, with its
МЭДО GUID (stored in lower case), mailbox (upper case, «~MEDOGU» added when no server is given), the HTTP endpoint
of a partner system, whether the organization is served here, and whether it takes part at all."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select

from edms.audit.operations import changes, record
from edms.core.access import Actor, require_system_admin
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.validation import ID_MAX, RawInput
from edms.directory.models import Organization
from edms.exchange.models import ADDRESS_MAX, URL_MAX, ExchangeParticipant
from edms.exchange.packets.writer import MEDO_SERVER

FIELDS = ('organization_id', 'guid', 'medo_address', 'endpoint_url', 'is_local', 'is_active')
_GUID = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
_MAILBOX = re.compile(r'^[A-Z0-9_.\-]+(~[A-Z0-9_.\-]+)?$')


def create_participant(actor: Actor, raw: Mapping[str, Any]) -> ExchangeParticipant:
    """Add an organization to the exchange directory."""
    require_system_admin(actor)
    values = _read(raw, own=None)
    participant = ExchangeParticipant(**values)
    db.session.add(participant)
    db.session.flush()
    record(actor, 'exchange.participant.create', participant, _snapshot(participant), organization_id=_org(values))
    return participant


def update_participant(actor: Actor, participant: ExchangeParticipant, raw: Mapping[str, Any]) -> ExchangeParticipant:
    """Change a participant's GUID, mailbox, endpoint or flags (the organization stays)."""
    require_system_admin(actor)
    values = _read({**raw, 'organization_id': participant.organization_id}, own=participant)
    before = _snapshot(participant)
    for name, value in values.items():
        setattr(participant, name, value)
    participant.updated_at = utcnow()
    db.session.flush()
    difference = changes(before, _snapshot(participant))
    if difference:
        record(
            actor,
            'exchange.participant.update',
            participant,
            {'changes': difference},
            organization_id=participant.organization_id,
        )
    return participant


def _org(values: dict[str, Any]) -> int:
    organization_id: int = values['organization_id']
    return organization_id


def _read(raw: Mapping[str, Any], own: ExchangeParticipant | None) -> dict[str, Any]:
    form = RawInput(raw, FIELDS)
    values: dict[str, Any] = {
        'organization_id': form.integer('organization_id', 'Организация', required=True, min_value=1, max_value=ID_MAX),
        'guid': form.text('guid', 'GUID участника МЭДО', required=True, max_length=36).lower(),
        'medo_address': form.text('medo_address', 'Адрес МЭДО', required=True, max_length=ADDRESS_MAX).upper(),
        'endpoint_url': form.text('endpoint_url', 'Адрес HTTP-приёма', max_length=URL_MAX) or None,
        'is_local': form.boolean('is_local', 'Обслуживается в этой системе', default=True),
        'is_active': form.boolean('is_active', 'Участвует в обмене', default=True),
    }
    if values['guid'] and not _GUID.match(values['guid']):
        form.errors.add('guid', '«GUID участника МЭДО»: вида xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (цифры и a–f).')
    address = values['medo_address']
    if address and '~' not in address:
        values['medo_address'] = address = f'{address}~{MEDO_SERVER}'
    if address and (not _MAILBOX.match(address) or len(address) > ADDRESS_MAX):
        form.errors.add('medo_address', '«Адрес МЭДО»: почтовый ящик вида MINCIFRY_S или MINCIFRY_S~MEDOGU.')
    url = values['endpoint_url']
    if url and not _is_http_url(url):
        form.errors.add('endpoint_url', '«Адрес HTTP-приёма»: адрес вида https://сервер/api/v1/exchange/packets.')
    _check_unique(form, values, own)
    form.finish()
    return values


def _is_http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ('http', 'https') and bool(parts.hostname) and not any(c.isspace() for c in url)


def _check_unique(form: RawInput, values: dict[str, Any], own: ExchangeParticipant | None) -> None:
    own_id = own.id if own is not None else None
    organization_id = values['organization_id']
    if own is None and organization_id and db.session.get(Organization, organization_id) is None:
        form.errors.add('organization_id', '«Организация»: организация не найдена.')
    checks = (
        ('organization_id', ExchangeParticipant.organization_id, organization_id, 'у организации уже есть участник'),
        ('guid', func.lower(ExchangeParticipant.guid), values['guid'], 'этот GUID уже занят'),
        ('medo_address', func.upper(ExchangeParticipant.medo_address), values['medo_address'], 'адрес уже занят'),
    )
    labels = {'organization_id': 'Организация', 'guid': 'GUID участника МЭДО', 'medo_address': 'Адрес МЭДО'}
    for name, column, value, problem in checks:
        if not value or name in form.errors.fields:
            continue
        taken = db.session.execute(
            select(ExchangeParticipant.id).where(column == value, ExchangeParticipant.id != (own_id or 0))
        ).first()
        if taken is not None:
            form.errors.add(name, f'«{labels[name]}»: {problem}.')


def _snapshot(participant: ExchangeParticipant) -> dict[str, Any]:
    return {name: getattr(participant, name) for name in FIELDS}
