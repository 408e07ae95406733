"""Sections of an application's page contributed by the parts of citizen services (interagency requests, complaints,
the life of a result, the legal entity's cabinet…), so a part adds its block without editing the page.

A part registers, once at import of its view module, a template and a function giving the template's variables
(None: the section is not shown for this application):

    register_section('agency', 'interagency/_application_requests.html', requests_context)

The page renders `sections(side, user, application)` in order; each section's template sees the page's variables
plus its own under `section.context`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from edms.auth.models import User
from edms.citizen_services.models import Application

#: 'applicant': the applicant's (and MFC's, partner's) page; 'agency': the deciding agency's page.
Side = Literal['applicant', 'agency']
Context = Callable[[User, Application], dict[str, Any] | None]


@dataclass(frozen=True)
class Section:
    template: str
    context: Context


@dataclass(frozen=True)
class Shown:
    template: str
    context: dict[str, Any]


_SECTIONS: dict[Side, list[Section]] = {'applicant': [], 'agency': []}


def register_section(side: Side, template: str, context: Context) -> None:
    """Add a section to the pages of `side` (a second registration of the same template is ignored)."""
    if all(section.template != template for section in _SECTIONS[side]):
        _SECTIONS[side].append(Section(template, context))


def sections(side: Side, user: User, application: Application) -> list[Shown]:
    """The sections shown on this application's page, each with its variables."""
    shown = []
    for section in _SECTIONS[side]:
        context = section.context(user, application)
        if context is not None:
            shown.append(Shown(section.template, context))
    return shown
