"""Filing an application, by whoever may file it:

- the applicant with a portal account (role `applicant` in a `portal` organization): channels portal, mobile and
  the КЭП-signed XML upload (`file_application_xml`), always in their own name;
- an MFC operator (role `mfc_operator` in an MFC) on a visitor's behalf: channels mfc and paper;
- a partner (any account of a `partner` organization, typically an API token of a bank) on its client's behalf:
  channel partner.
On someone's behalf the `on_behalf` block names the applicant where the application's own fields do not; an
applicant account of the portal with the same СНИЛС then sees the application in its cabinet.

The application goes to the active provider of the service (`queries.active_provider`); without one it is refused
(`ServiceUnavailable`) before anything is stored. A valid application gets its number, its deadline and expected
date by the working-day calendar, the agency's registered and routed card with its files, the first event of its
history, a journal entry and the applicant's notification, in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Sequence, select

from edms.auth.models import Role, User
from edms.citizen_services.catalogue.deadlines import DeadlinePlan
from edms.citizen_services.catalogue.definition import IN_PROGRESS, Channel, ServiceDefinition
from edms.citizen_services.catalogue.registry import get_service
from edms.citizen_services.errors import ServiceUnavailable
from edms.citizen_services.models import Application, ServiceProvider
from edms.citizen_services.operations.agency_card import make_card, number_card
from edms.citizen_services.operations.applicants import BLOCK, Applicant, read_applicant
from edms.citizen_services.operations.common import (
    change_status,
    expected_text,
    facts_json,
    json_values,
    public_number,
    today,
)
from edms.citizen_services.operations.interagency import schedule_needed_requests
from edms.citizen_services.operations.legal_cabinets_sending import check_legal_entity_sender
from edms.citizen_services.operations.submission import Draft, Submission, prepare
from edms.citizen_services.operations.uploads import APPLICATION_ROLE, UploadedFile
from edms.citizen_services.permissions import organization_kind
from edms.citizen_services.queries import active_provider, portal_account_by_snils
from edms.citizen_services.rules.facts import SignatureFacts
from edms.citizen_services.xml_forms import parse_application_xml
from edms.core.calendar import business_calendar
from edms.core.calendar.days import ru
from edms.core.clock import utcnow
from edms.core.db import db, is_postgresql
from edms.core.errors import Forbidden, ValidationFailed
from edms.directory.models import OrganizationKind
from edms.registry.permissions import REGISTRAR_ROLES

#: The next application id (PostgreSQL: the sequence of the id column).
_NEXT_ID = select(Sequence(f'{Application.__tablename__}_id_seq').next_value())
#: Channels where the applicant files in person, with their own account.
SELF_SERVICE = (Channel.portal, Channel.mobile, Channel.xml_upload)
NOT_APPLICANT = 'Подать заявление от своего имени может заявитель с учётной записью портала государственных услуг.'
NOT_OPERATOR = 'Заявление в МФЦ подаёт оператор МФЦ.'
NOT_PARTNER = 'От имени заявителя через партнёрский сервис подаёт организация-партнёр.'
NOT_PAPER = 'Бумажное заявление оцифровывает оператор МФЦ или делопроизводитель ведомства, оказывающего услугу.'


def file_application(
    actor: User,
    service_code: str,
    data: Mapping[str, Any],
    files: Iterable[UploadedFile] = (),
    *,
    channel: str,
    signatures: Iterable[SignatureFacts] = (),
    detached: Mapping[str, bytes] | None = None,
    on_behalf: Mapping[str, Any] | None = None,
    extension: Extension | None = None,
) -> Application:
    """File an application of the service through `channel`. `signatures` are facts the entry point established
    (an SMS confirmation); `detached` maps a signature role to a CMS signature over the file of the slot with the
    same name (the owner's consent), verified here; `extension` files it as the extension of an earlier result.
    `ApplicationInvalid` names every problem and keeps nothing."""
    service = get_service(service_code)
    channel_ = _channel(channel)
    return _file(actor, service, channel_, data, files, signatures, detached or {}, on_behalf, None, extension)


def file_application_xml(
    actor: User,
    service_code: str,
    xml: bytes,
    signature: bytes,
    files: Iterable[UploadedFile] = (),
    *,
    detached: Mapping[str, bytes] | None = None,
) -> Application:
    """File the applicant's КЭП-signed XML: the XML is read by the service's XSD, its detached signature verified
    over the XML's bytes; the XML and its signature become the card's first file."""
    service = get_service(service_code)
    data = parse_application_xml(service, xml)
    signed = {**(detached or {}), APPLICATION_ROLE: signature}
    return _file(actor, service, Channel.xml_upload, data, files, (), signed, None, xml, None)


def _file(
    actor: User,
    service: ServiceDefinition,
    channel: Channel,
    data: Mapping[str, Any],
    files: Iterable[UploadedFile],
    signatures: Iterable[SignatureFacts],
    detached: Mapping[str, bytes],
    on_behalf: Mapping[str, Any] | None,
    xml: bytes | None,
    extension: Extension | None,
) -> Application:
    block = read_applicant(on_behalf)
    provider = active_provider(service.code)
    if provider is None:
        raise ServiceUnavailable(service.title)
    account = check_filer(actor, channel, block, provider)
    draft = Draft(channel, data, utcnow(), tuple(signatures), detached, account, block, xml)
    submission = prepare(service, draft, files)
    check_legal_entity_sender(service, submission, draft.account)
    plan = extension.deadlines if extension is not None else service.deadlines
    application = _new_application(actor, service, provider, draft, submission, plan)
    number = public_number(application)
    card, decision = make_card(application, number, service, submission.uploads, submission.verified, xml)
    # Written with the first event's flush: on PostgreSQL the application's one insert, complete with its files.
    application.number, application.card_id = number, card.id
    db.session.add(application)
    facts = {'service': service.code, 'channel': channel.value, 'card_id': card.id, 'files': len(submission.uploads)}
    comment = expected_text(application)
    if extension is not None:
        application.extends_id = extension.previous.id
        facts |= {'extends': extension.previous.id, 'valid_until': extension.valid_until.isoformat()}
        comment = f'{extension.said(application)} {comment}'
    change_status(actor, application, IN_PROGRESS, 'application.file', comment=comment, facts=facts)
    schedule_needed_requests(application)
    number_card(card, decision, 'application', {'application_id': application.id})
    return application


@dataclass(frozen=True)
class Extension:
    """The application extends the result of `previous` until `valid_until`: filed under the extension's own term
    (`deadlines`), said in its first event."""

    previous: Application
    deadlines: DeadlinePlan
    valid_until: date

    def said(self, application: Application) -> str:
        return (
            f'Продление регистрации по заявлению № {self.previous.number} до {ru(self.valid_until)}: '
            f'срок рассмотрения — {ru(application.deadline)}.'
        )


def _channel(value: str) -> Channel:
    try:
        return Channel(value)
    except ValueError:
        allowed = ', '.join(item.value for item in Channel)
        raise ValidationFailed(fields={'channel': f'«Способ подачи»: допустимо {allowed}.'}) from None


def check_filer(actor: User, channel: Channel, block: Applicant | None, provider: ServiceProvider) -> User | None:
    """The applicant's account when the actor files in their own name (None on someone's behalf); `Forbidden` when
    the actor may not file through this channel; the `on_behalf` block exactly when filing for someone else."""
    kind = organization_kind(actor)
    if channel in SELF_SERVICE:
        if kind != OrganizationKind.portal or not actor.has_role(Role.applicant):
            raise Forbidden(NOT_APPLICANT)
        if block is not None:
            raise ValidationFailed(fields={BLOCK: '«Заявитель»: через портал заявление подаётся от своего имени.'})
        return actor
    operator = kind == OrganizationKind.mfc and actor.has_role(Role.mfc_operator)
    if channel == Channel.mfc and not operator:
        raise Forbidden(NOT_OPERATOR)
    if channel == Channel.partner and kind != OrganizationKind.partner:
        raise Forbidden(NOT_PARTNER)
    if channel == Channel.paper and not (operator or _provider_clerk(actor, provider)):
        raise Forbidden(NOT_PAPER)
    if block is None:
        raise ValidationFailed(fields={BLOCK: '«Заявитель»: укажите, от чьего имени подаётся заявление.'})
    return None


def _provider_clerk(actor: User, provider: ServiceProvider) -> bool:
    return actor.organization_id == provider.organization_id and actor.has_role(*REGISTRAR_ROLES)


def _new_application(
    actor: User,
    service: ServiceDefinition,
    provider: ServiceProvider,
    draft: Draft,
    submission: Submission,
    plan: DeadlinePlan,
) -> Application:
    """The application row with the applicant, the values and the deadlines of `plan`, with the id its number is
    made of (see `_take_id`; the caller sets the number and adds it to the session)."""
    calendar, submitted_on = business_calendar(), today()
    deadline = plan.deadline(calendar, submitted_on)
    expected = plan.expected(calendar, submitted_on)
    applicant = submission.applicant
    account_id = draft.account.id if draft.account is not None else portal_account_by_snils(applicant.snils)
    application = Application(
        service_code=service.code,
        channel=draft.channel,
        status=IN_PROGRESS,
        applicant_user_id=account_id,
        applicant_kind=applicant.kind,
        applicant_name=applicant.name,
        applicant_snils=applicant.snils,
        applicant_inn=applicant.inn,
        filed_by_id=actor.id,
        filed_via_organization_id=None if draft.account is not None else actor.organization_id,
        values=json_values(submission.values),
        signatures=[facts_json(facts) for facts in submission.facts],
        organization=provider.organization,
        organization_id=provider.organization_id,
        submitted_at=draft.sent_at,
        deadline=deadline.date,
        deadline_explanation=deadline.explanation,
        expected_date=expected.date,
        expected_explanation=expected.explanation,
        # Empty collections set now: appending to them later needs no query for what a new row cannot have.
        events=[],
        files=[],
    )
    _take_id(application)
    return application


def _take_id(application: Application) -> None:
    """PostgreSQL: the id from the table's sequence, so the row is inserted once, complete, by the filing's last
    flush (its card, number and files known) instead of inserted first and updated after. Elsewhere (SQLite) the
    row is flushed for its id as before."""
    if is_postgresql():
        application.id = db.session.execute(_NEXT_ID).scalar_one()
    else:
        db.session.add(application)
        db.session.flush()
