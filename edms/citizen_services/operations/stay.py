"""The life of an issued term-limited result (temporary registration's certificate, or any service whose definition
has a `validity`): the extension, the applicant's request to end it early, the official's annulment with a reason
of the service's list and a comment (the result then reads «Аннулировано с … по причине …»; the applicant's side is
told; an annulled result cannot be extended).

An extension is a new application of the same service, prefilled from the previous one: the new period starts the
day after the previous end (for a registration already expired — seed 001 offers «Продление» after the end too — the
day the extension is filed, never in the past) and ends on the date the applicant gives; the files are carried over
except the slots the service renews (the owner's consent, with its signature); the whole application goes through
the service's own rules at filing (`file_application`: the 90 days, the consent's signature valid when sent and not
older than 30 days before the new start), so the rules live in one place. It is decided within the extension's own
term; its approval issues the new certificate and marks the previous one «Продлено» (`stay_validity.issue_validity`).
Only a valid or an expired result (not annulled, not already extended, no extension pending) can be extended; the
early end and the annulment need a valid one.
"""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from edms.auth.models import User
from edms.citizen_services.catalogue.definition import Channel, ResultValidity
from edms.citizen_services.errors import ApplicationInvalid, ApplicationNotFound, ApplicationStateConflict
from edms.citizen_services.models import TEXT_MAX, Application
from edms.citizen_services.models.applications import ResultState
from edms.citizen_services.operations.common import service_of, today
from edms.citizen_services.operations.decisions import lock_application
from edms.citizen_services.operations.filing import Extension, file_application
from edms.citizen_services.operations.signed_results import sign_annulment_notice
from edms.citizen_services.operations.stay_validity import result_event
from edms.citizen_services.operations.uploads import UploadedFile
from edms.citizen_services.permissions import (
    files_on_behalf,
    organization_kind,
    require_applicant_side,
    require_official,
)
from edms.citizen_services.queries.stay import EXPIRED, pending_extension, state_note, state_on
from edms.citizen_services.results import Annulment
from edms.citizen_services.rules.facts import SignatureFacts
from edms.core.blobs import blob_store
from edms.core.calendar.days import ru
from edms.core.clock import utcnow
from edms.core.errors import ValidationFailed
from edms.core.validation import RawInput
from edms.directory.models import OrganizationKind
from edms.signatures.credentials import CERTIFICATE, CERTIFICATE_LABEL, PASSWORD, PASSWORD_LABEL

#: The extension form's field of the new last day.
END_DATE = 'end_date'
END_LABEL = 'Новая дата окончания'
ISO_DATE = re.compile(r'\d{4}-\d{2}-\d{2}')
#: The signed notice of an annulment on the applicant's side (the web route `stay.annulment_notice_file`).
NOTICE_URL = '/stay/applications/{id}/annulment-notice'
NOTICE_TEXT = 'Уведомление об аннулировании, подписанное должностным лицом, доступно для скачивания.'


def term_limited(application: Application) -> ResultValidity:
    validity = service_of(application).validity
    if validity is None or application.result_state is None:
        raise ApplicationStateConflict('У результата этой услуги нет срока действия.')
    return validity


def require_valid(application: Application, doing: str) -> None:
    """The result is valid today; otherwise a conflict saying why «doing» is impossible."""
    state = state_on(application, today())
    if state == ResultState.valid.value:
        return
    why = {
        ResultState.annulled.value: 'регистрация аннулирована',
        ResultState.extended.value: 'регистрация уже продлена',
        EXPIRED: 'срок регистрации истёк',
    }.get(state or '', 'результат не выдан')
    raise ApplicationStateConflict(f'{doing} нельзя: {why}.')


def require_extendable(application: Application) -> None:
    """The result may be extended: valid today or expired (not annulled, not already extended)."""
    if state_on(application, today()) != EXPIRED:
        require_valid(application, 'Продлить регистрацию')


def request_extension(
    actor: User,
    previous: Application,
    raw: Mapping[str, Any],
    files: Iterable[UploadedFile] = (),
    *,
    signatures: Iterable[SignatureFacts] = (),
    detached: Mapping[str, bytes] | None = None,
) -> Application:
    """File the extension of `previous`'s result until `raw['end_date']` (ДД.ММ.ГГГГ) with the renewed files and
    signatures; the applicant files through the portal, an MFC or a partner for them. Returns the new application."""
    require_applicant_side(actor, previous)
    lock_application(previous)
    validity = term_limited(previous)
    if validity.extension is None:
        raise ApplicationStateConflict('Результат этой услуги не продлевается.')
    require_extendable(previous)
    if pending_extension(previous) is not None:
        raise ApplicationStateConflict('Заявление о продлении уже подано и ещё не рассмотрено.')
    start, end = _new_period(previous, raw)
    data = _prefilled(previous, validity, start, end)
    uploads = [*files]
    sent = {upload.kind for upload in uploads}
    uploads += _carried_files(previous, sent | set(validity.extension.renewed))
    channel, on_behalf = _channel_of(actor, previous)
    extension = Extension(previous, validity.extension.deadlines, end)
    try:
        application = file_application(
            actor,
            previous.service_code,
            data,
            uploads,
            channel=channel,
            signatures=signatures,
            detached=detached,
            on_behalf=on_behalf,
            extension=extension,
        )
    except ApplicationInvalid as error:
        raise _on_the_form(error, validity) from None
    text = f'Подано заявление № {application.number} о продлении регистрации до {ru(end)}.'
    result_event(actor, previous, 'application.extension_requested', text, {'extension': application.id})
    return application


