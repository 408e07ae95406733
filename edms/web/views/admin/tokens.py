"""API tokens of an organization's users: list, issue (the secret shown once) and revoke."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from edms.auth.operations import create_api_token, revoke_api_token
from edms.auth.queries import get_api_token, list_api_tokens, list_users
from edms.core.clock import DEFAULT_TIMEZONE, utcnow
from edms.core.errors import ValidationFailed
from edms.core.tx import atomic
from edms.core.validation import is_number, parse_date
from edms.web.session import current_user
from edms.web.views.admin import bp
from edms.web.views.admin.common import admin_required, administered_organization, form_page, read_form, secret_page


@bp.get('/organizations/<int:org_id>/tokens/')
@admin_required
def tokens(org_id: int) -> str:
    organization = administered_organization(org_id)
    return render_template('admin/tokens.html', organization=organization, tokens=list_api_tokens(org_id), now=utcnow())


@bp.route('/organizations/<int:org_id>/tokens/new', methods=['GET', 'POST'])
@admin_required
def new_token(org_id: int) -> Response | str | tuple[str, int]:
    """Issue a token acting as a user of the organization; the secret is shown once, on the next page."""
    organization = administered_organization(org_id)
    actor = current_user()
    members = {user.id: user for user in list_users(org_id) if actor.is_system_admin or not user.is_system_admin}
    values: dict[str, Any] = {'user_id': request.args.get('user_id', '')}
    errors: dict[str, str] = {}
    if request.method == 'POST':
        values = read_form(('user_id', 'name', 'expires_at'))
        owner = members.get(int(values['user_id'])) if is_number(values['user_id']) else None
        expires_at, errors = _expiry(values['expires_at'])
        if owner is None:
            errors['user_id'] = '«Пользователь»: выберите пользователя организации.'
        if owner is not None and not errors:
            try:
                with atomic():
                    _, raw = create_api_token(current_user(), owner, values['name'], expires_at)
                message = 'Токен выпущен. Сохраните его сейчас: больше он показан не будет.'
                return secret_page(message, raw, url_for('admin.tokens', org_id=org_id))
            except ValidationFailed as error:
                errors = error.fields
    owners = [(user.id, f'{user.full_name} ({user.login})') for user in members.values() if user.is_active]
    return form_page('admin/token_form.html', errors, organization=organization, values=values, owners=owners)


def _expiry(text: str) -> tuple[datetime | None, dict[str, str]]:
    """The token is valid through the given day (agency time); empty means no expiry."""
    if not text.strip():
        return None, {}
    day = parse_date(text.strip())
    if day is None:
        return None, {'expires_at': '«Срок действия»: дата в формате ДД.ММ.ГГГГ.'}
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=ZoneInfo(DEFAULT_TIMEZONE))
    return end.astimezone(UTC), {}


@bp.post('/tokens/<int:token_id>/revoke')
@admin_required
def revoke_token(token_id: int) -> Response:
    with atomic():
        token = get_api_token(current_user(), token_id)
        revoke_api_token(current_user(), token)
        org_id, prefix = token.user.organization_id, token.prefix
    flash(f'Токен {prefix}… отозван.', 'success')
    return redirect(url_for('admin.tokens', org_id=org_id))
