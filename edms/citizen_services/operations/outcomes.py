"""What an approval brings about beyond the result document, per service: a legal entity's cabinet comes into being,
say. A service's part registers its outcome here once at import; `approve` calls them in the same transaction, after
the status change, with the deciding official.

    @on_approved('legal_entity_cabinet')
    def open_cabinet(official: User, application: Application) -> None: ...
"""

from __future__ import annotations

from collections.abc import Callable

from edms.auth.models import User
from edms.citizen_services.models import Application

Outcome = Callable[[User, Application], None]

_OUTCOMES: dict[str, list[Outcome]] = {}


def on_approved(service_code: str) -> Callable[[Outcome], Outcome]:
    """Register `outcome` to run when an application of `service_code` is approved (once per function)."""

    def register(outcome: Outcome) -> Outcome:
        outcomes = _OUTCOMES.setdefault(service_code, [])
        if outcome not in outcomes:
            outcomes.append(outcome)
        return outcome

    return register


def bring_about(official: User, application: Application) -> None:
    """Run the outcomes of the application's service, in the order they were registered."""
    for outcome in _OUTCOMES.get(application.service_code, ()):
        outcome(official, application)
