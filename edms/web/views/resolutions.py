"""The resolution form pages of a card: a manager issues a resolution, an assistant drafts one for a manager, the
manager edits and approves a draft, the assistant reworks a draft (a returned one goes back to the manager), an
executor issues a sub-resolution under an assignment in work. Also the template helper that gives the card page its
«Резолюции» tab (`resolution_section`).

Every change goes through `edms.resolutions.operations` in one `atomic()` block and ends with a redirect to the
card's tab; a refused form comes back filled, each message next to its field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from edms.auth.models import User
from edms.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from edms.core.tx import atomic
from edms.registry.models import Card
from edms.registry.queries import get_card
from edms.resolutions.errors import AssignmentNotFound, NotAllowed, ResolutionNotFound
from edms.resolutions.models import Assignment, Resolution
from edms.resolutions.operations import approve_draft, draft_resolution, issue_resolution, issue_sub_resolution
from edms.resolutions.operations import update_draft as update_draft_operation
from edms.resolutions.permissions import (
    assignment_actions,
    require_assistant,
    require_manager,
    resolution_actions,
)
from edms.resolutions.queries import get_assignment, get_resolution
from edms.web.session import current_user, login_required
from edms.web.views.resolution_forms import ResolutionForm, form_of, known_fields, people, read_form, row_errors
from edms.web.views.resolution_section import Section, build_section
from edms.web.views.signatures import record_signature, signed_message

bp = Blueprint('resolutions', __name__, url_prefix='/cards')
Html = str | tuple[str, int]
#: What each form page does: title, submit button, flash message after success.
MODES = {
    'issue': ('Вынести резолюцию', 'Подписать и вынести', 'Резолюция вынесена и подписана простой ЭП.'),
    'draft': (
        'Проект резолюции для руководителя',
        'Направить руководителю',
        'Проект резолюции направлен руководителю.',
    ),
    'approve': (
        'Изменить и утвердить проект резолюции',
        'Утвердить с изменениями и подписать',
        'Проект резолюции утверждён с изменениями и подписан простой ЭП; поручения направлены исполнителям.',
    ),
    'update': (
        'Доработка проекта резолюции',
        'Сохранить и направить руководителю',
        'Проект резолюции доработан и направлен руководителю.',
    ),
    'sub': (
        'Подчинённая резолюция',
        'Подписать и вынести',
        'Подчинённая резолюция вынесена и подписана простой ЭП.',
    ),
}


@bp.app_context_processor
def _section_helper() -> dict[str, Any]:
    return {'resolution_section': resolution_section}


def resolution_section(card: Card) -> Section:
    """The card's «Резолюции» tab for the logged-in user, built once per request."""
    sections: dict[int, Section] = g.setdefault('resolution_sections', {})
    if card.id not in sections:
        sections[card.id] = build_section(current_user(), card)
    return sections[card.id]


def card_tab_url(card_id: int, anchor: str = '') -> str:
    """The card page opened on the «Резолюции» tab, optionally at an element of the tree."""
    url = url_for('cards.show', card_id=card_id, tab='resolutions')
    return f'{url}#{anchor}' if anchor else url


def resolution_of(user: User, card: Card, resolution_id: int) -> Resolution:
    """A resolution the user may see, of this card (another card's resolution is not found here)."""
    resolution = get_resolution(user, resolution_id)
    if resolution.card_id != card.id:
        raise ResolutionNotFound()
    return resolution


def assignment_of(user: User, card: Card, assignment_id: int) -> Assignment:
    assignment = get_assignment(user, assignment_id)
    if assignment.card_id != card.id:
        raise AssignmentNotFound()
    return assignment


@bp.route('/<int:card_id>/resolutions/new', methods=['GET', 'POST'])
@login_required
def new(card_id: int) -> Html | Response:
    user = current_user()
    card = get_card(user, card_id)
    require_manager(user)
    return _form_page(
        card,
        'issue',
        ResolutionForm(),
        lambda form: issue_resolution(user, card, form.raw(), signature=record_signature(request.form)),
    )


