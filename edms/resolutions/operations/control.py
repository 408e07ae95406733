"""Control of execution: the controller removes a resolution from control with an execution mark and, optionally,
the case the card goes into; the resolution is executed and the card with it once all its resolutions are."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from edms.audit.operations import record
from edms.auth.models import User
from edms.core.clock import utcnow
from edms.registry.operations.execution import check_case_file
from edms.resolutions.errors import ResolutionStateConflict
from edms.resolutions.models import AssignmentStatus, EventKind, Resolution, ResolutionStatus
from edms.resolutions.operations.common import Outbox, lock
from edms.resolutions.operations.completion import card_may_be_executed, work_is_done
from edms.resolutions.permissions import require_controller
from edms.resolutions.queries.getters import require_visible
from edms.resolutions.validation import read_close_control


def close_control(user: User, resolution: Resolution, raw: Mapping[str, Any]) -> Resolution:
    """Снятие с контроля: only the controller, only when every assignment is executed; the resolution is executed."""
    card = require_visible(user, resolution)
    require_controller(user, resolution)
    mark, case_file_id = read_close_control(raw)
    if case_file_id is not None:
        check_case_file(resolution.organization_id, case_file_id)
    lock(resolution)
    if resolution.status != ResolutionStatus.approved or resolution.control_closed_at is not None:
        raise ResolutionStateConflict('Резолюция не находится на контроле.')
    if not work_is_done(resolution):
        open_count = sum(
            1 for item in resolution.assignments if item.status in (AssignmentStatus.in_work, AssignmentStatus.reported)
        )
        raise ResolutionStateConflict(
            f'Снять с контроля можно после исполнения всех поручений: не исполнено поручений — {open_count}.'
        )
    now = utcnow()
    resolution.control_closed_at, resolution.control_closed_by_id = now, user.id
    resolution.execution_mark, resolution.case_file_id = mark, case_file_id
    resolution.status, resolution.executed_at, resolution.updated_at = ResolutionStatus.executed, now, now
    outbox = Outbox(user)
    outbox.add(EventKind.control_closed, resolution, execution_mark=mark, case_file_id=case_file_id)
    record(
        user,
        'resolution.close_control',
        resolution,
        {
            'status': {'before': 'approved', 'after': 'executed'},
            'execution_mark': mark,
            'case_file_id': case_file_id,
        },
    )
    if resolution.parent_assignment_id is None:
        card_may_be_executed(user, card, resolution, outbox)
    outbox.publish()
    return resolution
