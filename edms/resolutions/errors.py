"""Errors of the resolutions module, each with a code and a Russian message for the user."""

from __future__ import annotations

from edms.core.errors import Conflict, Forbidden, NotFound, ValidationFailed


class ResolutionNotFound(NotFound):
    code = 'resolution_not_found'
    message = 'Резолюция не найдена.'


class AssignmentNotFound(NotFound):
    code = 'assignment_not_found'
    message = 'Поручение не найдено.'


class ReportNotFound(NotFound):
    code = 'report_not_found'
    message = 'Отчёт об исполнении не найден.'


class ExtensionNotFound(NotFound):
    code = 'extension_not_found'
    message = 'Запрос о продлении срока не найден.'


class ReportFileNotFound(NotFound):
    code = 'report_file_not_found'
    message = 'Файл отчёта не найден.'


class NotAllowed(Forbidden):
    """The user sees the object but this step belongs to someone else (the message says whose)."""

    code = 'resolution_forbidden'


class ResolutionStateConflict(Conflict):
    """The step is not possible in the current state of the resolution or assignment."""

    code = 'resolution_state_conflict'


class AssignmentClosed(ResolutionStateConflict):
    code = 'assignment_closed'
    message = 'Поручение закрыто (исполнено или отменено): действие невозможно.'


class ExtensionPending(ResolutionStateConflict):
    code = 'extension_pending'
    message = 'По поручению уже есть запрос о продлении срока, ожидающий решения.'


class ReportFileRefused(ValidationFailed):
    code = 'report_file_refused'
