"""Resolution endpoints: a card's resolutions as a tree, issuing a resolution (or an assistant's draft for a manager),
the steps on a resolution (approve, return, resubmit, cancel, close control), sub-resolutions, the manager's cabinet.

The executors' work (assignments, reports, extensions) lives in `edms.api.resolution_work` and the 59-ФЗ extension
of a citizen appeal in `edms.api.appeals`; importing this module registers their routes too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, jsonify, url_for

from edms.api import appeals, resolution_work  # noqa: F401  (routes register on import)
from edms.api.auth import api_user
from edms.api.blueprint import bp
from edms.api.inputs import json_object, query, take_fields
from edms.api.loaders import load_card
from edms.api.resolution_loaders import FolderNotFound, read_paging, read_signature, resolution_node
from edms.api.resolution_serializers import Today, folder_json, folder_page_json, resolution_node_json
from edms.auth.models import User
from edms.core.errors import ValidationFailed
from edms.core.tx import atomic
from edms.core.validation import RawInput
from edms.resolutions.models import Resolution
from edms.resolutions.operations import (
    approve_draft,
    cancel_resolution,
    close_control,
    draft_resolution,
    issue_resolution,
    issue_sub_resolution,
    return_draft,
    update_draft,
)
from edms.resolutions.queries import (
    FOLDERS,
    FOLDERS_BY_KEY,
    card_resolutions,
    folder_counts,
    folder_page,
    get_assignment,
    get_resolution,
)

#: Request-level fields of `POST /cards/{id}/resolutions`, taken out before the resolution is read.
ISSUE_FLAGS = ('draft', 'signature')
DRAFT_NOT_SIGNED = '«Подпись»: проект резолюции не подписывается — его подписывает руководитель при утверждении.'
FOLDER_PER_PAGE = 20


def node_response(resolution_id: int, status: int = 200) -> tuple[Response, int, dict[str, str]]:
    """The resolution as the user sees it after the commit, as its node of the card's tree (201 with `Location`)."""
    user = api_user()
    body = resolution_node_json(user, resolution_node(user, resolution_id), Today.now())
    headers = {'Location': url_for('api.get_resolution', resolution_id=resolution_id)} if status == 201 else {}
    return jsonify(body), status, headers


def read_flags(body: dict[str, Any], names: tuple[str, ...]) -> RawInput:
    """The request-level fields `names` of `body`, removed from it so that the domain reads only its own fields."""
    return RawInput(take_fields(body, names), names)


@bp.get('/cards/<int:card_id>/resolutions')
def card_resolution_tree(card_id: int) -> Response:
    """The card's resolutions, oldest first, each with its assignments, their work and sub-resolutions."""
    user = api_user()
    card = load_card(user, card_id, full=False)
    today = Today.now()
    return jsonify({'items': [resolution_node_json(user, node, today) for node in card_resolutions(user, card)]})


@bp.post('/cards/<int:card_id>/resolutions', endpoint='issue_resolution')
def issue(card_id: int) -> tuple[Response, int, dict[str, str]]:
    """A manager's resolution, signed at once; with `"draft": true`, an assistant's draft for `author_id`."""
    user, body = api_user(), json_object()
    flags = read_flags(body, ISSUE_FLAGS)
    draft = flags.boolean('draft', 'Проект резолюции')
    signature = read_signature(flags)
    flags.finish()
    if draft and signature is not None:
        raise ValidationFailed(fields={'signature': DRAFT_NOT_SIGNED})
    with atomic():
        card = load_card(user, card_id, full=False)
        if draft:
            resolution = draft_resolution(user, card, body)
        else:
            resolution = issue_resolution(user, card, body, signature=signature)
        resolution_id = resolution.id
    return node_response(resolution_id, 201)


@bp.get('/resolutions/<int:resolution_id>', endpoint='get_resolution')
def get_resolution_node(resolution_id: int) -> tuple[Response, int, dict[str, str]]:
    return node_response(resolution_id)


def resolution_step(
    resolution_id: int, step: Callable[[User, Resolution], object]
) -> tuple[Response, int, dict[str, str]]:
    """Run one step on the resolution in its own transaction and answer the resolution as it is then."""
    user = api_user()
    with atomic():
        step(user, get_resolution(user, resolution_id))
    return node_response(resolution_id)


@bp.post('/resolutions/<int:resolution_id>/approve', endpoint='approve_resolution')
def approve(resolution_id: int) -> tuple[Response, int, dict[str, str]]:
    """Approve a draft: an empty body (or only `signature`) approves it as is, resolution fields edit it first."""
    body = json_object(optional=True)
    flags = read_flags(body, ('signature',))
    signature = read_signature(flags)
    flags.finish()
    raw = body or None
    return resolution_step(resolution_id, lambda user, item: approve_draft(user, item, raw, signature=signature))


@bp.post('/resolutions/<int:resolution_id>/return', endpoint='return_resolution')
def return_(resolution_id: int) -> tuple[Response, int, dict[str, str]]:
    """Return a draft to the assistant with `comment`."""
    body = json_object()
    return resolution_step(resolution_id, lambda user, item: return_draft(user, item, body))


@bp.post('/resolutions/<int:resolution_id>/resubmit', endpoint='resubmit_resolution')
def resubmit(resolution_id: int) -> tuple[Response, int, dict[str, str]]:
    """The assistant's reworked draft (all fields, `author_id` included); a returned draft goes to the manager again."""
    body = json_object()
    return resolution_step(resolution_id, lambda user, item: update_draft(user, item, body))


@bp.post('/resolutions/<int:resolution_id>/cancel', endpoint='cancel_resolution')
def cancel(resolution_id: int) -> tuple[Response, int, dict[str, str]]:
    """The author cancels the resolution (`reason`); its open assignments and sub-resolutions go with it."""
    body = json_object()
    return resolution_step(resolution_id, lambda user, item: cancel_resolution(user, item, body))


@bp.post('/resolutions/<int:resolution_id>/close-control', endpoint='close_control')
def close(resolution_id: int) -> tuple[Response, int, dict[str, str]]:
    """The controller removes the resolution from control: `execution_mark` and, optionally, `case_file_id`."""
    body = json_object()
    return resolution_step(resolution_id, lambda user, item: close_control(user, item, body))


@bp.post('/assignments/<int:assignment_id>/sub-resolutions', endpoint='issue_sub_resolution')
def sub_resolution(assignment_id: int) -> tuple[Response, int, dict[str, str]]:
    """The executor of an assignment in work passes parts of it on to subordinates."""
    user, body = api_user(), json_object()
    flags = read_flags(body, ('signature',))
    signature = read_signature(flags)
    flags.finish()
    with atomic():
        resolution = issue_sub_resolution(user, get_assignment(user, assignment_id), body, signature=signature)
        resolution_id = resolution.id
    return node_response(resolution_id, 201)


@bp.get('/cabinet')
def cabinet() -> Response:
    """The manager's cabinet: every folder with its count, in one statement."""
    query(()).finish()
    counts = folder_counts(api_user())
    return jsonify({'folders': [folder_json(folder, counts[folder.key]) for folder in FOLDERS]})


@bp.get('/cabinet/<folder>', endpoint='cabinet_folder')
def cabinet_page(folder: str) -> Response:
    """A page of a cabinet folder (`page`, `per_page`)."""
    if folder not in FOLDERS_BY_KEY:
        raise FolderNotFound()
    form = query(('page', 'per_page'))
    page, per_page = read_paging(form, FOLDER_PER_PAGE)
    form.finish()
    return jsonify(folder_page_json(folder_page(api_user(), folder, page, per_page), Today.now()))
