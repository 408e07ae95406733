"""Execution reports: an executor reports on his assignment in work (text and files); a co-executor's report goes
to the responsible executor, the responsible's to the controller (controlled resolution) or to the author. The
addressee accepts (the part is executed) or returns it with a comment (back in work)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, BinaryIO

from flask import current_app

from edms.audit.operations import record
from edms.auth.models import User
from edms.core.blobs import BlobStore, StoredBlob, blob_store
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.filetypes import ALLOWED_TYPES, describe_allowed, detect_content_type
from edms.registry.operations.attachments import clean_filename
from edms.resolutions import deadlines
from edms.resolutions.errors import AssignmentClosed, ReportFileRefused, ResolutionStateConflict
from edms.resolutions.models import (
    Assignment,
    AssignmentStatus,
    EventKind,
    ExecutionReport,
    ReportAddressee,
    ReportFile,
    ReportStatus,
    ResolutionStatus,
)
from edms.resolutions.operations.common import Outbox, lock
from edms.resolutions.operations.completion import resolution_may_be_executed
from edms.resolutions.permissions import require_executor, require_report_addressee
from edms.resolutions.queries.getters import require_visible
from edms.resolutions.validation import read_comment, read_report

MAX_REPORT_FILES = 20
#: A file of a report: its bytes and the name the user gave it.
UploadedFile = tuple[BinaryIO, str]


def submit_report(
    user: User, assignment: Assignment, raw: Mapping[str, Any], files: Sequence[UploadedFile] = ()
) -> ExecutionReport:
    """The executor's report on his own assignment in work; refused on a closed one, nothing stored on refusal."""
    resolution = assignment.resolution
    require_visible(user, resolution)
    require_executor(user, assignment)
    text = read_report(raw)
    if len(files) > MAX_REPORT_FILES:
        raise ReportFileRefused(fields={'files': f'«Файлы отчёта»: не более {MAX_REPORT_FILES} файлов.'})
    lock(assignment)
    _require_in_work(assignment)
    addressed_to, addressee_id = _addressee(assignment)
    report = ExecutionReport(
        assignment_id=assignment.id, author_id=user.id, addressed_to=addressed_to, addressee_id=addressee_id, text=text
    )
    report.files = _store_files(files)
    db.session.add(report)
    assignment.status, assignment.updated_at = AssignmentStatus.reported, utcnow()
    db.session.flush()
    kind = EventKind.report_prepared if addressed_to == ReportAddressee.responsible else EventKind.report_sent
    outbox = Outbox(user)
    outbox.add(kind, resolution, assignment, report_id=report.id, addressed_to=addressed_to.value)
    record(user, 'assignment.report', assignment, {**_describe(report), 'status': _change('in_work', 'reported')})
    outbox.publish()
    return report


def _require_in_work(assignment: Assignment) -> None:
    if assignment.status == AssignmentStatus.reported:
        raise ResolutionStateConflict('Отчёт по поручению уже направлен и ожидает решения.')
    if assignment.status != AssignmentStatus.in_work or assignment.resolution.status != ResolutionStatus.approved:
        raise AssignmentClosed()


def _addressee(assignment: Assignment) -> tuple[ReportAddressee, int]:
    resolution = assignment.resolution
    if not assignment.is_responsible:
        responsible = resolution.responsible
        if responsible is not None:
            return ReportAddressee.responsible, responsible.executor_id
    if resolution.is_controlled and resolution.controller_id is not None:
        return ReportAddressee.controller, resolution.controller_id
    return ReportAddressee.author, resolution.author_id


def _store_files(files: Sequence[UploadedFile]) -> list[ReportFile]:
    """Store each file (size limit, type judged by content); on any refusal the new blobs of this call are removed."""
    store, stored, rows = blob_store(), [], []
    try:
        for index, (stream, filename) in enumerate(files):
            blob = store.put_stream(stream, current_app.config['MAX_ATTACHMENT_SIZE'])
            stored.append(blob)
            content_type = _content_type(blob, filename, index)
            rows.append(
                ReportFile(
                    sha256=blob.sha256, filename=clean_filename(filename), content_type=content_type, size=blob.size
                )
            )
    except BaseException:
        _discard_new(store, stored)
        raise
    return rows


