"""The steps of execution posted from the card's «Резолюции» tab: approve a draft as is or return it, cancel a
resolution, remove it from control, report on an assignment (with files), accept or return a report, ask for an
extension and decide on it; and the download of a report's file.

Each step runs through `edms.web.views.cards.card_action`: one transaction, a flash and a redirect on success, the
card page with the messages on refusal. Every form carries a hidden `form` key, so that the tab shows the typed values
and the messages in the one form that was sent.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request, send_file
from werkzeug.wrappers import Response

from edms.auth.models import User
from edms.registry.models import Card
from edms.registry.queries import get_card
from edms.resolutions.errors import ExtensionNotFound, ReportNotFound
from edms.resolutions.models import DeadlineExtension, ExecutionReport
from edms.resolutions.operations import (
    accept_report,
    approve_draft,
    cancel_resolution,
    close_control,
    decide_extension,
    open_report_file,
    request_extension,
    return_draft,
    return_report,
    submit_report,
)
from edms.resolutions.queries import get_extension, get_report, get_report_file
from edms.web.session import current_user, login_required
from edms.web.views.cards import card_action
from edms.web.views.resolutions import assignment_of, resolution_of
from edms.web.views.signatures import record_signature, signed_message

bp = Blueprint('resolution_actions', __name__, url_prefix='/cards')
Html = str | tuple[str, int]
TAB = 'resolutions'


def _fields(*names: str) -> dict[str, str]:
    return {name: request.form.get(name, '') for name in names}


def uploaded_files() -> list[tuple[Any, str]]:
    """The report's files of the multipart form (`files`, several allowed), without the empty file inputs."""
    return [(item.stream, item.filename) for item in request.files.getlist('files') if item.filename]


def _report_of(user: User, card: Card, report_id: int) -> ExecutionReport:
    report = get_report(user, report_id)
    if report.assignment.card_id != card.id:
        raise ReportNotFound()
    return report


def _extension_of(user: User, card: Card, extension_id: int) -> DeadlineExtension:
    extension = get_extension(user, extension_id)
    if extension.assignment.card_id != card.id:
        raise ExtensionNotFound()
    return extension


@bp.post('/<int:card_id>/resolutions/<int:resolution_id>/approve')
@login_required
def approve(card_id: int, resolution_id: int) -> Html | Response:
    def run(user: User, card: Card) -> str:
        approve_draft(user, resolution_of(user, card, resolution_id), signature=record_signature(request.form))
        message = 'Проект резолюции утверждён и подписан простой ЭП; поручения направлены исполнителям.'
        return signed_message(message, request.form)

    return card_action(card_id, run, tab=TAB)


@bp.post('/<int:card_id>/resolutions/<int:resolution_id>/return')
@login_required
def return_to_assistant(card_id: int, resolution_id: int) -> Html | Response:
    def run(user: User, card: Card) -> str:
        return_draft(user, resolution_of(user, card, resolution_id), _fields('comment'))
        return 'Проект резолюции возвращён помощнику на доработку.'

    return card_action(card_id, run, tab=TAB)


@bp.post('/<int:card_id>/resolutions/<int:resolution_id>/cancel')
@login_required
def cancel(card_id: int, resolution_id: int) -> Html | Response:
    def run(user: User, card: Card) -> str:
        cancel_resolution(user, resolution_of(user, card, resolution_id), _fields('reason'))
        return 'Резолюция отменена.'

    return card_action(card_id, run, tab=TAB)


@bp.post('/<int:card_id>/resolutions/<int:resolution_id>/close-control')
@login_required
def close(card_id: int, resolution_id: int) -> Html | Response:
    def run(user: User, card: Card) -> str:
        close_control(user, resolution_of(user, card, resolution_id), _fields('execution_mark', 'case_file_id'))
        return 'Резолюция снята с контроля с отметкой об исполнении.'

    return card_action(card_id, run, tab=TAB)


@bp.post('/<int:card_id>/assignments/<int:assignment_id>/report')
@login_required
def report(card_id: int, assignment_id: int) -> Html | Response:
    def run(user: User, card: Card) -> str:
        submitted = submit_report(user, assignment_of(user, card, assignment_id), _fields('text'), uploaded_files())
        return f'Отчёт об исполнении направлен: {submitted.addressed_to_label.lower()}.'

    return card_action(card_id, run, tab=TAB)


@bp.post('/<int:card_id>/assignments/<int:assignment_id>/extension')
@login_required
def extension(card_id: int, assignment_id: int) -> Html | Response:
    def run(user: User, card: Card) -> str:
        request_extension(user, assignment_of(user, card, assignment_id), _fields('reason', 'deadline'))
        return 'Запрос о продлении срока направлен автору резолюции.'

    return card_action(card_id, run, tab=TAB)


@bp.post('/<int:card_id>/reports/<int:report_id>/accept')
@login_required
def accept(card_id: int, report_id: int) -> Html | Response:
    def run(user: User, card: Card) -> str:
        accept_report(user, _report_of(user, card, report_id), _fields('comment'))
        return 'Отчёт принят: поручение исполнено.'

    return card_action(card_id, run, tab=TAB)


@bp.post('/<int:card_id>/reports/<int:report_id>/return')
@login_required
def return_report_view(card_id: int, report_id: int) -> Html | Response:
    def run(user: User, card: Card) -> str:
        return_report(user, _report_of(user, card, report_id), _fields('comment'))
        return 'Отчёт возвращён исполнителю на доработку.'

    return card_action(card_id, run, tab=TAB)


@bp.post('/<int:card_id>/extensions/<int:extension_id>/decide')
@login_required
def decide(card_id: int, extension_id: int) -> Html | Response:
    def run(user: User, card: Card) -> str:
        decided = decide_extension(user, _extension_of(user, card, extension_id), _fields('decision', 'comment'))
        return f'Решение по запросу о продлении срока принято: {decided.status_label.lower()}.'

    return card_action(card_id, run, tab=TAB)


@bp.get('/<int:card_id>/reports/<int:report_id>/files/<int:file_id>')
@login_required
def download(card_id: int, report_id: int, file_id: int) -> Response:
    """A report's file under its original name, only after its bytes matched the stored sha256."""
    user = current_user()
    card = get_card(user, card_id)
    report, report_file = get_report_file(user, report_id, file_id)
    if report.assignment.card_id != card.id:
        raise ReportNotFound()
    # A corrupted blob raises BlobCorrupted, which the app-wide handler answers with 409 and its message.
    return send_file(
        open_report_file(user, report_file),
        mimetype=report_file.content_type,
        as_attachment=True,
        download_name=report_file.filename,
    )