def _new_period(previous: Application, raw: Mapping[str, Any]) -> tuple[date, date]:
    form = RawInput(raw, (END_DATE,))
    end = form.date(END_DATE, END_LABEL, required=True)
    form.finish()
    if end is None or previous.valid_until is None:
        raise ValidationFailed(fields={END_DATE: f'«{END_LABEL}»: обязательное поле.'})
    start = max(previous.valid_until + timedelta(days=1), today())
    if end <= previous.valid_until:
        message = f'«{END_LABEL}»: позже окончания действующей регистрации ({ru(previous.valid_until)}).'
        raise ValidationFailed(fields={END_DATE: message})
    if end < start:
        message = f'«{END_LABEL}»: не раньше начала нового срока ({ru(start)}, день подачи заявления).'
        raise ValidationFailed(fields={END_DATE: message})
    return start, end


def _prefilled(previous: Application, validity: ResultValidity, start: date, end: date) -> dict[str, Any]:
    """The previous application's values as input (dates as dates), the new period written into its paths."""
    data = _as_input(previous.values)
    for path, day in ((validity.start, start), (validity.end, end)):
        node = data
        *parents, last = path.split('.')
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = day
    return data


def _as_input(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _as_input(item) for key, item in value.items()}
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        return date.fromisoformat(value)
    return value


def _carried_files(previous: Application, skipped: set[str]) -> list[UploadedFile]:
    """The previous application's current files of the slots neither sent now nor renewed, as new uploads."""
    carried = []
    for row in previous.current_files:
        if row.kind in skipped:
            continue
        with blob_store().open_verified(row.sha256) as stream:
            carried.append(UploadedFile(row.kind, row.filename, io.BytesIO(stream.read())))
    return carried


def _channel_of(actor: User, previous: Application) -> tuple[str, dict[str, Any] | None]:
    """The applicant extends through the portal; an MFC operator or a partner for the applicant of `previous`."""
    if previous.applicant_user_id is not None and previous.applicant_user_id == actor.id:
        return Channel.portal.value, None
    if not files_on_behalf(actor):
        raise ApplicationNotFound()
    channel = Channel.mfc if organization_kind(actor) == OrganizationKind.mfc else Channel.partner
    block = {'name': previous.applicant_name, 'snils': previous.applicant_snils or '', 'inn': previous.applicant_inn}
    return channel.value, {key: value for key, value in block.items() if value}


def _on_the_form(error: ApplicationInvalid, validity: ResultValidity) -> ApplicationInvalid:
    """The problems of the new period are the extension form's «new end date»."""
    problems = [
        dataclasses.replace(problem, field=END_DATE) if problem.field in (validity.start, validity.end) else problem
        for problem in error.problems
    ]
    return ApplicationInvalid(problems)


def request_early_end(actor: User, application: Application, comment: Any = '') -> Application:
    """The applicant asks to end a valid result early (deregistration before the end); the agency's officials who
    acted on the application are told, and one of them annuls it."""
    require_applicant_side(actor, application)
    lock_application(application)
    validity = term_limited(application)
    require_valid(application, 'Сняться с учёта досрочно')
    if application.early_end_requested_at is not None:
        raise ApplicationStateConflict('Заявление о досрочном снятии с учёта уже подано.')
    form = RawInput({'comment': comment})
    text = form.text('comment', 'Комментарий', max_length=TEXT_MAX)
    form.finish()
    application.early_end_requested_at, application.early_end_comment = utcnow(), text or None
    note = 'Заявитель просит снять его с учёта досрочно' + (f': {text}' if text else '.')
    officials = {
        event.actor.id
        for event in application.events
        if event.actor is not None and event.actor.organization_id == application.organization_id
    }
    facts = {'reason': validity.applicant_request}
    result_event(actor, application, 'application.early_end_requested', note, facts, recipients=officials)
    return application


def annul(
    official: User, application: Application, reason: Any, comment: Any = '', *, certificate_id: Any, password: Any
) -> Application:
    """The official annuls a valid result from today for a reason of the service's list, with a comment, and signs
    «Уведомление об аннулировании…» with their certificate (`certificate_id`, the container's `password`): the notice
    is kept on the agency's card, the applicant's side is told and downloads it. A refused certificate or password
    names its field and, raised before the caller's commit, leaves the result valid."""
    require_official(official, application)
    lock_application(application)
    validity = term_limited(application)
    form = RawInput({'reason': reason, 'comment': comment, CERTIFICATE: certificate_id, PASSWORD: password})
    codes = [item.code for item in validity.annulment_reasons]
    if reason not in codes:
        form.errors.add('reason', f'«Причина аннулирования»: выберите причину из перечня ({", ".join(codes)}).')
    text = form.text('comment', 'Комментарий', max_length=TEXT_MAX)
    certificate = form.integer(CERTIFICATE, CERTIFICATE_LABEL.strip('«»'), required=True, min_value=1)
    if not isinstance(password, str) or not password:
        form.errors.add(PASSWORD, f'{PASSWORD_LABEL}: введите пароль.')
    form.finish()
    require_valid(application, 'Аннулировать регистрацию')
    application.result_state, application.annulled_on = ResultState.annulled, today()
    application.annulled_at, application.annulled_by_id = utcnow(), official.id
    application.annulment_reason, application.annulment_comment = str(reason), text or None
    annulment = Annulment(application.annulled_on, validity.annulment_reason(str(reason)).text, text or None)
    notice = sign_annulment_notice(official, application, annulment, certificate, str(password))
    application.annulment_notice_attachment_id = notice.id
    note = state_note(application, validity)
    facts = {
        'reason': reason,
        'annulled_on': application.annulled_on.isoformat(),
        'notice_attachment_id': notice.id,
    }
    url = NOTICE_URL.format(id=application.id)
    result_event(official, application, 'application.annul', f'{note} {NOTICE_TEXT}', facts, url=url)
    return application
