"""Users of an organization: list, create (the initial password shown once), edit, password reset, unlock, sessions."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from edms.auth.models import ROLE_LABELS, User
from edms.auth.operations import (
    create_user,
    reset_password,
    revoke_all_sessions,
    revoke_session,
    unlock_user,
    update_user,
)
from edms.auth.queries import get_session, get_user, list_sessions, list_users
from edms.core.clock import utcnow
from edms.core.errors import ValidationFailed
from edms.core.tx import atomic
from edms.directory.models import Organization
from edms.web.session import current_user
from edms.web.views.admin import bp
from edms.web.views.admin.common import (
    admin_required,
    administered_organization,
    department_options,
    form_page,
    form_values,
    position_options,
    read_form,
    secret_page,
)

USER_FORM = ('login', 'last_name', 'first_name', 'middle_name', 'email', 'snils', 'inn', 'department_id', 'position_id')
ROLE_OPTIONS = [(role.value, label) for role, label in ROLE_LABELS.items()]


@bp.get('/organizations/<int:org_id>/users/')
@admin_required
def users(org_id: int) -> str:
    organization = administered_organization(org_id)
    return render_template('admin/users.html', organization=organization, users=list_users(org_id), now=utcnow())


@bp.route('/organizations/<int:org_id>/users/new', methods=['GET', 'POST'])
@admin_required
def new_user(org_id: int) -> Response | str | tuple[str, int]:
    """Create an account; a generated initial password is shown once, on the next page."""
    organization = administered_organization(org_id)
    values: dict[str, Any] = {'roles': []}
    errors: dict[str, str] = {}
    if request.method == 'POST':
        values = read_form((*USER_FORM, 'password'), booleans=('can_access_restricted',), lists=('roles',))
        try:
            with atomic():
                user, password = create_user(current_user(), org_id, values)
                login = user.login
            back = url_for('admin.users', org_id=org_id)
            if values['password']:
                flash(
                    f'Пользователь «{login}» создан с заданным паролем; при первом входе пароль нужно сменить.',
                    'success',
                )
                return redirect(back)
            message = (
                f'Пользователь «{login}» создан. Начальный пароль — передайте его пользователю; '
                'при первом входе пароль нужно сменить.'
            )
            return secret_page(message, password, back)
        except ValidationFailed as error:
            errors = error.fields
            values['password'] = ''
    return _form(organization, None, values, errors)


@bp.route('/users/<int:user_id>/edit', methods=['GET', 'POST'])
@admin_required
def edit_user(user_id: int) -> Response | str | tuple[str, int]:
    """Data, roles and state of an account; deactivation ends every session of the user."""
    user = get_user(current_user(), user_id)
    organization = administered_organization(user.organization_id)
    values = _user_values(user)
    errors: dict[str, str] = {}
    if request.method == 'POST':
        values = read_form(USER_FORM, booleans=('can_access_restricted', 'is_active'), lists=('roles',))
        try:
            with atomic():
                update_user(current_user(), user, values)
            flash('Данные пользователя сохранены.', 'success')
            return redirect(url_for('admin.users', org_id=organization.id))
        except ValidationFailed as error:
            errors = error.fields
    return _form(organization, user, values, errors)


def _user_values(user: User) -> dict[str, Any]:
    values = form_values(user, (*USER_FORM, 'can_access_restricted', 'is_active'))
    values['roles'] = sorted(role.value for role in user.roles)
    return values


def _form(
    organization: Organization, user: User | None, values: dict[str, Any], errors: dict[str, str]
) -> str | tuple[str, int]:
    return form_page(
        'admin/user_form.html',
        errors,
        organization=organization,
        account=user,
        values=values,
        roles=ROLE_OPTIONS,
        departments=department_options(organization.id),
        positions=position_options(organization.id),
    )


@bp.post('/users/<int:user_id>/reset-password')
@admin_required
def reset_user_password(user_id: int) -> str:
    """Issue a temporary password (shown once) and end the user's sessions."""
    with atomic():
        user = get_user(current_user(), user_id)
        password = reset_password(current_user(), user)
        login = user.login
    message = (
        f'Пароль пользователя «{login}» сброшен, его сеансы завершены. '
        'Временный пароль — передайте его пользователю; при входе пароль нужно сменить.'
    )
    return secret_page(message, password, url_for('admin.edit_user', user_id=user_id))


@bp.post('/users/<int:user_id>/unlock')
@admin_required
def unlock(user_id: int) -> Response:
    with atomic():
        unlock_user(current_user(), get_user(current_user(), user_id))
    flash('Блокировка учётной записи снята.', 'success')
    return redirect(url_for('admin.edit_user', user_id=user_id))


@bp.get('/users/<int:user_id>/sessions')
@admin_required
def user_sessions(user_id: int) -> str:
    user = get_user(current_user(), user_id)
    return render_template(
        'admin/user_sessions.html',
        organization=user.organization,
        account=user,
        sessions=list_sessions(user),
        now=utcnow(),
    )


@bp.post('/users/<int:user_id>/sessions/revoke-all')
@admin_required
def revoke_user_sessions(user_id: int) -> Response:
    """End every live session of the user."""
    with atomic():
        count = revoke_all_sessions(current_user(), get_user(current_user(), user_id))
    flash(f'Завершено сеансов: {count}.', 'success')
    return redirect(url_for('admin.user_sessions', user_id=user_id))


@bp.post('/sessions/<int:session_id>/revoke')
@admin_required
def revoke_user_session(session_id: int) -> Response:
    """End one session of a user."""
    with atomic():
        session = get_session(current_user(), session_id)
        revoke_session(current_user(), session)
        user_id = session.user_id
    flash(f'Сеанс № {session_id} завершён.', 'success')
    return redirect(url_for('admin.user_sessions', user_id=user_id))
