"""Reading what the resolution endpoints work on: a resolution or an assignment as its node of the card's tree (the
same shape and the same visibility rules as `GET /cards/{id}/resolutions`, in the tree's fixed number of queries),
the optional signature of an issue or approval, and page numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from edms.auth.models import User
from edms.core.errors import NotFound
from edms.core.validation import RawInput
from edms.registry.models import Card
from edms.resolutions.errors import AssignmentNotFound, ResolutionNotFound
from edms.resolutions.queries import (
    AssignmentNode,
    ResolutionNode,
    card_resolutions,
    get_assignment,
    get_resolution,
    require_visible,
)
from edms.signatures.records import METHODS, SIMPLE

#: Keys of the `signature` object: the kind, and for a qualified signature the certificate and its password.
SIGNATURE_KEYS = frozenset({'method', 'certificate_id', 'password'})

SIGNATURE_LABEL = 'Подпись'
MAX_PAGE = 100_000
MAX_PER_PAGE = 200


class FolderNotFound(NotFound):
    code = 'folder_not_found'
    message = 'Папка кабинета не найдена.'


def walk(nodes: list[ResolutionNode]) -> Iterator[ResolutionNode]:
    """Every resolution node of a tree, parents before their sub-resolutions."""
    for node in nodes:
        yield node
        for assignment in node.assignments:
            yield from walk(assignment.children)


def resolution_node(user: User, resolution_id: int) -> ResolutionNode:
    """The resolution the user may see, with everything below it (404 across organizations and for hidden drafts)."""
    resolution = get_resolution(user, resolution_id)
    card = require_visible(user, resolution)
    for node in walk(card_resolutions(user, card)):
        if node.resolution.id == resolution_id:
            return node
    raise ResolutionNotFound()


def assignment_node(user: User, assignment_id: int) -> tuple[AssignmentNode, Card]:
    """The assignment the user may see with its reports, extension requests and sub-resolutions, and its card."""
    assignment = get_assignment(user, assignment_id)
    card = require_visible(user, assignment.resolution)
    for node in walk(card_resolutions(user, card)):
        for item in node.assignments:
            if item.assignment.id == assignment_id:
                return item, card
    raise AssignmentNotFound()


def read_signature(form: RawInput) -> dict[str, Any] | None:
    """`signature`: absent (a simple signature) or `{"method": …}`; a qualified one also names the stored certificate
    and the password of its container (`certificate_id`, `password`), checked by the signing itself."""
    value = form.raw.get('signature')
    if value is None:
        return None
    allowed = ', '.join(METHODS)
    if not isinstance(value, dict) or set(value) - SIGNATURE_KEYS:
        form.errors.add('signature', f'«{SIGNATURE_LABEL}»: ожидается объект {{"method": …}} ({allowed}).')
        return None
    method = value.get('method', SIMPLE)
    if method not in METHODS:
        form.errors.add('signature', f'«{SIGNATURE_LABEL}»: вид подписи — одно из значений: {allowed}.')
        return None
    return {**value, 'method': method}


def read_paging(form: RawInput, default_per_page: int) -> tuple[int, int]:
    """`page` (from 1) and `per_page` (1–200) of a list."""
    page = form.integer('page', 'Страница', min_value=1, max_value=MAX_PAGE) or 1
    per_page = form.integer('per_page', 'Записей на странице', min_value=1, max_value=MAX_PER_PAGE)
    return page, per_page or default_per_page
