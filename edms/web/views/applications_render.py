"""Drawing a refused application form: the messages by input (next to each field) and the list of every problem at
the top (seed 001: the error list names every problem at once), with the reminder that files are chosen again."""

from __future__ import annotations

from typing import Any

from flask import render_template

from edms.citizen_services.errors import ApplicationInvalid
from edms.core.errors import DomainError, ValidationFailed
from edms.web.views.applications_forms import FILES_AGAIN


def refusal(error: DomainError, files_chosen: bool) -> tuple[dict[str, str], list[str]]:
    """(messages by input name, every problem in form order) of a refused filing or resubmission."""
    if isinstance(error, ApplicationInvalid):
        errors, problems = dict(error.fields), [problem.message for problem in error.problems]
    elif isinstance(error, ValidationFailed):
        errors = dict(error.fields)
        problems = list(errors.values()) or [error.message]
    else:
        errors, problems = {}, [error.message]
    if files_chosen:
        problems.append(FILES_AGAIN)
    return errors, problems


def form_page(template: str, errors: dict[str, str], **context: Any) -> str | tuple[str, int]:
    """The page; 422 when the form comes back with problems."""
    page = render_template(template, errors=errors, **context)
    return (page, 422) if errors or context.get('problems') else page
