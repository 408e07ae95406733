"""Checking an application against its service: every field, file, signature and cross-field rule, every problem
named at once (seed 001: the error list names every problem), and the normalized values for the workflow.

    checked = check_application(service, data, files, today=today, signatures=facts, channel='portal')
    checked.problems      # tuple of Problem, in the order of the form
    checked.values        # nested, normalized: dates as date, phone '+7 XXX XXX-XX-XX', СНИЛС as 11 digits
    checked.raise_if_invalid()   # ApplicationInvalid(ValidationFailed) with fields={path: message}

The same rules apply whatever the channel (form, API, MFC, XML upload); an XML upload must in addition carry a valid
qualified signature of the applicant ('application').
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from edms.citizen_services.catalogue.definition import CHANNEL_LABELS, Channel, ServiceDefinition
from edms.citizen_services.catalogue.registry import get_service
from edms.citizen_services.errors import ApplicationInvalid
from edms.citizen_services.rules.attachments import check_attachments
from edms.citizen_services.rules.facts import QUALIFIED, AttachmentFile, SignatureFacts
from edms.citizen_services.rules.fields import flatten, missing_fields, nest, read_fields
from edms.citizen_services.rules.problems import NOT_ALLOWED, Problem
from edms.citizen_services.rules.signatures import SignatureSpec, check_signatures
from edms.citizen_services.rules.situation import Situation, applies

#: What the XML upload channel demands of every service: the XML signed with the applicant's qualified signature.
XML_SIGNATURE = SignatureSpec('application', 'Подпись заявления в формате XML', (QUALIFIED,))


@dataclass(frozen=True)
class CheckedApplication:
    """The outcome of checking: normalized `values` (only of fields without problems) and every `problem`."""

    service: ServiceDefinition
    values: dict[str, Any]
    problems: tuple[Problem, ...]
    #: The attachment slots required in this application's situation (for the form and the MFC checklist).
    required_attachments: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def raise_if_invalid(self) -> None:
        """`ApplicationInvalid` (a `ValidationFailed`, 422) naming every problem, when there is any."""
        if self.problems:
            raise ApplicationInvalid(self.problems)


def check_application(
    service: ServiceDefinition | str,
    data: Mapping[str, Any],
    attachments: Iterable[AttachmentFile] = (),
    *,
    today: date,
    signatures: Iterable[SignatureFacts] = (),
    channel: str = Channel.portal,
) -> CheckedApplication:
    """Check `data` (nested or with dotted keys) with its files and signature facts as of `today`."""
    definition = service if isinstance(service, ServiceDefinition) else get_service(service)
    raw = flatten(data)
    values, problems = read_fields(definition.fields, raw)
    problems.extend(channel_problems(definition, channel))
    situation = Situation(values, today, channel, definition.labels, tuple(attachments), tuple(signatures))
    problems.extend(missing_fields(definition.fields, raw, situation))
    problems.extend(
        check_attachments(
            definition.attachments,
            situation.attachments,
            situation,
            allowed_types=definition.allowed_types,
            max_size=definition.max_attachment_size,
        )
    )
    problems.extend(check_signatures(signature_specs(definition, channel), situation))
    for rule in definition.rules:
        problems.extend(rule(situation))
    required = tuple(spec.kind for spec in definition.attachments if applies(spec.required, situation))
    return CheckedApplication(definition, nest(values), tuple(in_form_order(definition, problems)), required)


def validate_application(
    service: ServiceDefinition | str,
    data: Mapping[str, Any],
    attachments: Iterable[AttachmentFile] = (),
    *,
    today: date,
    signatures: Iterable[SignatureFacts] = (),
    channel: str = Channel.portal,
) -> list[Problem]:
    """Every problem of the application (an empty list when it is valid)."""
    checked = check_application(service, data, attachments, today=today, signatures=signatures, channel=channel)
    return list(checked.problems)


def read_application(
    service: ServiceDefinition | str,
    data: Mapping[str, Any],
    attachments: Iterable[AttachmentFile] = (),
    *,
    today: date,
    signatures: Iterable[SignatureFacts] = (),
    channel: str = Channel.portal,
) -> dict[str, Any]:
    """The normalized values of a valid application; `ApplicationInvalid` naming every problem otherwise."""
    checked = check_application(service, data, attachments, today=today, signatures=signatures, channel=channel)
    checked.raise_if_invalid()
    return checked.values


def channel_problems(service: ServiceDefinition, channel: str) -> list[Problem]:
    if channel in service.channels:
        return []
    allowed = ', '.join(f'«{CHANNEL_LABELS[item]}»' for item in Channel if item in service.channels)
    message = f'«Способ подачи»: услугу «{service.title}» можно получить так: {allowed}.'
    return [Problem('channel', message, NOT_ALLOWED)]


def signature_specs(service: ServiceDefinition, channel: str) -> tuple[SignatureSpec, ...]:
    """The service's signatures; on the XML channel the application itself must carry a qualified signature."""
    if channel != Channel.xml_upload:
        return service.signatures
    return (*(spec for spec in service.signatures if spec.role != XML_SIGNATURE.role), XML_SIGNATURE)


def in_form_order(service: ServiceDefinition, problems: list[Problem]) -> list[Problem]:
    """Problems in the order of the form: the channel, the fields, the files, the signatures, anything else."""
    order = ['channel', *(spec.path for spec in service.fields)]
    order += [f'attachments.{spec.kind}' for spec in service.attachments]
    order += [f'signatures.{spec.role}' for spec in (*service.signatures, XML_SIGNATURE)]
    index = {path: position for position, path in enumerate(order)}
    return sorted(problems, key=lambda problem: index.get(problem.field, len(index)))
