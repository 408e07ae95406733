"""The clerk's МЭДО pages: «На регистрацию» (drafts that arrived by МЭДО for the organization, with the sender, its
number and date and the verdicts of the signatures; the draft opens on the card page and is registered with the
usual registration flow), «Отказать в регистрации» with a reason from the IEDMS 2.6 list, and «Ошибки обмена»
(quarantined packets with the reason, the sender and the time; the packet as a zip; «Повторить обработку»), and the
«Опубликование» mark of a card received by МЭДО (the form `templates/exchange/_card_publication.html` on the card
page, its data from the `card_publication(card)` template helper).

Registering a draft queues «Зарегистрирован»: the card page and the API call `on_card_registered` after registering.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from edms.auth.models import User
from edms.core.downloads import send_stored
from edms.core.errors import Forbidden, ValidationFailed
from edms.core.tx import atomic
from edms.core.validation import RawInput
from edms.exchange.operations import mark_published, refuse_packet, retry_packet
from edms.exchange.operations.notices import arrival_packet
from edms.exchange.operations.publication import PUBLICATION_FIELDS
from edms.exchange.packets.errors import REASON_TITLES
from edms.exchange.packets.notices import REFUSAL_REASONS
from edms.exchange.queries import get_inbox_packet, quarantine, registration_queue, signature_verdicts
from edms.registry.models import Card, CardStatus
from edms.registry.permissions import require_registrar
from edms.web.session import current_user, login_required
from edms.web.views.cards import card_action

bp = Blueprint('exchange', __name__, url_prefix='/exchange')
REASON_OPTIONS = [(reason, reason) for reason in REFUSAL_REASONS]
#: the publication form's fields on the card page carry this prefix (the page holds other forms too)
PUBLICATION_PREFIX = 'publication_'
CARD_TAB = 'exchange'
VERDICTS = (('valid', 'действительны', 'success'), ('indeterminate', 'не установлено', 'warning'))


@bp.get('/')
@login_required
def queue() -> str:
    """«На регистрацию»."""
    user = current_user()
    page = registration_queue(user, _page_number(), current_app.config['PAGE_SIZE'])
    verdicts = signature_verdicts([item.card_id for item in page.items if item.card_id])
    return render_template('exchange/queue.html', page=page, verdicts=verdicts, verdict_styles=VERDICTS)


@bp.get('/errors')
@login_required
def errors() -> str:
    """«Ошибки обмена»."""
    page = quarantine(current_user(), _page_number(), current_app.config['PAGE_SIZE'])
    return render_template('exchange/errors.html', page=page, reasons=REASON_TITLES)


@bp.route('/inbox/<int:inbox_id>/refuse', methods=['GET', 'POST'])
@login_required
def refuse(inbox_id: int) -> Response | str | tuple[str, int]:
    """«Отказать в регистрации»: the reason from the list, an optional comment; the draft is cancelled."""
    user = current_user()
    packet = get_inbox_packet(user, inbox_id)
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    if request.method == 'POST':
        values = {name: request.form.get(name, '') for name in ('reason', 'comment')}
        try:
            with atomic():
                notice = refuse_packet(user, get_inbox_packet(user, inbox_id), values)
                notified = notice is not None
        except ValidationFailed as error:
            problems = error.fields
        else:
            outcome = (
                'уведомление об отказе поставлено в очередь отправки.'
                if notified
                else 'уведомление не отправлено: отправитель не найден среди участников обмена.'
            )
            flash(f'В регистрации отказано, документ аннулирован; {outcome}', 'success')
            return redirect(url_for('exchange.queue'))
    page = render_template(
        'exchange/refuse.html', packet=packet, values=values, errors=problems, reasons=REASON_OPTIONS
    )
    return (page, 422) if problems else page


@bp.get('/inbox/<int:inbox_id>/packet')
@login_required
def download(inbox_id: int) -> Response:
    """The packet as it was received (the zip of its folder), verified against its sha256."""
    packet = get_inbox_packet(current_user(), inbox_id)
    return send_stored(packet.sha256, 'application/zip', packet.download_name)


@bp.post('/inbox/<int:inbox_id>/retry')
@login_required
def retry(inbox_id: int) -> Response:
    """«Повторить обработку» of a quarantined packet (after the trust store or the participants were fixed)."""
    user = current_user()
    with atomic():
        retry_packet(user, get_inbox_packet(user, inbox_id))
    with atomic():
        packet = get_inbox_packet(user, inbox_id)
        status, reason = packet.status_label, packet.reason
    flash(f'Пакет № {inbox_id} обработан повторно. Состояние: {status}.' + (f' {reason}' if reason else ''), 'success')
    return redirect(url_for('exchange.errors'))


@bp.app_context_processor
def _publication_helper() -> dict[str, Any]:
    return {'card_publication': card_publication}


def card_publication(card: Card) -> bool:
    """Whether the card page offers the current user the «Опубликование» form: a registered card received by МЭДО
    (its registration not refused), to a clerk."""
    shown: dict[int, bool] = g.setdefault('card_publication', {})
    if card.id not in shown:
        shown[card.id] = _offers_publication(current_user(), card)
    return shown[card.id]


def _offers_publication(user: User, card: Card) -> bool:
    if card.reg_number is None or card.status in (CardStatus.draft, CardStatus.cancelled):
        return False
    try:
        require_registrar(user)
    except Forbidden:
        return False
    return arrival_packet(card.id) is not None


@bp.post('/cards/<int:card_id>/publication')
@login_required
def publication(card_id: int) -> str | tuple[str, int] | Response:
    """«Опубликование»: the act of a card received by МЭДО was published; the sender gets the notification."""

    def run(user: User, card: Card) -> str:
        raw = {name: request.form.get(PUBLICATION_PREFIX + name, '') for name in PUBLICATION_FIELDS}
        try:
            notice = mark_published(user, card, raw)
        except ValidationFailed as error:
            fields = {PUBLICATION_PREFIX + name: message for name, message in error.fields.items()}
            raise ValidationFailed(error.message, fields=fields) from error
        if notice is None:
            return 'Опубликование отмечено; уведомление не отправлено: отправитель не найден среди участников обмена.'
        return 'Опубликование отмечено; уведомление «Опубликование» поставлено в очередь отправки.'

    return card_action(card_id, run, tab=CARD_TAB)


def _page_number() -> int:
    form = RawInput(request.args)
    number = form.integer('page', 'Страница', min_value=1, max_value=100_000) or 1
    return 1 if form.errors else number