def _content_type(blob: StoredBlob, filename: str, index: int) -> str:
    content_type = detect_content_type(blob.path) if blob.size else None
    if content_type is None or content_type not in ALLOWED_TYPES:
        name = clean_filename(filename)
        if blob.size == 0:
            raise ReportFileRefused(fields={'files': f'«Файлы отчёта»: файл «{name}» пустой.'})
        message = f'«Файлы отчёта»: тип файла «{name}» не разрешён. Допустимые форматы: {describe_allowed()}.'
        raise ReportFileRefused(fields={'files': message})
    return content_type


def _discard_new(store: BlobStore, stored: list[StoredBlob]) -> None:
    for blob in stored:
        if blob.is_new:
            store.discard(blob.sha256)


def accept_report(user: User, report: ExecutionReport, raw: Mapping[str, Any] | None = None) -> ExecutionReport:
    """The addressee accepts: the executor's part is executed (today); the resolution may be done with it."""
    assignment = report.assignment
    resolution = assignment.resolution
    require_visible(user, resolution)
    require_report_addressee(user, report)
    comment = read_comment(raw or {}, 'Комментарий', required=False)
    lock(resolution)
    _lock_submitted(report, assignment)
    report.status, report.decided_by_id, report.decided_at = ReportStatus.accepted, user.id, utcnow()
    report.decision_comment = comment or None
    assignment.status, assignment.executed_at, assignment.updated_at = (
        AssignmentStatus.executed,
        deadlines.today(),
        report.decided_at,
    )
    outbox = Outbox(user)
    outbox.add(EventKind.report_accepted, resolution, assignment, report_id=report.id)
    record(user, 'report.accept', assignment, {'report_id': report.id, 'status': _change('reported', 'executed')})
    resolution_may_be_executed(user, resolution, outbox)
    outbox.publish()
    return report


def return_report(user: User, report: ExecutionReport, raw: Mapping[str, Any]) -> ExecutionReport:
    """The addressee returns the report with a comment: the assignment is back in work."""
    assignment = report.assignment
    resolution = assignment.resolution
    require_visible(user, resolution)
    require_report_addressee(user, report)
    comment = read_comment(raw, 'Комментарий', required=True)
    lock(resolution)
    _lock_submitted(report, assignment)
    report.status, report.decided_by_id, report.decided_at = ReportStatus.returned, user.id, utcnow()
    report.decision_comment = comment
    assignment.status, assignment.updated_at = AssignmentStatus.in_work, report.decided_at
    outbox = Outbox(user)
    outbox.add(EventKind.report_returned, resolution, assignment, report_id=report.id, comment=comment)
    record(
        user,
        'report.return',
        assignment,
        {'report_id': report.id, 'comment': comment, 'status': _change('reported', 'in_work')},
    )
    outbox.publish()
    return report


def _lock_submitted(report: ExecutionReport, assignment: Assignment) -> None:
    lock(report)
    lock(assignment)
    if report.status != ReportStatus.submitted:
        raise ResolutionStateConflict('По этому отчёту решение уже принято.')
    if assignment.status != AssignmentStatus.reported:
        raise AssignmentClosed()


def _describe(report: ExecutionReport) -> dict[str, Any]:
    return {
        'report_id': report.id,
        'addressed_to': report.addressed_to.value,
        'addressee_id': report.addressee_id,
        'text': report.text,
        'files': [{'filename': f.filename, 'sha256': f.sha256, 'size': f.size} for f in report.files],
    }


def _change(before: str, after: str) -> dict[str, str]:
    return {'before': before, 'after': after}


def open_report_file(user: User, report_file: ReportFile) -> BinaryIO:
    """The bytes of a report's file (found through `queries.get_report_file`), verified against its sha256."""
    return blob_store().open_verified(report_file.sha256)
