"""Directory endpoints: organizations (as correspondents; managed by the system administrator), departments,
the organization's journals and case files, and the current user."""

from __future__ import annotations

from flask import Response, jsonify, url_for

from edms.api.auth import api_user
from edms.api.blueprint import bp
from edms.api.inputs import json_object, query
from edms.api.serializers import (
    case_file_json,
    department_json,
    journal_json,
    me_json,
    organization_json,
)
from edms.auth.models import User
from edms.core.db import db
from edms.core.errors import NotFound
from edms.core.tx import atomic
from edms.directory.models import Organization
from edms.directory.operations import create_organization, snapshot, update_organization
from edms.directory.queries import department_tree, get_organization, list_correspondent_organizations
from edms.directory.queries import list_organizations as all_organizations
from edms.directory.validation import ORGANIZATION_FIELDS
from edms.registry.operations import create_case_file, create_journal
from edms.registry.queries import list_case_files, list_journals


def visible_organization(user: User, organization_id: int) -> Organization:
    """An organization the user may know: any active one (a correspondent), their own, any for a system admin."""
    organization = db.session.get(Organization, organization_id)
    if organization is None or not (
        organization.is_active or organization.id == user.organization_id or user.is_system_admin
    ):
        raise NotFound('Организация не найдена.')
    return organization


@bp.get('/organizations')
def list_organizations() -> Response:
    user = api_user()
    organizations = all_organizations(user) if user.is_system_admin else list_correspondent_organizations()
    return jsonify({'items': [organization_json(organization) for organization in organizations]})


@bp.get('/organizations/<int:organization_id>', endpoint='get_organization')
def get_organization_view(organization_id: int) -> Response:
    return jsonify(organization_json(visible_organization(api_user(), organization_id)))


@bp.post('/organizations', endpoint='create_organization')
def create_organization_view() -> tuple[Response, int, dict[str, str]]:
    user, body = api_user(), json_object()
    with atomic():
        organization_id = create_organization(user, body).id
    organization = visible_organization(user, organization_id)
    location = url_for('api.get_organization', organization_id=organization_id)
    return jsonify(organization_json(organization)), 201, {'Location': location}


@bp.patch('/organizations/<int:organization_id>', endpoint='update_organization')
def update_organization_view(organization_id: int) -> Response:
    """Change the given requisites; absent fields keep their values (the organization's or system administrator)."""
    user, body = api_user(), json_object()
    with atomic():
        organization = get_organization(user, organization_id)
        update_organization(user, organization, {**snapshot(organization, ORGANIZATION_FIELDS), **body})
    return jsonify(organization_json(visible_organization(user, organization_id)))


@bp.get('/organizations/<int:organization_id>/departments')
def list_departments(organization_id: int) -> Response:
    organization = get_organization(api_user(), organization_id)
    return jsonify({'items': [department_json(node) for node in department_tree(organization.id)]})


@bp.get('/journals', endpoint='list_journals')
def list_journals_view() -> Response:
    form = query(('year',))
    year = form.integer('year', 'Год', min_value=2000, max_value=2100)
    form.finish()
    journals = list_journals(api_user().organization_id, year)
    return jsonify({'items': [journal_json(journal) for journal in journals]})


@bp.post('/journals', endpoint='create_journal')
def create_journal_view() -> tuple[Response, int]:
    user, body = api_user(), json_object()
    with atomic():
        journal = create_journal(user, user.organization_id, body)
        data = journal_json(journal)
    return jsonify(data), 201


@bp.get('/case-files', endpoint='list_case_files')
def list_case_files_view() -> Response:
    form = query(('year', 'open_only'))
    year = form.integer('year', 'Год', min_value=2000, max_value=2100)
    open_only = form.boolean('open_only', 'Только открытые дела')
    form.finish()
    case_files = list_case_files(api_user().organization_id, year, open_only=open_only)
    return jsonify({'items': [case_file_json(case_file) for case_file in case_files]})


@bp.post('/case-files', endpoint='create_case_file')
def create_case_file_view() -> tuple[Response, int]:
    user, body = api_user(), json_object()
    with atomic():
        data = case_file_json(create_case_file(user, user.organization_id, body))
    return jsonify(data), 201


@bp.get('/me')
def me() -> Response:
    return jsonify(me_json(api_user()))
