"""Legal entities' cabinets (seed 000): the cabinet comes into being when its registration application is approved,
with the head as its first administrator; its members change its contacts («edit») and file applications on the
legal entity's behalf («send»). Staff management lives in `legal_cabinets_staff`.

The head's portal account is the portal account holding the head's СНИЛС, else the head's personal ИНН (as the
application names them), else the applicant account when it is the head's own (the same СНИЛС or personal ИНН): the
account that filed the registration may be an employee's, who gets nothing from it. Without the head's account the
approval is refused (seed 000: no cabinet without the head's account).
A second approval for an ОГРН that already has a cabinet re-binds it: the requisites are refreshed from the new
application, which becomes the cabinet's application, and its head becomes (or stays) an administrator with every
right; the other members stay. Its application was checked like the first (the head's qualified signature naming the
organization, the registry comparison), so the new head is as legitimate as the first one — a new director.

Every action is recorded in the audit journal on the cabinet (`legal_cabinet.*`), which is the cabinet's journal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from edms.audit.operations import changes, record
from edms.auth.models import User
from edms.citizen_services.catalogue.definition import ServiceDefinition
from edms.citizen_services.catalogue.registry import get_service
from edms.citizen_services.models import Application
from edms.citizen_services.models.legal_cabinets import (
    DEFAULT_RIGHTS,
    LegalCabinetMember,
    LegalCabinetRight,
    LegalCabinetRole,
    LegalEntityCabinet,
)
from edms.citizen_services.operations.filing import file_application, file_application_xml
from edms.citizen_services.operations.outcomes import on_approved
from edms.citizen_services.operations.uploads import UploadedFile
from edms.citizen_services.queries.legal_cabinets import (
    legal_cabinet_by_ogrn,
    portal_account,
    require_legal_cabinet_right,
)
from edms.citizen_services.rules import readers
from edms.citizen_services.rules.facts import SignatureFacts
from edms.citizen_services.rules.fields import flatten
from edms.citizen_services.xml_forms import parse_application_xml
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.errors import Conflict, ValidationFailed
from edms.core.validation import RawInput

SERVICE_CODE = 'legal_entity_cabinet'
NO_HEAD_ACCOUNT = (
    'Кабинет организации не может быть создан: у руководителя нет учётной записи портала государственных услуг '
    '(не найдена по СНИЛС и ИНН руководителя). Без учётной записи руководителя кабинет не оформляется.'
)
DETAIL_FIELDS = ('legal_address', 'phone', 'email')
ADDRESS_PARTS = ('postal_code', 'region', 'locality', 'street', 'house', 'building', 'apartment')
ADDRESS_WORDS = {'house': 'д. {}', 'building': 'корп. {}', 'apartment': 'кв./оф. {}'}


def audit(actor: User, action: str, cabinet: LegalEntityCabinet, data: dict[str, Any]) -> None:
    """One entry of the cabinet's journal."""
    record(actor, f'legal_cabinet.{action}', cabinet, {'ogrn': cabinet.ogrn, **data})


def format_address(address: Mapping[str, Any]) -> str:
    """«101000, г. Москва, Москва, ул. Мясницкая, д. 10, кв./оф. 5» from an application's address block."""
    parts = []
    for name in ADDRESS_PARTS:
        value = str(address.get(name) or '').strip()
        if value:
            parts.append(ADDRESS_WORDS.get(name, '{}').format(value))
    return ', '.join(parts)


def _requisites(values: Mapping[str, Any]) -> dict[str, Any]:
    organization = values.get('organization') or {}
    return {
        'ogrn': organization['ogrn'],
        'inn': organization['inn'],
        'kpp': organization.get('kpp') or None,
        'name': organization['name'],
        'legal_form': organization['legal_form'],
        'legal_address': format_address(organization.get('legal_address') or {}),
    }


@on_approved(SERVICE_CODE)
def open_legal_cabinet(official: User, application: Application) -> LegalEntityCabinet:
    """Create (or re-bind) the legal entity's cabinet with the head as an administrator; `Conflict` when the head
    has no portal account (the approval is then not made)."""
    head_id = head_account(application)
    if head_id is None:
        raise Conflict(NO_HEAD_ACCOUNT)
    requisites = _requisites(application.values)
    cabinet = legal_cabinet_by_ogrn(requisites['ogrn'], lock=True)
    facts: dict[str, Any] = {'application': application.number, 'head_user_id': head_id}
    if cabinet is None:
        cabinet = LegalEntityCabinet(**requisites, application_id=application.id)
        db.session.add(cabinet)
        action = 'create'
    else:
        before = {name: getattr(cabinet, name) for name in requisites}
        for name, value in requisites.items():
            setattr(cabinet, name, value)
        cabinet.application_id, cabinet.updated_at = application.id, utcnow()
        action, facts['changes'] = 'rebind', changes(before, requisites)
    db.session.flush()
    make_administrator(official, cabinet, head_id)
    audit(official, action, cabinet, facts)
    return cabinet


