"""Errors of the directory."""

from edms.core.errors import NotFound, ValidationFailed


class OrganizationExists(ValidationFailed):
    """Another organization already has this ОГРН or short name."""

    code = 'organization_exists'


class DepartmentCycle(ValidationFailed):
    """A department cannot be placed under itself or its own descendant (a mistake in the parent field)."""

    code = 'department_cycle'
    message = 'Подразделение не может быть вложено в само себя или в своё дочернее подразделение.'

    def __init__(self) -> None:
        super().__init__(fields={'parent_id': f'«Вышестоящее подразделение»: {self.message}'})


class CalendarDayNotFound(NotFound):
    code = 'calendar_day_not_found'
    message = 'Изменения календаря на эту дату нет.'
