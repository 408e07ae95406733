"""`ServiceDefinition`: a public service as data plus rules — the card's document kind, the application XSD, the
fields and their rules, the attachment slots, the signatures, the competent agency (a routing key), the deadlines,
the statuses, the refusal reasons, the result document and, for a term-limited result, its validity (where the
period is in the application, the reminders before its end, the extension and the annulment reasons). The workflow
reads these; a new service is a new definition, never a change of the workflow.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from edms.citizen_services.catalogue.deadlines import DeadlinePlan
from edms.citizen_services.rules.attachments import DEFAULT_TYPES, MAX_ATTACHMENT_SIZE, AttachmentSpec
from edms.citizen_services.rules.fields import FieldSpec
from edms.citizen_services.rules.signatures import SignatureSpec
from edms.citizen_services.rules.situation import Rule
from edms.directory.models import OrganizationKind
from edms.paths import ROOT

SCHEMA_DIR = ROOT / 'schemas' / 'services'
XML_NAMESPACE_PREFIX = 'urn:edms:citizen-services:'
CODE_PATTERN = re.compile(r'[a-z][a-z0-9_]{0,63}')
#: The card's document kind is limited to 100 characters (registry `Card.document_kind`).
DOCUMENT_KIND_MAX = 100


class Channel(enum.StrEnum):
    """How an application arrives (seed 003 lists them all)."""

    portal = 'portal'
    mobile = 'mobile'
    xml_upload = 'xml_upload'
    mfc = 'mfc'
    partner = 'partner'
    paper = 'paper'


CHANNEL_LABELS = {
    Channel.portal: 'Портал (личный кабинет)',
    Channel.mobile: 'Мобильное приложение',
    Channel.xml_upload: 'Заявление в формате XML, подписанное КЭП',
    Channel.mfc: 'МФЦ (оператор «одного окна»)',
    Channel.partner: 'Партнёрский сервис (банк) от имени заявителя',
    Channel.paper: 'Личное обращение с бумажным заявлением (оцифровано)',
}

#: The status codes the workflow moves an application through; each service names them in its own words.
IN_PROGRESS, CLARIFICATION_REQUIRED, DONE, REFUSED = 'in_progress', 'clarification_required', 'done', 'refused'
WORKFLOW_STATUSES = (IN_PROGRESS, CLARIFICATION_REQUIRED, DONE, REFUSED)
#: Who applies: a person (a citizen, a head filing for himself) or a legal entity.
APPLICANT_KINDS = ('person', 'legal_entity')


@dataclass(frozen=True)
class ServiceStatus:
    code: str
    label: str
    #: A final status ends the application (result issued or refused).
    final: bool = False


@dataclass(frozen=True)
class RefusalReason:
    code: str
    text: str


@dataclass(frozen=True)
class CompetentAgency:
    """The routing key of the agency that decides the service; a routing step resolves it to an organization."""

    key: str
    title: str
    organization_kind: OrganizationKind


@dataclass(frozen=True)
class ApplicantFields:
    """Where an application names its applicant (dotted field paths), for the lists, the search and the card's
    correspondent: a person by default (the applicant's full name, СНИЛС and ИНН); a legal entity by its name and
    ИНН. A path the application leaves empty is taken from the applicant's account or the filer's block."""

    kind: str = 'person'
    name: tuple[str, ...] = ('applicant.last_name', 'applicant.first_name', 'applicant.middle_name')
    snils: str | None = 'applicant.snils'
    inn: str | None = 'applicant.inn'


@dataclass(frozen=True)
class ResultTemplate:
    """The result document: its title, the layout that renders it (a key of `edms.citizen_services.results.LAYOUTS`:
    a service's own certificate, or the generic «notice» any new service can use), and how the official signs it."""

    title: str
    layout: str = 'notice'
    content_type: str = 'application/pdf'
    #: 'pades': a PDF signed by the official with the visible stamp.
    signature: str = 'pades'


@dataclass(frozen=True)
class AnnulmentReason:
    code: str
    text: str


@dataclass(frozen=True)
class ExtensionPlan:
    """How a term-limited result is extended: a new application of the same service prefilled from the previous one
    (the new period starts the day after the previous end), checked by the service's own rules, decided within
    `deadlines`. `renewed`: the attachment slots (and the signatures over them) that must be given anew; the other
    files are carried over from the previous application."""

    deadlines: DeadlinePlan
    renewed: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResultValidity:
    """A result valid for a period the application names: the value paths of its first and last day (dates), the
    days before the end the applicant is reminded, the extension (None: not extendable) and the annulment reasons;
    `applicant_request` is the reason used when the applicant asks to end it early."""

    start: str
    end: str
    reminder_days: tuple[int, ...] = (7, 1)
    extension: ExtensionPlan | None = None
    annulment_reasons: tuple[AnnulmentReason, ...] = ()
    applicant_request: str | None = None

    def annulment_reason(self, code: str) -> AnnulmentReason:
        """The annulment reason with this code; KeyError for a reason not in the list."""
        for reason in self.annulment_reasons:
            if reason.code == code:
                return reason
        raise KeyError(code)

    def inconsistencies(self, paths: set[str], slots: set[str]) -> list[str]:
        problems = []
        if not {self.start, self.end} <= paths:
            problems.append('the validity period must name fields of the service')
        codes = [reason.code for reason in self.annulment_reasons]
        if not codes or len(codes) != len(set(codes)):
            problems.append('a validity needs annulment reasons with unique codes')
        if self.applicant_request is not None and self.applicant_request not in codes:
            problems.append("the applicant's request must be one of the annulment reasons")
        if any(days < 0 for days in self.reminder_days):
            problems.append('reminder days must not be negative')
        if self.extension is not None and not set(self.extension.renewed) <= slots:
            problems.append('renewed slots must be attachment slots of the service')
        return problems


@dataclass(frozen=True)
class InteragencyNeed:
    """Data the agency requests from another agency instead of asking the applicant (210-ФЗ art. 7)."""

    agency: str
    data: str
    legal_basis: str
    #: The application's fields compared with the answer (each mismatch is listed).
    compared_fields: tuple[str, ...] = ()
    #: The kind of data (a key of `edms.citizen_services.interagency_kinds.DATA_KINDS`: 'egrul', 'egrn', 'passport');
    #: it decides who answers and whether a register answers without an official.
    kind: str = 'other'


@dataclass(frozen=True)
class ServiceDefinition:
    """A public service of the catalogue; see the module docstring. Checked for consistency when created."""

    code: str
    title: str
    document_kind: str
    agency: CompetentAgency
    fields: tuple[FieldSpec, ...]
    deadlines: DeadlinePlan
    statuses: tuple[ServiceStatus, ...]
    refusal_reasons: tuple[RefusalReason, ...]
    result: ResultTemplate
    channels: frozenset[Channel]
    #: Labels of the groups of fields ('applicant.passport' → 'Паспорт'), used in XML messages.
    groups: tuple[tuple[str, str], ...] = ()
    attachments: tuple[AttachmentSpec, ...] = ()
    signatures: tuple[SignatureSpec, ...] = ()
    rules: tuple[Rule, ...] = ()
    allowed_types: frozenset[str] = DEFAULT_TYPES
    max_attachment_size: int = MAX_ATTACHMENT_SIZE
    interagency: tuple[InteragencyNeed, ...] = ()
    applicant: ApplicantFields = ApplicantFields()
    #: The result's period of validity (None: the result does not expire).
    validity: ResultValidity | None = None
    #: The application XSD; by default schemas/services/<code>.xsd.
    schema_file: Path | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        problems = self._inconsistencies()
        if problems:
            raise ValueError(f'service {self.code!r}: ' + '; '.join(problems))

    def _inconsistencies(self) -> list[str]:
        problems = []
        if not CODE_PATTERN.fullmatch(self.code):
            problems.append('code must be lowercase letters, digits and _ (at most 64)')
        if not 0 < len(self.document_kind) <= DOCUMENT_KIND_MAX:
            problems.append(f'document_kind must have 1..{DOCUMENT_KIND_MAX} characters')
        for what, codes in (
            ('field', [spec.path for spec in self.fields]),
            ('attachment', [spec.kind for spec in self.attachments]),
            ('signature', [spec.role for spec in self.signatures]),
            ('status', [status.code for status in self.statuses]),
            ('refusal reason', [reason.code for reason in self.refusal_reasons]),
        ):
            if len(codes) != len(set(codes)):
                problems.append(f'duplicate {what} codes')
        missing = set(WORKFLOW_STATUSES) - {status.code for status in self.statuses}
        if missing:
            problems.append(f'statuses lack {sorted(missing)}')
        if not self.channels or not self.refusal_reasons:
            problems.append('a service needs channels and refusal reasons')
        if self.applicant.kind not in APPLICANT_KINDS:
            problems.append(f'the applicant kind must be one of {APPLICANT_KINDS}')
        if self.validity is not None:
            slots = {spec.kind for spec in self.attachments}
            problems += self.validity.inconsistencies({spec.path for spec in self.fields}, slots)
        return problems

    @property
    def schema_path(self) -> Path:
        return self.schema_file or SCHEMA_DIR / f'{self.code}.xsd'

    @property
    def xml_namespace(self) -> str:
        """The namespace of the application XML (the XSD's targetNamespace); its root element is `application`."""
        return f'{XML_NAMESPACE_PREFIX}{self.code}'

    @cached_property
    def labels(self) -> dict[str, str]:
        """Russian labels by path: fields, groups, 'attachments.<kind>' and 'signatures.<role>'."""
        labels = dict(self.groups)
        labels.update((spec.path, spec.label) for spec in self.fields)
        labels.update((f'attachments.{spec.kind}', spec.label) for spec in self.attachments)
        labels.update((f'signatures.{spec.role}', spec.label) for spec in self.signatures)
        return labels

    def status(self, code: str) -> ServiceStatus:
        """The service's status with this code; KeyError for a code the service does not have."""
        for status in self.statuses:
            if status.code == code:
                return status
        raise KeyError(code)

    def refusal_reason(self, code: str) -> RefusalReason:
        """The refusal reason with this code; KeyError for a reason not in the service's list."""
        for reason in self.refusal_reasons:
            if reason.code == code:
                return reason
        raise KeyError(code)