def head_account(application: Application) -> int | None:
    """The portal account of the head the application names: by the head's СНИЛС, else personal ИНН; else the
    applicant account when it holds that СНИЛС or ИНН; None when the head has none."""
    head = application.values.get('head') or {}
    snils, inn = head.get('snils') or None, head.get('inn') or None
    found = portal_account(snils, inn)
    if found is not None or application.applicant_user_id is None:
        return found
    applicant = db.session.get(User, application.applicant_user_id)
    if applicant is not None and ((snils and applicant.snils == snils) or (inn and applicant.inn == inn)):
        return applicant.id
    return None


def make_administrator(actor: User, cabinet: LegalEntityCabinet, user_id: int) -> LegalCabinetMember:
    """The account as an active administrator with every right (a removed or lesser membership is raised)."""
    member = next((row for row in cabinet.members if row.user_id == user_id), None)
    if member is None:
        member = LegalCabinetMember(user_id=user_id, role=LegalCabinetRole.administrator)
        cabinet.members.append(member)
    member.role, member.removed_at = LegalCabinetRole.administrator, None
    member.added_by_id, member.added_at = actor.id, utcnow()
    member.set_rights(DEFAULT_RIGHTS[LegalCabinetRole.administrator])
    db.session.flush()
    return member


def _reader_check(read: Callable[[Any, str], Any]) -> Callable[[str, str], str | None]:
    """A citizen-services field reader as a `RawInput.checked` checker (its message, or None)."""

    def check(value: str, label: str) -> str | None:
        try:
            read(value, label)
        except readers.Invalid as error:
            return error.message
        return None

    return check


def update_legal_cabinet(
    actor: User, cabinet: LegalEntityCabinet, member: LegalCabinetMember, raw: Mapping[str, Any]
) -> LegalEntityCabinet:
    """Change the cabinet's details (legal address, phone, e-mail): the «edit» right."""
    require_legal_cabinet_right(member, LegalCabinetRight.edit)
    form = RawInput(raw, DETAIL_FIELDS)
    address = form.text('legal_address', 'Юридический адрес', required=True, max_length=1000)
    phone = form.checked('phone', 'Телефон', _reader_check(readers.phone), required=False)
    email = form.checked('email', 'Электронная почта', _reader_check(readers.email), required=False)
    form.finish()
    after = {'legal_address': address, 'phone': readers.phone(phone, 'Телефон') if phone else '', 'email': email}
    before = {name: getattr(cabinet, name) for name in DETAIL_FIELDS}
    for name, value in after.items():
        setattr(cabinet, name, value)
    cabinet.updated_at = utcnow()
    db.session.flush()
    audit(actor, 'update', cabinet, {'changes': changes(before, after)})
    return cabinet


def file_for_legal_cabinet(
    actor: User,
    cabinet: LegalEntityCabinet,
    member: LegalCabinetMember,
    service_code: str,
    data: Mapping[str, Any],
    files: Iterable[UploadedFile] = (),
    *,
    signatures: Iterable[SignatureFacts] = (),
    detached: Mapping[str, bytes] | None = None,
) -> Application:
    """File an application of a legal entity's service on the cabinet's behalf: the «send» right, a service whose
    applicant is a legal entity, and the cabinet's ИНН as the applicant's."""
    service = _sending_service(member, service_code)
    _require_cabinet_inn(cabinet, service, data)
    application = file_application(
        actor, service.code, data, files, channel='portal', signatures=signatures, detached=detached
    )
    audit(actor, 'send', cabinet, {'application': application.number, 'service': service.code})
    return application


def file_xml_for_legal_cabinet(
    actor: User,
    cabinet: LegalEntityCabinet,
    member: LegalCabinetMember,
    service_code: str,
    xml: bytes,
    signature: bytes,
    files: Iterable[UploadedFile] = (),
    *,
    detached: Mapping[str, bytes] | None = None,
) -> Application:
    """The same as `file_for_legal_cabinet` with the КЭП-signed XML of the application (the qualified signature of a
    legal entity's service reaches the API only this way)."""
    service = _sending_service(member, service_code)
    _require_cabinet_inn(cabinet, service, parse_application_xml(service, xml))
    application = file_application_xml(actor, service.code, xml, signature, files, detached=detached)
    audit(actor, 'send', cabinet, {'application': application.number, 'service': service.code})
    return application


def _sending_service(member: LegalCabinetMember, service_code: str) -> ServiceDefinition:
    """The service, when the member holds «send» and the service's applicant is a legal entity."""
    require_legal_cabinet_right(member, LegalCabinetRight.send)
    service = get_service(service_code)
    if service.applicant.kind != 'legal_entity' or service.applicant.inn is None:
        raise ValidationFailed(fields={'service': f'«Услуга»: «{service.title}» не подаётся от имени организации.'})
    return service


def _require_cabinet_inn(cabinet: LegalEntityCabinet, service: ServiceDefinition, data: Mapping[str, Any]) -> None:
    path = service.applicant.inn or ''
    if flatten(data).get(path) != cabinet.inn:
        label = next((spec.label for spec in service.fields if spec.path == path), 'ИНН')
        message = f'«{label}»: от имени организации кабинета заявление подаётся с её ИНН ({cabinet.inn}).'
        raise ValidationFailed(fields={path: message})
