"""Registration cards in the browser: the filtered list, the registration and edit forms, the card page with its
attachments, links and history, and the card actions (register, cancel, file into a case, upload, remove, download).

Every change goes through the registry operations inside one `atomic()` block and ends with a redirect (PRG);
refused input comes back in the form with the message next to its field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for
from werkzeug.wrappers import Response

from edms.audit.queries import history_of
from edms.auth.models import User
from edms.core.blobs import BlobCorrupted, BlobTooLarge
from edms.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from edms.core.tx import atomic
from edms.core.validation import is_id
from edms.directory.queries import department_tree, list_correspondent_organizations
from edms.exchange.operations import on_card_registered
from edms.registry.errors import FileRefused, PossibleDuplicate
from edms.registry.models import Card
from edms.registry.operations import (
    add_attachment,
    cancel_card,
    create_card,
    file_card,
    open_attachment,
    register_card,
    remove_attachment,
    update_card,
)
from edms.registry.operations.attachments import report_corrupted
from edms.registry.permissions import require_registrar
from edms.registry.queries import get_attachment, get_card, linked_from, list_case_files, visible_cards_by_id
from edms.registry.validation import read_card, read_card_filter
from edms.search.queries import search_cards
from edms.web.lists import page_url
from edms.web.session import current_user, login_required
from edms.web.views.card_forms import (
    DOCUMENT_KINDS,
    card_values,
    history_rows,
    human_size,
    initial_values,
    raw_card,
    typed_values,
)

bp = Blueprint('cards', __name__, url_prefix='/cards')
Html = str | tuple[str, int]
TABS = ('details', 'files', 'links', 'history', 'resolutions', 'exchange')


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    # App-wide: the card page is also drawn by other blueprints' actions when they refuse (appeals, resolutions).
    return {'human_size': human_size}


@bp.get('/')
@login_required
def index() -> Html:
    errors: dict[str, str] = {}
    page = None
    try:
        values = read_card_filter(request.args)
    except ValidationFailed as error:
        errors = error.fields
    else:
        page = search_cards(current_user(), values, current_app.config['PAGE_SIZE'])
    html = render_template(
        'registry/list.html', page=page, args=request.args, errors=errors, page_url=page_url('cards.index')
    )
    return (html, 422) if errors else html


@bp.route('/new', methods=['GET', 'POST'])
@login_required
def new() -> Html | Response:
    user = current_user()
    require_registrar(user)
    if request.method == 'GET':
        return _render_form(None, initial_values(request.args.get('kind')))
    values = typed_values(request.form)
    register = request.form.get('action', 'register') == 'register'
    try:
        with atomic():
            card = _create(user, values, register=register)
    except DomainError as error:
        return _form_error(None, values, error)
    number = card.reg_number
    flash(f'Документ зарегистрирован: № {number}' if number else 'Черновик карточки сохранён.', 'success')
    return redirect(url_for('cards.show', card_id=card.id))


def _create(user: User, values: dict[str, Any], *, register: bool) -> Card:
    """Create (and register) the card, then store the file sent with it; any refusal undoes everything."""
    raw = _checked_raw(user, values)
    card = create_card(user, raw, register=register, confirm_duplicate=values['confirm_duplicate'] == '1')
    upload = request.files.get('file')
    if upload is not None and upload.filename:
        add_attachment(user, card, upload.stream, upload.filename, values['file_description'])
    return card


def _checked_raw(user: User, values: dict[str, Any], card: Card | None = None) -> dict[str, Any]:
    """The raw mapping; unknown link references are reported together with the other field messages."""
    raw, link_errors = raw_card(user, values)
    if link_errors:
        fields = dict(link_errors)
        try:
            read_card({'kind': card.kind.value, **raw} if card else raw)
        except ValidationFailed as error:
            fields = {**error.fields, **link_errors}
        raise ValidationFailed(fields=fields)
    return raw


@bp.route('/<int:card_id>/edit', methods=['GET', 'POST'])
@login_required
def edit(card_id: int) -> Html | Response:
    user = current_user()
    card = get_card(user, card_id)
    require_registrar(user)
    if request.method == 'GET':
        return _render_form(card, card_values(user, card))
    values = typed_values(request.form)
    try:
        with atomic():
            update_card(user, card, _checked_raw(user, values, card))
    except DomainError as error:
        return _form_error(get_card(user, card_id), values, error)
    flash('Изменения сохранены.', 'success')
    return redirect(url_for('cards.show', card_id=card_id))


def _form_error(card: Card | None, values: dict[str, Any], error: DomainError) -> Html:
    """The form again with what was typed; rights and missing objects go to the error pages."""
    if isinstance(error, (Forbidden, NotFound)):
        raise error
    if card is not None and not values['kind']:
        values['kind'] = card.kind.value
    if isinstance(error, PossibleDuplicate):
        return _render_form(card, values, message=error.message, duplicates=error.existing, status=409)
    message = None if isinstance(error, ValidationFailed) else error.message
    fields = _field_errors(error, 'file_description')
    return _render_form(card, values, errors=fields, message=message, status=error.status)


def _field_errors(error: DomainError, description_field: str = 'description') -> dict[str, str]:
    """Per-field messages; an oversize file is a message of the file field."""
    if isinstance(error, BlobTooLarge):
        return {'file': f'«Файл»: {error.message}.'}
    fields = dict(error.fields)
    if isinstance(error, FileRefused) and 'description' in fields:
        fields[description_field] = fields.pop('description')
    return fields


def _render_form(
    card: Card | None,
    values: dict[str, Any],
    *,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    duplicates: list[tuple[int, str | None]] | None = None,
    status: int = 200,
) -> Html:
    user = current_user()
    case_files = list_case_files(user.organization_id, open_only=True)
    if card is not None and card.case_file is not None and card.case_file not in case_files:
        case_files.append(card.case_file)
    html = render_template(
        'registry/form.html',
        card=card,
        values=values,
        errors=errors or {},
        message=message,
        duplicates=duplicates or [],
        organizations=list_correspondent_organizations(),
        departments=department_tree(user.organization_id),
        case_files=case_files,
        document_kinds=DOCUMENT_KINDS,
    )
    return (html, status) if status != 200 else html


@bp.get('/<int:card_id>')
@login_required
def show(card_id: int) -> Html:
    tab = request.args.get('tab', 'details')
    return _render_card(card_id, tab=tab if tab in TABS else 'details')


def _render_card(
    card_id: int,
    *,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    duplicates: list[tuple[int, str | None]] | None = None,
    tab: str = 'details',
    status: int = 200,
) -> Html:
    user = current_user()
    card = get_card(user, card_id)
    html = render_template(
        'registry/card.html',
        card=card,
        is_registrar=_is_registrar(user),
        targets=visible_cards_by_id(user, [link.target_card_id for link in card.links]),
        linked_from=linked_from(user, card),
        history=history_rows(history_of('registry_cards', card.id)),
        case_files=list_case_files(card.organization_id, open_only=True),
        values=request.form if request.method == 'POST' else {},
        errors=errors or {},
        message=message,
        duplicates=duplicates or [],
        tab=tab,
    )
    return (html, status) if status != 200 else html


def _is_registrar(user: User) -> bool:
    try:
        require_registrar(user)
    except Forbidden:
        return False
    return True


def card_action(card_id: int, action: Callable[[User, Card], str], tab: str = 'details') -> Html | Response:
    """Run one card operation in a transaction; success flashes and redirects, a refusal shows the card page."""
    user = current_user()
    try:
        with atomic():
            message = action(user, get_card(user, card_id))
    except (Forbidden, NotFound):
        raise
    except PossibleDuplicate as error:
        return _render_card(card_id, message=error.message, duplicates=error.existing, status=409)
    except DomainError as error:
        notice = None if isinstance(error, ValidationFailed) else error.message
        return _render_card(card_id, errors=_field_errors(error), message=notice, tab=tab, status=error.status)
    flash(message, 'success')
    return redirect(url_for('cards.show', card_id=card_id, tab=tab if tab != 'details' else None))


@bp.post('/<int:card_id>/register')
@login_required
def register(card_id: int) -> Html | Response:
    def run(user: User, card: Card) -> str:
        register_card(user, card, confirm_duplicate=request.form.get('confirm_duplicate') == '1')
        on_card_registered(card)  # «Зарегистрирован» to the sender of a document received by МЭДО
        return f'Документ зарегистрирован: № {card.reg_number}'

    return card_action(card_id, run)


@bp.post('/<int:card_id>/cancel')
@login_required
def cancel(card_id: int) -> Html | Response:
    def run(user: User, card: Card) -> str:
        cancel_card(user, card, request.form.get('reason', ''))
        return 'Карточка аннулирована.'

    return card_action(card_id, run)


@bp.post('/<int:card_id>/file')
@login_required
def file_into_case(card_id: int) -> Html | Response:
    def run(user: User, card: Card) -> str:
        require_registrar(user)
        case_file_id = request.form.get('case_file_id', '')
        if not is_id(case_file_id):
            raise ValidationFailed(fields={'case_file_id': '«Дело»: выберите дело из номенклатуры.'})
        file_card(user, card, int(case_file_id))
        return 'Карточка списана в дело.'

    return card_action(card_id, run)


@bp.post('/<int:card_id>/attachments')
@login_required
def upload(card_id: int) -> Html | Response:
    def run(user: User, card: Card) -> str:
        require_registrar(user)
        upload = request.files.get('file')
        if upload is None or not upload.filename:
            raise ValidationFailed(fields={'file': '«Файл»: выберите файл.'})
        attachment = add_attachment(user, card, upload.stream, upload.filename, request.form.get('description', ''))
        return f'Файл «{attachment.filename}» добавлен.'

    return card_action(card_id, run, tab='files')


@bp.post('/<int:card_id>/attachments/<int:attachment_id>/remove')
@login_required
def remove(card_id: int, attachment_id: int) -> Html | Response:
    def run(user: User, card: Card) -> str:
        _, attachment = get_attachment(user, card.id, attachment_id)
        remove_attachment(user, card, attachment)
        return f'Файл «{attachment.filename}» удалён.'

    return card_action(card_id, run, tab='files')


@bp.get('/<int:card_id>/attachments/<int:attachment_id>')
@login_required
def download(card_id: int, attachment_id: int) -> Response | tuple[str, int]:
    """The file under its original name, only after its bytes matched the stored sha256."""
    user = current_user()
    card, attachment = get_attachment(user, card_id, attachment_id)
    try:
        stream = open_attachment(user, attachment)
    except BlobCorrupted as error:
        with atomic():
            report_corrupted(user, card, attachment, error)
        return render_template('error.html', message=error.message, fields={}), 409
    return send_file(stream, mimetype=attachment.content_type, as_attachment=True, download_name=attachment.filename)
