"""Card endpoints: list with filters, create (and register), read, change, register, cancel, file, history."""

from __future__ import annotations

from flask import Response, current_app, jsonify, request, url_for
from sqlalchemy.orm.attributes import set_committed_value

from edms.api.auth import api_user
from edms.api.blueprint import bp
from edms.api.inputs import json_object, take_fields
from edms.api.loaders import load_card
from edms.api.serializers import audit_entry_json, card_json, card_page_json
from edms.audit.queries import history_of
from edms.core.tx import atomic
from edms.core.validation import RawInput
from edms.exchange.operations import on_card_registered
from edms.registry.errors import PossibleDuplicate
from edms.registry.models import Card
from edms.registry.operations import cancel_card, create_card, file_card, register_card, update_card
from edms.registry.operations.cards import snapshot
from edms.registry.queries import visible_cards_by_id
from edms.registry.validation import CARD_FIELDS, read_card_filter
from edms.search.queries import search_cards

#: Request-level flags of `POST /cards`, taken out of the body before the card fields are read.
CREATE_FLAGS = ('register', 'confirm_duplicate')
CARD_AUDIT_TYPE = getattr(Card, '__audit_type__', None) or Card.__tablename__


@bp.errorhandler(PossibleDuplicate)
def possible_duplicate(error: PossibleDuplicate) -> tuple[Response, int]:
    """409 naming the cards already registered, so that the client can confirm with `confirm_duplicate`."""
    existing = [
        {'id': card_id, 'reg_number': number, 'url': url_for('api.get_card', card_id=card_id)}
        for card_id, number in error.existing
    ]
    body = {'code': error.code, 'message': error.message, 'fields': dict(error.fields), 'existing': existing}
    return jsonify({'error': body}), error.status


def card_response(card_id: int, status: int = 200) -> tuple[Response, int, dict[str, str]]:
    """The card as the user sees it now, freshly loaded after the change was committed (201 with `Location`)."""
    card = load_card(api_user(), card_id)
    headers = {'Location': url_for('api.get_card', card_id=card_id)} if status == 201 else {}
    return jsonify(card_json(card, link_targets(card))), status, headers


@bp.get('/cards')
def list_cards() -> Response:
    values = read_card_filter(request.args, strict=True)
    page = search_cards(api_user(), values, current_app.config['PAGE_SIZE'])
    return jsonify(card_page_json(page))


@bp.post('/cards', endpoint='create_card')
def create() -> tuple[Response, int, dict[str, str]]:
    user, body = api_user(), json_object()
    flags = RawInput(take_fields(body, CREATE_FLAGS))
    register = flags.boolean('register', 'Зарегистрировать сразу', default=True)
    confirm = flags.boolean('confirm_duplicate', 'Подтверждение повторной регистрации', default=False)
    flags.finish()
    # The card just written is answered from memory: nothing about it changes at the commit, so reloading it
    # (five queries) would only cost time. A card inserted by this request has no files yet.
    with atomic(keep_loaded=True):
        card = create_card(user, body, register=register, confirm_duplicate=confirm)
        set_committed_value(card, 'attachments', [])
    headers = {'Location': url_for('api.get_card', card_id=card.id)}
    return jsonify(card_json(card, link_targets(card))), 201, headers


@bp.get('/cards/<int:card_id>')
def get_card(card_id: int) -> Response:
    card = load_card(api_user(), card_id)
    return jsonify(card_json(card, link_targets(card)))


def link_targets(card: Card) -> set[int]:
    """Ids of the cards this card links to that the reader may see (no query when there are no links)."""
    ids = [link.target_card_id for link in card.links]
    return set(visible_cards_by_id(api_user(), ids)) if ids else set()


@bp.patch('/cards/<int:card_id>', endpoint='update_card')
def update(card_id: int) -> tuple[Response, int, dict[str, str]]:
    """Change the fields given in the body; absent fields keep their current values."""
    user, body = api_user(), json_object()
    with atomic():
        card = load_card(user, card_id)
        current = {name: value for name, value in snapshot(card).items() if name in CARD_FIELDS}
        update_card(user, card, {**current, **body})
    return card_response(card_id)


@bp.post('/cards/<int:card_id>/register', endpoint='register_card')
def register(card_id: int) -> tuple[Response, int, dict[str, str]]:
    user = api_user()
    form = RawInput(json_object(optional=True), ('confirm_duplicate', 'journal_id', 'reg_date'))
    confirm = form.boolean('confirm_duplicate', 'Подтверждение повторной регистрации', default=False)
    journal_id = form.integer('journal_id', 'Журнал', min_value=1)
    reg_date = form.date('reg_date', 'Дата регистрации')
    form.finish()
    with atomic():
        card = load_card(user, card_id, full=False)
        register_card(user, card, journal_id=journal_id, reg_date=reg_date, confirm_duplicate=confirm)
        on_card_registered(card)  # «Зарегистрирован» to the sender of a document received by МЭДО
    return card_response(card_id)


@bp.post('/cards/<int:card_id>/cancel', endpoint='cancel_card')
def cancel(card_id: int) -> tuple[Response, int, dict[str, str]]:
    user = api_user()
    form = RawInput(json_object(), ('reason',))
    reason = form.text('reason', 'Причина аннулирования', required=True, max_length=1000)
    form.finish()
    with atomic():
        cancel_card(user, load_card(user, card_id, full=False), reason)
    return card_response(card_id)


@bp.post('/cards/<int:card_id>/file', endpoint='file_card')
def file(card_id: int) -> tuple[Response, int, dict[str, str]]:
    user = api_user()
    form = RawInput(json_object(), ('case_file_id',))
    case_file_id = form.integer('case_file_id', 'Дело', required=True, min_value=1)
    form.finish()
    with atomic():
        file_card(user, load_card(user, card_id, full=False), case_file_id or 0)
    return card_response(card_id)


@bp.get('/cards/<int:card_id>/history', endpoint='card_history')
def history(card_id: int) -> Response:
    """Audit entries of the card, oldest first: creation, registration, changes with before/after, files."""
    card = load_card(api_user(), card_id, full=False)
    return jsonify({'items': [audit_entry_json(entry) for entry in history_of(CARD_AUDIT_TYPE, card.id)]})
