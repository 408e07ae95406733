"""Helpers shared by the administrator's pages: the access check, reading a form, answering with a form page."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from flask import flash, render_template, request

from edms.auth.models import Role
from edms.core.access import require_admin_of
from edms.core.errors import Forbidden, ValidationFailed
from edms.core.tx import atomic
from edms.directory.models import Organization
from edms.directory.queries import department_tree, get_organization, list_positions
from edms.web.session import current_user, login_required

F = TypeVar('F', bound=Callable[..., Any])
#: Indentation of one level of the department tree (em spaces are not collapsed by HTML).
INDENT = '\u2003'


def admin_required(view: F) -> F:
    """Logged-in administrators of an organization and system administrators only; others get a 403 page."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        user = current_user()
        if not (user.is_system_admin or user.has_role(Role.administrator)):
            raise Forbidden('Раздел администрирования доступен только администраторам.')
        return view(*args, **kwargs)

    return login_required(wrapped)  # type: ignore[return-value]


def administered_organization(organization_id: int) -> Organization:
    """The organization if the current user administers it: another organization is a 404."""
    actor = current_user()
    organization = get_organization(actor, organization_id)
    require_admin_of(actor, organization.id)
    return organization


def read_form(fields: Iterable[str], *, booleans: Iterable[str] = (), lists: Iterable[str] = ()) -> dict[str, Any]:
    """The submitted values of the named fields only (never the CSRF token); an unchecked box is sent as '0'."""
    raw: dict[str, Any] = {name: request.form.get(name, '') for name in fields}
    for name in booleans:
        raw[name] = '1' if request.form.get(name) else '0'
    for name in lists:
        raw[name] = request.form.getlist(name)
    return raw


def form_values(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    """Current attribute values of an object as form values (enums by value, None as an empty field)."""
    values: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        values[name] = value.value if isinstance(value, enum.Enum) else ('' if value is None else value)
    return values


def form_page(template: str, errors: dict[str, str], **context: Any) -> str | tuple[str, int]:
    """Render a form page; 422 when it comes back with messages."""
    page = render_template(template, errors=errors, **context)
    return (page, 422) if errors else page


def department_options(organization_id: int, exclude: set[int] | None = None) -> list[tuple[int, str]]:
    """Departments of the organization as (id, indented name) in tree order."""
    return [
        (node.department.id, INDENT * node.depth + node.department.name)
        for node in department_tree(organization_id)
        if node.department.id not in (exclude or set())
    ]


def position_options(organization_id: int) -> list[tuple[int, str]]:
    return [(position.id, position.title) for position in list_positions(organization_id)]


def secret_page(message: str, secret: str, back_url: str) -> str:
    """Show a generated password or token once, in the answer to the POST itself (never in a cookie or a URL)."""
    return render_template('admin/secret.html', message=message, secret=secret, back_url=back_url)


def save(operation: Callable[[], object], message: str) -> dict[str, str]:
    """Run the operation in one transaction and flash `message`; the field messages when it is refused."""
    try:
        with atomic():
            operation()
    except ValidationFailed as error:
        return error.fields
    flash(message, 'success')
    return {}
