"""The life of an application after filing: the official asks for a clarification (the clock stops), the applicant
resubmits the corrected application (checked again; the deadline moves by the service's rule and says how), the
official approves (the result document attached to the card; a term-limited result gets its validity,
`stay_validity.issue_validity`) or refuses with reasons from the service's list.

Each step locks the application, checks its status, and goes through `change_status`: the event in the history,
the journal entry and the applicant's notification. Who may act: `permissions.require_official` for the agency's
decisions, `permissions.require_applicant_side` for the resubmission.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import select

from edms.audit.operations import record
from edms.auth.models import User
from edms.citizen_services.catalogue.deadlines import DeadlinePlan
from edms.citizen_services.catalogue.definition import (
    CLARIFICATION_REQUIRED,
    DONE,
    IN_PROGRESS,
    REFUSED,
    Channel,
    ServiceDefinition,
)
from edms.citizen_services.errors import ApplicationStateConflict
from edms.citizen_services.models import TEXT_MAX, Application
from edms.citizen_services.operations.agency_card import add_files, attach_result
from edms.citizen_services.operations.applicants import Applicant
from edms.citizen_services.operations.common import (
    AgencyActor,
    change_status,
    facts_from_json,
    facts_json,
    json_values,
    service_of,
    today,
)
from edms.citizen_services.operations.legal_cabinets_sending import check_legal_entity_sender
from edms.citizen_services.operations.outcomes import bring_about
from edms.citizen_services.operations.stay_validity import issue_validity
from edms.citizen_services.operations.submission import Draft, Kept, Submission, prepare
from edms.citizen_services.operations.uploads import APPLICATION_ROLE, UploadedFile
from edms.citizen_services.permissions import files_on_behalf, require_applicant_side, require_official
from edms.citizen_services.rules.facts import SignatureFacts
from edms.citizen_services.xml_forms import parse_application_xml
from edms.core.calendar import business_calendar
from edms.core.calendar.days import ru
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.errors import ValidationFailed
from edms.core.filetypes import PDF
from edms.core.validation import RawInput
from edms.registry.errors import CardStateConflict
from edms.registry.models import Card
from edms.registry.operations.execution import mark_executed


def lock_application(application: Application) -> None:
    """Re-read the application under a row lock: two officials (or a double click) cannot decide it twice."""
    db.session.execute(select(Application.id).where(Application.id == application.id).with_for_update())
    db.session.refresh(application)


def _require_status(application: Application, allowed: Sequence[str], message: str) -> None:
    if application.status not in allowed:
        raise ApplicationStateConflict(message)


def _text(value: Any, name: str, label: str, *, required: bool) -> str:
    form = RawInput({name: value})
    text = form.text(name, label, required=required, max_length=TEXT_MAX)
    form.finish()
    return text


def request_clarification(official: User, application: Application, text: str) -> Application:
    """Ask the applicant to correct the application: status «Требуется уточнение», the clock stops today."""
    require_official(official, application)
    lock_application(application)
    _require_status(application, (IN_PROGRESS,), 'Уточнение запрашивается только по заявлению в обработке.')
    text = _text(text, 'text', 'Что нужно уточнить', required=True)
    application.clarification_text, application.clarification_requested_on = text, today()
    change_status(official, application, CLARIFICATION_REQUIRED, 'application.clarification', comment=text)
    return application


def resubmit(
    actor: User,
    application: Application,
    data: Mapping[str, Any],
    files: Iterable[UploadedFile] = (),
    *,
    signatures: Iterable[SignatureFacts] = (),
    detached: Mapping[str, bytes] | None = None,
) -> Application:
    """The corrected application: `data` whole, `files` replacing the files of the slots they fill (other slots keep
    theirs), signature facts and detached signatures as at filing (roles not sent again keep their facts).
    An application filed as XML is corrected by a new signed XML (`resubmit_xml`)."""
    if application.channel == Channel.xml_upload:
        message = '«XML-файл заявления»: заявление, поданное в формате XML, исправляется новым подписанным XML-файлом.'
        raise ValidationFailed(fields={'xml': message})
    return _resubmit(actor, application, data, files, tuple(signatures), detached or {}, None)


def resubmit_xml(
    actor: User,
    application: Application,
    xml: bytes,
    signature: bytes,
    files: Iterable[UploadedFile] = (),
    *,
    detached: Mapping[str, bytes] | None = None,
) -> Application:
    """The corrected application as a new КЭП-signed XML."""
    data = parse_application_xml(service_of(application), xml)
    return _resubmit(actor, application, data, files, (), {**(detached or {}), APPLICATION_ROLE: signature}, xml)


def _resubmit(
    actor: User,
    application: Application,
    data: Mapping[str, Any],
    files: Iterable[UploadedFile],
    signatures: tuple[SignatureFacts, ...],
    detached: Mapping[str, bytes],
    xml: bytes | None,
) -> Application:
    require_applicant_side(actor, application)
    lock_application(application)
    _require_status(application, (CLARIFICATION_REQUIRED,), 'Исправленное заявление принимается по запросу уточнения.')
    service = service_of(application)
    kept = Kept(tuple(application.current_files), tuple(facts_from_json(item) for item in application.signatures))
    stored = Applicant(
        application.applicant_kind, application.applicant_name, application.applicant_snils, application.applicant_inn
    )
    account = application.applicant_user
    draft = Draft(Channel(application.channel), data, utcnow(), signatures, detached, account, stored, xml, kept)
    submission = prepare(service, draft, files)
    # Whoever resubmits in their own name is held to the cabinet's «send» as at filing: a member who filed and has
    # since left the legal entity's cabinet or lost the right may no longer correct its application.
    check_legal_entity_sender(service, submission, None if files_on_behalf(actor) else actor)
    _replace_files(application, service, submission, draft)
    previous = application.deadline
    _move_deadlines(application, service)
    facts = {'previous_deadline': previous.isoformat(), 'deadline': application.deadline.isoformat()}
    comment = application.deadline_explanation
    change_status(actor, application, IN_PROGRESS, 'application.resubmit', comment=comment, facts=facts)
    return application


def _replace_files(application: Application, service: ServiceDefinition, submission: Submission, draft: Draft) -> None:
    sent = {upload.kind for upload in submission.uploads}
    for row in application.current_files:
        if row.kind in sent:
            row.replaced_at = draft.sent_at
    card = db.session.get(Card, application.card_id)
    if card is not None:
        actor = cast(User, AgencyActor(application.organization_id))
        note = f' (исправленное заявление от {ru(today())})'
        add_files(actor, card, application, service, submission.uploads, submission.verified, draft.xml, note=note)
    applicant = submission.applicant
    application.applicant_name, application.applicant_snils = applicant.name, applicant.snils
    application.applicant_inn = applicant.inn
    application.values = json_values(submission.values)
    application.signatures = [facts_json(facts) for facts in submission.facts]


def _deadline_plan(application: Application, service: ServiceDefinition) -> DeadlinePlan:
    """The term the application runs under: an extension's own (24 hours for temporary registration), else the
    service's."""
    extension = service.validity.extension if service.validity is not None else None
    return extension.deadlines if application.extends_id is not None and extension is not None else service.deadlines


