"""Paged lists in the browser: the applications' page read with the filters of the query string (or the messages
naming the wrong ones), and the address of another page of a list with the same filters.

    page, errors = filtered_applications(lambda filters: list_applications(user, filters))
    render_template(..., page=page, errors=errors, page_url=page_url('applications.index'))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request, url_for

from edms.citizen_services.queries import ApplicationFilter, ApplicationPage, read_filter
from edms.core.errors import ValidationFailed


def filtered_applications(
    read: Callable[[ApplicationFilter], ApplicationPage],
) -> tuple[ApplicationPage | None, dict[str, str]]:
    """(the page `read` gives for the query string's filters, {}) or (None, a message by wrong parameter)."""
    try:
        filters = read_filter({key: value for key, value in request.args.items() if value != ''})
    except ValidationFailed as error:
        return None, error.fields
    return read(filters), {}


def page_url(endpoint: str, **values: Any) -> Callable[[int], str]:
    """The address of page `number` of the list at `endpoint` (with `values`), the query string's filters kept."""

    def url(number: int) -> str:
        args = {key: value for key, value in request.args.items() if key != 'page' and value != ''}
        return url_for(endpoint, **values, **args, page=number)

    return url
