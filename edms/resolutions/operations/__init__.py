"""Changing resolutions: drafts, issue, sub-resolutions, reports, deadline extensions, control, cancellation.

Every operation takes the acting user, the object found through `edms.resolutions.queries` and the raw input; it
validates, flushes, writes its audit entry and its domain events in the caller's transaction, and schedules the
delivery of the events after the commit. Entry points wrap each call in `with atomic():`.
"""

from edms.resolutions.operations.control import close_control
from edms.resolutions.operations.drafts import approve_draft, draft_resolution, return_draft, update_draft
from edms.resolutions.operations.extensions import decide_extension, request_extension
from edms.resolutions.operations.reports import accept_report, open_report_file, return_report, submit_report
from edms.resolutions.operations.resolutions import cancel_resolution, issue_resolution, issue_sub_resolution

__all__ = [
    'accept_report',
    'approve_draft',
    'cancel_resolution',
    'close_control',
    'decide_extension',
    'draft_resolution',
    'issue_resolution',
    'issue_sub_resolution',
    'open_report_file',
    'request_extension',
    'return_draft',
    'return_report',
    'submit_report',
    'update_draft',
]