@bp.route('/<int:card_id>/resolutions/draft', methods=['GET', 'POST'])
@login_required
def draft(card_id: int) -> Html | Response:
    user = current_user()
    card = get_card(user, card_id)
    require_assistant(user)
    author_id = request.args.get('author_id', '')[:20]
    if not author_id and request.method == 'GET':
        managers = people(card.organization_id).managers
        author_id = str(managers[0][0]) if len(managers) == 1 else ''  # the assistant's one manager, preselected
    blank = ResolutionForm(author_id=author_id)
    return _form_page(card, 'draft', blank, lambda form: draft_resolution(user, card, form.raw(draft=True)))


@bp.route('/<int:card_id>/resolutions/<int:resolution_id>/edit', methods=['GET', 'POST'])
@login_required
def edit(card_id: int, resolution_id: int) -> Html | Response:
    """The draft's manager edits and approves it; the assistant who prepared it reworks it."""
    user = current_user()
    card = get_card(user, card_id)
    resolution = resolution_of(user, card, resolution_id)
    actions = resolution_actions(user, resolution)
    if 'edit_and_approve' in actions:
        return _form_page(
            card,
            'approve',
            form_of(resolution),
            lambda form: approve_draft(user, resolution, form.raw(), signature=record_signature(request.form)),
            resolution,
        )
    if 'update_draft' in actions:
        return _form_page(
            card,
            'update',
            form_of(resolution),
            lambda form: update_draft_operation(user, resolution, form.raw(draft=True)),
            resolution,
        )
    raise NotAllowed('Изменить проект резолюции может адресованный руководитель или подготовивший его помощник.')


@bp.route('/<int:card_id>/assignments/<int:assignment_id>/sub-resolution', methods=['GET', 'POST'])
@login_required
def sub_resolution(card_id: int, assignment_id: int) -> Html | Response:
    """The executor of an assignment in work passes parts of it on."""
    user = current_user()
    card = get_card(user, card_id)
    assignment = assignment_of(user, card, assignment_id)
    if request.method == 'GET' and 'sub_resolution' not in assignment_actions(user, assignment):
        raise NotAllowed('Подчинённую резолюцию выносит исполнитель поручения, находящегося в работе.')
    return _form_page(
        card,
        'sub',
        ResolutionForm(),
        lambda form: issue_sub_resolution(user, assignment, form.raw(), signature=record_signature(request.form)),
        assignment.resolution,
        assignment,
    )


def _form_page(
    card: Card,
    mode: str,
    initial: ResolutionForm,
    save: Callable[[ResolutionForm], Resolution],
    resolution: Resolution | None = None,
    assignment: Assignment | None = None,
) -> Html | Response:
    """GET shows the form; POST saves it in one transaction, or shows it again with what was typed."""
    if request.method == 'GET':
        return _render(card, mode, initial, resolution=resolution, assignment=assignment)
    form = read_form(request.form)
    try:
        with atomic():
            saved = save(form)
            anchor = f'resolution-{saved.id}'
    except (Forbidden, NotFound):
        raise
    except DomainError as error:
        message = None if isinstance(error, ValidationFailed) else error.message
        return _render(
            card,
            mode,
            form,
            resolution=resolution,
            assignment=assignment,
            errors=error.fields,
            message=message,
            status=error.status,
        )
    flash(signed_message(MODES[mode][2], request.form), 'success')
    return redirect(card_tab_url(card.id, anchor))


def _render(
    card: Card,
    mode: str,
    form: ResolutionForm,
    *,
    resolution: Resolution | None = None,
    assignment: Assignment | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status: int = 200,
) -> Html:
    title, submit, _ = MODES[mode]
    errors = errors or {}
    html = render_template(
        'resolutions/form.html',
        card=card,
        mode=mode,
        title=title,
        submit_label=submit,
        form=form,
        values=form.values(),
        errors=errors,
        known_fields=known_fields(errors),
        row_errors=row_errors,
        message=message,
        people=people(card.organization_id),
        resolution=resolution,
        assignment=assignment,
        action=request.path,
    )
    return (html, status) if status != 200 else html
