"""Errors of the directory."""

from edms.core.errors import Conflict, ValidationFailed


class OrganizationExists(ValidationFailed):
    """Another organization already has this ОГРН or short name."""

    code = 'organization_exists'


class DepartmentCycle(Conflict):
    """A department cannot be placed under itself or its own descendant."""

    code = 'department_cycle'
    message = 'Подразделение не может быть вложено в само себя или в своё дочернее подразделение.'
