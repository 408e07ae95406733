"""The directory of МЭДО exchange participants: the list (every organization's for a system administrator, the own
organization's for its administrator), adding and changing a participant (system administrators only)."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from edms.core.access import require_system_admin
from edms.directory.queries import list_organizations
from edms.exchange.models import ExchangeParticipant
from edms.exchange.operations import create_participant, update_participant
from edms.exchange.operations.participants import FIELDS
from edms.exchange.queries import get_participant, list_participants
from edms.web.session import current_user
from edms.web.views.admin import bp
from edms.web.views.admin.common import admin_required, form_page, form_values, read_form, save

FLAGS = ('is_local', 'is_active')
TEXTS = tuple(name for name in FIELDS if name not in FLAGS)


@bp.get('/exchange/participants/')
@admin_required
def exchange_participants() -> str:
    user = current_user()
    return render_template(
        'exchange/participants.html', participants=list_participants(user), can_edit=user.is_system_admin
    )


@bp.route('/exchange/participants/new', methods=['GET', 'POST'])
@admin_required
def new_exchange_participant() -> Response | str | tuple[str, int]:
    actor = current_user()
    require_system_admin(actor)
    values: dict[str, Any] = {'is_local': '1', 'is_active': '1'}
    errors: dict[str, str] = {}
    if request.method == 'POST':
        values = read_form(TEXTS, booleans=FLAGS)
        errors = save(lambda: create_participant(actor, values), 'Участник обмена добавлен.')
        if not errors:
            return redirect(url_for('admin.exchange_participants'))
    return _form(None, values, errors)


@bp.route('/exchange/participants/<int:participant_id>/edit', methods=['GET', 'POST'])
@admin_required
def edit_exchange_participant(participant_id: int) -> Response | str | tuple[str, int]:
    actor = current_user()
    participant = get_participant(actor, participant_id)
    require_system_admin(actor)
    values: dict[str, Any] = form_values(participant, FIELDS)
    errors: dict[str, str] = {}
    if request.method == 'POST':
        values = read_form(tuple(name for name in TEXTS if name != 'organization_id'), booleans=FLAGS)
        errors = save(lambda: update_participant(actor, participant, values), 'Участник обмена изменён.')
        if not errors:
            return redirect(url_for('admin.exchange_participants'))
        values['organization_id'] = participant.organization_id
    return _form(participant, values, errors)


def _form(participant: ExchangeParticipant | None, values: dict[str, Any], errors: dict[str, str]) -> Any:
    organizations = [(org.id, org.short_name) for org in list_organizations(current_user())]
    return form_page(
        'exchange/participant_form.html',
        errors,
        participant=participant,
        values=values,
        organizations=organizations,
    )
