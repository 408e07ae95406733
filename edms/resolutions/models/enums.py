"""Enumerations of the resolutions module with their Russian labels."""

from __future__ import annotations

import enum


class ResolutionStatus(enum.StrEnum):
    """draft → (returned → draft)* → approved → executed; cancelled from any open state."""

    draft = 'draft'
    returned = 'returned'
    approved = 'approved'
    executed = 'executed'
    cancelled = 'cancelled'


class AssignmentStatus(enum.StrEnum):
    """draft (of a draft resolution) → in_work ⇄ reported → executed; cancelled with its resolution."""

    draft = 'draft'
    in_work = 'in_work'
    reported = 'reported'
    executed = 'executed'
    cancelled = 'cancelled'


class ReportStatus(enum.StrEnum):
    submitted = 'submitted'
    accepted = 'accepted'
    returned = 'returned'


class ReportAddressee(enum.StrEnum):
    """Who decides on a report: the responsible executor (co-executors' parts), the controller or the author."""

    responsible = 'responsible'
    author = 'author'
    controller = 'controller'


class ExtensionStatus(enum.StrEnum):
    pending = 'pending'
    granted = 'granted'
    refused = 'refused'


class EventKind(enum.StrEnum):
    """Domain events; the first four of the exchange are МЭДО's «принят к исполнению», «отчёт подготовлен», «отчёт
    направлен», «изменение хода исполнения»."""

    resolution_drafted = 'resolution_drafted'
    draft_returned = 'draft_returned'
    resolution_approved = 'resolution_approved'
    executor_assigned = 'executor_assigned'
    report_prepared = 'report_prepared'
    report_sent = 'report_sent'
    report_accepted = 'report_accepted'
    report_returned = 'report_returned'
    extension_requested = 'extension_requested'
    extension_decided = 'extension_decided'
    execution_changed = 'execution_changed'
    control_closed = 'control_closed'
    card_executed = 'card_executed'


RESOLUTION_STATUS_LABELS = {
    ResolutionStatus.draft: 'Проект',
    ResolutionStatus.returned: 'Возвращён на доработку',
    ResolutionStatus.approved: 'На исполнении',
    ResolutionStatus.executed: 'Исполнено',
    ResolutionStatus.cancelled: 'Отменено',
}
ASSIGNMENT_STATUS_LABELS = {
    AssignmentStatus.draft: 'Проект',
    AssignmentStatus.in_work: 'В работе',
    AssignmentStatus.reported: 'Отчёт на рассмотрении',
    AssignmentStatus.executed: 'Исполнено',
    AssignmentStatus.cancelled: 'Отменено',
}
REPORT_STATUS_LABELS = {
    ReportStatus.submitted: 'На рассмотрении',
    ReportStatus.accepted: 'Принят',
    ReportStatus.returned: 'Возвращён на доработку',
}
REPORT_ADDRESSEE_LABELS = {
    ReportAddressee.responsible: 'Ответственному исполнителю',
    ReportAddressee.author: 'Автору резолюции',
    ReportAddressee.controller: 'Контролёру',
}
EXTENSION_STATUS_LABELS = {
    ExtensionStatus.pending: 'На рассмотрении',
    ExtensionStatus.granted: 'Срок продлён',
    ExtensionStatus.refused: 'Отказано',
}
EVENT_KIND_LABELS = {
    EventKind.resolution_drafted: 'Подготовлен проект резолюции',
    EventKind.draft_returned: 'Проект резолюции возвращён на доработку',
    EventKind.resolution_approved: 'Резолюция утверждена',
    EventKind.executor_assigned: 'Принято к исполнению',
    EventKind.report_prepared: 'Отчёт подготовлен',
    EventKind.report_sent: 'Отчёт направлен',
    EventKind.report_accepted: 'Отчёт принят',
    EventKind.report_returned: 'Отчёт возвращён',
    EventKind.extension_requested: 'Запрошено продление срока',
    EventKind.extension_decided: 'Решение о продлении срока',
    EventKind.execution_changed: 'Изменение хода исполнения',
    EventKind.control_closed: 'Снято с контроля',
    EventKind.card_executed: 'Документ исполнен',
}
#: Assignments that still wait for work or for a decision on a report.
OPEN_ASSIGNMENT_STATUSES = (AssignmentStatus.in_work, AssignmentStatus.reported)
#: Resolutions nobody acts on any more.
CLOSED_RESOLUTION_STATUSES = (ResolutionStatus.executed, ResolutionStatus.cancelled)