def _move_deadlines(application: Application, service: ServiceDefinition) -> None:
    """The clock ran until the clarification was requested and runs again from today (`after_clarification`)."""
    calendar, requested = business_calendar(), application.clarification_requested_on or today()
    plan = _deadline_plan(application, service)
    deadline = plan.after_clarification(calendar, application.deadline, requested, today())
    expected = plan.after_clarification(calendar, application.expected_date, requested, today())
    application.deadline, application.deadline_explanation = deadline.date, deadline.explanation
    application.expected_date, application.expected_explanation = expected.date, expected.explanation
    application.clarification_requested_on = None


def approve(
    official: User, application: Application, result_pdf: bytes | None = None, *, comment: str = ''
) -> Application:
    """The service is provided: status «done» (the service's own word), the result PDF attached to the card when
    given. Seam: the next slice renders the result when none is given and signs it with PAdES (see
    `agency_card.attach_result`)."""
    require_official(official, application)
    lock_application(application)
    _require_status(application, (IN_PROGRESS,), 'Одобрить можно только заявление в обработке.')
    comment = _text(comment, 'comment', 'Комментарий', required=False)
    service = service_of(application)
    facts: dict[str, Any] = {}
    if result_pdf is not None:
        card = db.session.get(Card, application.card_id)
        attachment = attach_result(official, application, cast(Card, card), result_pdf, service.result.title)
        if attachment.content_type != PDF:
            raise ValidationFailed(fields={'result': f'«{service.result.title}»: ожидается файл PDF.'})
        application.result_attachment_id = attachment.id
        facts['result_attachment_id'] = attachment.id
    application.decided_at = utcnow()
    change_status(official, application, DONE, 'application.approve', comment=comment, facts=facts)
    issue_validity(official, application)
    bring_about(official, application)
    close_card(official, application)
    return application


def refuse(official: User, application: Application, reasons: str | Sequence[str], comment: str = '') -> Application:
    """Refuse with every reason named (codes of the service's list, at least one) and the official's comment."""
    require_official(official, application)
    lock_application(application)
    allowed = (IN_PROGRESS, CLARIFICATION_REQUIRED)
    _require_status(application, allowed, 'Отказать можно только по заявлению в обработке или на уточнении.')
    service = service_of(application)
    codes = _reason_codes(service, reasons)
    comment = _text(comment, 'comment', 'Комментарий', required=False)
    texts = '; '.join(service.refusal_reason(code).text for code in codes)
    application.refusal_reasons, application.refusal_comment = codes, comment or None
    application.decided_at, application.clarification_requested_on = utcnow(), None
    text = f'Причины отказа: {texts}.' + (f' {comment}' if comment else '')
    change_status(official, application, REFUSED, 'application.refuse', comment=text, facts={'reasons': codes})
    close_card(official, application)
    return application


def close_card(official: User, application: Application) -> bool:
    """The decided application's card is executed in the official's name (the registry journals it); True if it
    changed. A card the registry does not let close (a draft, a cancelled card) stays, with a journal entry why."""
    card = db.session.get(Card, application.card_id) if application.card_id else None
    if card is None:
        return False
    try:
        return mark_executed(official, card)
    except CardStateConflict as error:
        facts = {'number': application.number, 'card_id': card.id, 'card_status': card.status.value}
        facts['reason'] = error.message
        record(official, 'application.card_not_closed', application, facts, organization_id=application.organization_id)
        return False


def _reason_codes(service: ServiceDefinition, reasons: str | Sequence[str]) -> list[str]:
    items = [reasons] if isinstance(reasons, str) else list(reasons) if isinstance(reasons, list | tuple) else []
    known = {reason.code for reason in service.refusal_reasons}
    if not items or any(not isinstance(item, str) or item not in known for item in items):
        allowed = ', '.join(sorted(known))
        message = f'«Причины отказа»: одна или несколько причин из перечня услуги ({allowed}).'
        raise ValidationFailed(fields={'reasons': message})
    return list(dict.fromkeys(items))
