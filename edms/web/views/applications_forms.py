"""The application form generated from a `ServiceDefinition`: its sections (groups of fields with their labels), the
widget of each field (a date ДД.ММ.ГГГГ, a choice, yes/no, text), the file slots and the signed documents; reading a
posted form back into the operations' arguments (data by dotted path, files by slot, detached signatures by role, the
applicant's identity block of the MFC form); the values of an accepted application as the form's values again.

Field inputs are named by their dotted path (`applicant.passport.series`), files `files.<slot>`, detached signatures
`signatures.<role>`, the MFC's applicant block `on_behalf.name|snils|inn` — the names the problems use, so each
message lands next to its input. The applicant's SMS confirmation is `sms.phone` (where «Получить код» sends the code,
`applications_sms`) and `sms.code`, confirmed by `file_confirmed` in the filing's transaction; when the form has a
contact phone, the code must have been sent to it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from flask import current_app, request

from edms.auth.confirmation import LIFETIME_SECONDS, CodeRejected
from edms.auth.confirmation_codes import confirm_code, masked, require_code_phone
from edms.auth.models import User
from edms.citizen_services.catalogue.definition import ServiceDefinition
from edms.citizen_services.operations import UploadedFile
from edms.citizen_services.operations.applicants import APPLICANT_FIELDS, BLOCK
from edms.citizen_services.operations.uploads import APPLICATION_ROLE, MAX_SIGNATURE_SIZE
from edms.citizen_services.rules import readers
from edms.citizen_services.rules.facts import SMS, SignatureFacts
from edms.citizen_services.rules.fields import FieldSpec, flatten
from edms.citizen_services.rules.problems import attachment_path, signature_path
from edms.citizen_services.rules.situation import Condition, Requirement
from edms.core.tx import atomic
from edms.notifications.sms import UNAVAILABLE, delivery_mode

FILES, SIGNATURES = 'files.', 'signatures.'
#: The SMS confirmation's inputs: the phone the code goes to, the code typed, the notice that a code was sent.
SMS_PHONE, SMS_CODE, SMS_SENT = 'sms.phone', 'sms.code', 'sms.sent'
OTHER_SECTION = 'Сведения заявления'
YES_NO = (('true', 'Да'), ('false', 'Нет'))
BLOCK_LABELS = {'name': 'ФИО заявителя', 'snils': 'СНИЛС заявителя', 'inn': 'ИНН заявителя'}
FILES_AGAIN = 'Файлы не сохраняются в форме: выберите их снова перед повторной отправкой.'


@dataclass(frozen=True)
class Widget:
    """One input of the form: its name (the field's path), label, kind (date, choice, boolean, email, phone, text),
    the options of a choice, and when it is required (`required` always; `when` a condition's words)."""

    name: str
    label: str
    kind: str
    options: tuple[tuple[str, str], ...] = ()
    required: bool = False
    when: str = ''


@dataclass(frozen=True)
class Section:
    title: str
    widgets: tuple[Widget, ...]


@dataclass(frozen=True)
class Slot:
    """A file slot or a signed document: input name, label, always required or under `when`; `sms` when the
    applicant may confirm it with a one-time code sent to their phone instead of a signature file."""

    name: str
    label: str
    required: bool = False
    when: str = ''
    sms: bool = False
    #: The path its problems carry ('attachments.<slot>', 'signatures.<role>').
    key: str = ''


@dataclass(frozen=True)
class ServiceForm:
    service: ServiceDefinition
    sections: tuple[Section, ...]
    attachments: tuple[Slot, ...]
    signatures: tuple[Slot, ...]

    @property
    def names(self) -> list[str]:
        """Every input name of the form (messages of other names are listed at the top only)."""
        names = [widget.name for section in self.sections for widget in section.widgets]
        sms = [SMS_PHONE, SMS_CODE] if self.sms_slot else []
        return [*names, *(slot.key for slot in (*self.attachments, *self.signatures)), *sms]

    @property
    def sms_slot(self) -> Slot | None:
        """The signed document the applicant may confirm by an SMS code (the application itself), if any."""
        return next((slot for slot in self.signatures if slot.sms), None)

    @property
    def sms_purpose(self) -> str:
        """What the confirmation code of this form is for (`edms.auth.confirmation`)."""
        return f'application:{self.service.code}'

    @property
    def sms_unavailable(self) -> str | None:
        """Why no code can be sent (no SMS gateway configured), or None."""
        return UNAVAILABLE if delivery_mode(current_app.config) is None else None

    @property
    def sms_minutes(self) -> int:
        return LIFETIME_SECONDS // 60


def _requirement(required: Requirement) -> tuple[bool, str]:
    if isinstance(required, Condition):
        return False, required.when
    return bool(required), ''


def widget(spec: FieldSpec) -> Widget:
    required, when = _requirement(spec.required)
    kind, options = 'text', ()
    if spec.read is readers.ru_date:
        kind = 'date'
    elif isinstance(spec.read, readers.Choice):
        kind, options = 'choice', tuple(spec.read.options.items())
    elif spec.read is readers.boolean:
        kind, options = 'choice', YES_NO
    elif spec.read is readers.email:
        kind = 'email'
    elif spec.read is readers.phone:
        kind = 'phone'
    return Widget(spec.path, spec.label, kind, options, required, when)


def _section_of(service: ServiceDefinition, path: str) -> str:
    """The longest group containing the field ('applicant.passport' for 'applicant.passport.series')."""
    groups = [code for code, _ in service.groups if path.startswith(f'{code}.')]
    return max(groups, key=len) if groups else ''


def service_form(service: ServiceDefinition, *, sms_allowed: bool = True) -> ServiceForm:
    """The form of the service: consecutive fields of one group make a section titled with the group's label."""
    sections: list[tuple[str, list[Widget]]] = []
    titles = dict(service.groups)
    for spec in service.fields:
        code = _section_of(service, spec.path)
        if not sections or sections[-1][0] != code:
            sections.append((code, []))
        sections[-1][1].append(widget(spec))
    attachments = tuple(
        Slot(f'{FILES}{spec.kind}', spec.label, *_requirement(spec.required), key=attachment_path(spec.kind))
        for spec in service.attachments
    )
    signatures = tuple(
        Slot(
            f'{SIGNATURES}{spec.role}',
            spec.label,
            *_requirement(spec.required),
            sms=sms_allowed and SMS in spec.methods and spec.role == APPLICATION_ROLE,
            key=signature_path(spec.role),
        )
        for spec in service.signatures
    )
    return ServiceForm(
        service,
        tuple(Section(titles.get(code, OTHER_SECTION), tuple(items)) for code, items in sections),
        attachments,
        signatures,
    )


@dataclass
class Posted:
    """A posted application form: the values as typed (they come back on a refusal) and the operations' inputs."""

    values: dict[str, str]
    data: dict[str, str]
    files: list[UploadedFile]
    detached: dict[str, bytes]
    signatures: list[SignatureFacts]
    on_behalf: dict[str, str] | None
    #: The SMS code typed for the application (None: no code, or the document's signature file was chosen instead).
    sms_code: str | None = None


def read_posted(form: ServiceForm, *, with_block: bool = False) -> Posted:
    """The posted form. Only the applicant's own confirmation of the application (role 'application', e.g. the
    taxpayer cabinet) may be an SMS code — a third party's consent needs its signature file; the code is kept here and
    confirmed by `file_confirmed`, which alone makes the SMS signature fact."""
    service = form.service
    paths = [spec.path for spec in service.fields]
    values = {path: request.form.get(path, '') for path in paths}
    data = {path: value for path, value in values.items() if value.strip()}
    files = [
        UploadedFile(spec.kind, storage.filename or '', storage.stream)
        for spec in service.attachments
        for storage in request.files.getlist(f'{FILES}{spec.kind}')
        if storage.filename
    ]
    detached: dict[str, bytes] = {}
    for slot in form.signatures:
        storage = request.files.get(slot.name)
        if storage is not None and storage.filename:
            # One byte over the limit is enough for the operation to name the file as too large with the rest.
            detached[slot.name[len(SIGNATURES) :]] = storage.stream.read(MAX_SIGNATURE_SIZE + 1)
    sms_code = None
    if form.sms_slot is not None:
        values[SMS_PHONE] = request.form.get(SMS_PHONE, '').strip() or _form_phone(form, values)
        values[SMS_CODE] = request.form.get(SMS_CODE, '').strip()
        if values[SMS_CODE] and form.sms_slot.name[len(SIGNATURES) :] not in detached:
            sms_code = values[SMS_CODE]
    block = None
    if with_block:
        block = {name: request.form.get(f'{BLOCK}.{name}', '').strip() for name in APPLICANT_FIELDS}
        values.update({f'{BLOCK}.{name}': value for name, value in block.items()})
        block = {name: value for name, value in block.items() if value}
    return Posted(values, data, files, detached, [], block, sms_code)


def _form_phone(form: ServiceForm, values: Mapping[str, str]) -> str:
    """The phone typed in the form's own contacts, offered for the SMS."""
    contact = _contact_phone(form, values)
    return contact[1] if contact is not None else ''


def _contact_phone(form: ServiceForm, values: Mapping[str, str]) -> tuple[Widget, str] | None:
    """The first phone input of the form's own fields that has a value, and the value."""
    phones = [widget for section in form.sections for widget in section.widgets if widget.kind == 'phone']
    return next(((item, values[item.name].strip()) for item in phones if values.get(item.name, '').strip()), None)


Filed = TypeVar('Filed')


def file_confirmed(
    user: User, form: ServiceForm, posted: Posted, file: Callable[[list[SignatureFacts]], Filed]
) -> Filed:
    """`file(signatures)` in one transaction, after the posted SMS code (if any) is confirmed: only a confirmed code
    becomes the application's SMS signature fact (with the code's id and masked phone). A code sent to another phone
    than the form's contact phone, or a refused filing, rolls the confirmation back (the code stays usable); a wrong
    code is committed as a spent attempt and raised as `CodeRejected` on `sms.code`."""
    slot = form.sms_slot
    if posted.sms_code is None or slot is None:
        with atomic():
            return file(posted.signatures)
    rejected: CodeRejected | None = None
    with atomic():
        try:
            code = confirm_code(user, form.sms_purpose, posted.sms_code, field=SMS_CODE)
        except CodeRejected as error:
            rejected = error
        else:
            contact = _contact_phone(form, posted.values)
            if contact is not None:
                require_code_phone(code, contact[1], contact[0].name, contact[0].label)
            confirmed = SignatureFacts.sms(
                slot.name[len(SIGNATURES) :], code.used_at or code.created_at, code_id=code.id, phone=masked(code.phone)
            )
            return file([*posted.signatures, confirmed])
    raise rejected


def application_values(service: ServiceDefinition, stored: Mapping[str, Any]) -> dict[str, str]:
    """The stored (normalized) values of an application as the form shows them: dates ДД.ММ.ГГГГ, yes/no as
    'true'/'false' (for the corrected application of a clarification)."""
    flat = flatten(stored)
    values: dict[str, str] = {}
    for spec in service.fields:
        value = flat.get(spec.path)
        if value is None:
            continue
        if isinstance(value, bool):
            values[spec.path] = 'true' if value else 'false'
        elif spec.read is readers.ru_date and isinstance(value, str):
            values[spec.path] = _ru(value)
        else:
            values[spec.path] = str(value)
    return values


def _ru(iso: str) -> str:
    try:
        return date.fromisoformat(iso).strftime('%d.%m.%Y')
    except ValueError:
        return iso


def block_labels() -> dict[str, str]:
    return {f'{BLOCK}.{name}': label for name, label in BLOCK_LABELS.items()}


def requisites(service: ServiceDefinition, stored: Mapping[str, Any]) -> dict[str, str]:
    """The accepted values as the application page shows them: choices by their label, yes/no, dates ДД.ММ.ГГГГ."""
    values = application_values(service, stored)
    shown: dict[str, str] = {}
    for spec in service.fields:
        value = values.get(spec.path)
        if value is None:
            continue
        options = dict(widget(spec).options)
        shown[spec.path] = options.get(value, value)
    return shown
