"""The manager's cabinet (МКР) in the browser: the folders of `edms.resolutions.queries.FOLDERS` with their counts,
one folder's page of items with links to the cards, and «Утвердить» — approving a draft as is — as one POST from the
folder, signed with the simple signature, or «Утвердить и подписать КЭП» with a certificate whose container is stored
on the server and its password typed inline (a refusal of the qualified approval comes back in its form). The page
is a list of Bootstrap list-group items, so that it works on a phone-sized screen."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from edms.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from edms.core.tx import atomic
from edms.core.validation import RawInput
from edms.resolutions.operations import approve_draft
from edms.resolutions.permissions import resolution_actions
from edms.resolutions.queries import FOLDERS, FOLDERS_BY_KEY, folder_counts, folder_page, get_resolution
from edms.signatures.credentials import credential_fields
from edms.web.session import current_user, login_required
from edms.web.views.signatures import record_signature, signed_message

bp = Blueprint('cabinet', __name__, url_prefix='/cabinet')
Html = str | tuple[str, int]
PER_PAGE = 20
MAX_PAGE = 100_000


@bp.get('/')
@login_required
def index() -> str:
    """The first folder that has something in it (or «На рассмотрение»)."""
    counts = folder_counts(current_user())
    key = next((folder.key for folder in FOLDERS if counts[folder.key]), FOLDERS[0].key)
    return _render(key, counts)


@bp.get('/<folder>')
@login_required
def folder(folder: str) -> str:
    if folder not in FOLDERS_BY_KEY:
        abort(404)
    return _render(folder, folder_counts(current_user()))


def _page_number() -> int:
    form = RawInput(request.values)
    number = form.integer('page', 'Страница', min_value=1, max_value=MAX_PAGE)
    return 1 if form.errors or number is None else number


def _render(key: str, counts: dict[str, int], **form: Any) -> str:
    """The folder's page; `form` may carry the `values` and `errors` of a refused qualified approval."""
    user = current_user()
    page = folder_page(user, key, _page_number(), PER_PAGE, total=counts[key])
    actions = {item.resolution.id: resolution_actions(user, item.resolution) for item in page.items}
    return render_template(
        'resolutions/cabinet.html',
        folders=FOLDERS,
        counts=counts,
        page=page,
        actions=actions,
        values=form.get('values', {}),
        errors=form.get('errors', {}),
    )


@bp.post('/approve/<int:resolution_id>')
@login_required
def approve(resolution_id: int) -> Html | Response:
    """Approve a draft as is and sign it (simple, or qualified when the form chose it); back to the folder it was
    approved from, a refusal flashed there — or, for a qualified approval, shown in its form with 422."""
    user = current_user()
    folder_key = request.form.get('folder', '')
    folder_key = folder_key if folder_key in FOLDERS_BY_KEY else FOLDERS[0].key
    page = _page_number()
    back = url_for('cabinet.folder', folder=folder_key, page=page if page > 1 else None)
    signature = record_signature(request.form)
    try:
        with atomic(), credential_fields():
            resolution = approve_draft(user, get_resolution(user, resolution_id), signature=signature)
            number = resolution.card.reg_number or f'#{resolution.card_id}'
    except (Forbidden, NotFound):
        raise
    except DomainError as error:
        if signature is not None:
            errors = error.fields if isinstance(error, ValidationFailed) else {'approval': error.message}
            html = _render(folder_key, folder_counts(user), values=request.form, errors=errors)
            return html, 422
        if isinstance(error, ValidationFailed):
            details = ' '.join(error.fields.values())
            flash(f'Проект нельзя утвердить как есть: {details} Измените проект на странице документа.', 'error')
        else:
            flash(error.message, 'error')
        return redirect(back)
    flash(
        signed_message(f'Резолюция по документу № {number} утверждена и подписана простой ЭП.', request.form), 'success'
    )
    return redirect(back)
