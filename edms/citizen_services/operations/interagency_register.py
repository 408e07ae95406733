"""The registers an agency answers interagency requests from, and who answers each kind of data.

The tax service keeps ЕГРЮЛ entries (`EgrulEntry`: ОГРН, ИНН, name and the details by the legal-entity cabinet's
field paths); a request for ЕГРЮЛ data reaching it is answered at once, in the register's name, by what the request's
XML names (its ОГРН): the entry's details, or a rejection NO_DATA when the register holds no such ОГРН. The system
administrator names the organization answering each kind of data (`set_interagency_provider`, or
`name_interagency_provider` from a form's raw values) and stops or resumes one answering
(`set_interagency_provider_active`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from edms.audit.operations import record
from edms.auth.models import User
from edms.citizen_services.catalogue.registry import catalogue, get_service
from edms.citizen_services.interagency_kinds import DATA_KINDS, flatten
from edms.citizen_services.interagency_xml import AnswerField, AnswerMessage, RequestMessage
from edms.citizen_services.models.interagency import DATA_KIND_MAX, EgrulEntry, InteragencyProvider
from edms.citizen_services.operations.common import today
from edms.citizen_services.queries.interagency import egrul_entry, keeps_egrul
from edms.core.access import require_system_admin
from edms.core.db import db
from edms.core.errors import ValidationFailed
from edms.core.validation import RawInput
from edms.directory.models import Organization

REGISTER_OFFICIAL = 'Автоматический ответ из ЕГРЮЛ'
EGRUL_SERVICE = 'legal_entity_cabinet'
PROVIDER_FIELDS = ('data_kind', 'organization_id')


def serves_automatically(organization_id: int, message: RequestMessage) -> bool:
    """The responder answers this request from its register without an official."""
    kind = DATA_KINDS.get(message.data_kind)
    return kind is not None and kind.automatic and kind.key == 'egrul' and keeps_egrul(organization_id)


def answer_from_register(organization_id: int, message: RequestMessage, message_id: str) -> AnswerMessage:
    """The ЕГРЮЛ answer to `message`: the entry of the ОГРН it names, or a rejection NO_DATA."""
    ogrn = message.subject.get('ogrn', '')
    entry = egrul_entry(organization_id, ogrn) if ogrn else None
    if entry is None:
        reason = f'В ЕГРЮЛ нет сведений о юридическом лице с ОГРН {ogrn or "(не указан)"}.'
        return AnswerMessage(message_id, message.message_id, rejection_code='NO_DATA', rejection_reason=reason)
    labels = get_service(message.service_code).labels if message.service_code in catalogue else {}
    fields = tuple(
        AnswerField(path, labels.get(path, path)[:500], value[:4000]) for path, value in flatten(entry.record).items()
    )
    return AnswerMessage(
        message_id=message_id,
        to=message.message_id,
        responder=message.responder,
        official_name=REGISTER_OFFICIAL,
        answer_date=today(),
        text=f'Сведения из ЕГРЮЛ о юридическом лице с ОГРН {entry.ogrn}: {entry.name}.',
        fields=fields,
    )


def add_egrul_entry(actor: User | None, organization: Organization, record_values: Mapping[str, Any]) -> EgrulEntry:
    """An entry of the organization's ЕГРЮЛ register (demo data and tests load them); its ОГРН, ИНН and name are read
    from the record ('organization.ogrn', 'organization.inn', 'organization.name')."""
    flat = flatten(record_values)
    ogrn, inn, name = (flat.get(f'organization.{key}', '') for key in ('ogrn', 'inn', 'name'))
    if not (ogrn.isdigit() and len(ogrn) == 13 and inn.isdigit() and len(inn) == 10 and name):
        raise ValidationFailed(fields={'record': '«Запись ЕГРЮЛ»: нужны ОГРН (13 цифр), ИНН (10 цифр) и наименование.'})
    if egrul_entry(organization.id, ogrn) is not None:
        raise ValidationFailed(fields={'record': f'«Запись ЕГРЮЛ»: юридическое лицо с ОГРН {ogrn} уже есть в реестре.'})
    entry = EgrulEntry(
        organization_id=organization.id, ogrn=ogrn, inn=inn, name=name[:1000], record=dict(record_values)
    )
    db.session.add(entry)
    db.session.flush()
    record(actor, 'interagency.egrul_entry.create', entry, {'ogrn': ogrn}, organization_id=organization.id)
    return entry


def set_interagency_provider(actor: User, data_kind: str, organization: Organization) -> InteragencyProvider:
    """Name the organization answering requests for `data_kind` (kept active if already named)."""
    require_system_admin(actor)
    if data_kind not in DATA_KINDS:
        raise ValidationFailed(fields={'data_kind': f'«Вид сведений»: нет вида «{data_kind[:32]}».'})
    query = select(InteragencyProvider).where(
        InteragencyProvider.data_kind == data_kind, InteragencyProvider.organization_id == organization.id
    )
    provider = db.session.execute(query).scalar_one_or_none()
    if provider is None:
        provider = InteragencyProvider(data_kind=data_kind, organization_id=organization.id, is_active=True)
        db.session.add(provider)
    provider.is_active = True
    db.session.flush()
    facts = {'data_kind': data_kind, 'organization_id': organization.id}
    record(actor, 'interagency.provider.set', provider, facts)
    return provider


def name_interagency_provider(actor: User, raw: Mapping[str, Any]) -> InteragencyProvider:
    """`set_interagency_provider` from a form: the kind's key and the id of an active organization, each refusal
    naming its field."""
    require_system_admin(actor)
    form = RawInput(raw, PROVIDER_FIELDS)
    data_kind = form.text('data_kind', 'Вид сведений', required=True, max_length=DATA_KIND_MAX)
    organization_id = form.integer('organization_id', 'Организация', required=True, min_value=1)
    if data_kind and data_kind not in DATA_KINDS:
        form.errors.add('data_kind', f'«Вид сведений»: нет вида «{data_kind}».')
    organization = _answering_organization(form, organization_id)
    form.finish()
    if organization is None:  # finish() raised already when the id was missing or no organization was found
        raise ValidationFailed(fields={'organization_id': '«Организация»: обязательное поле.'})
    return set_interagency_provider(actor, data_kind, organization)


def _answering_organization(form: RawInput, organization_id: int | None) -> Organization | None:
    if not organization_id or 'organization_id' in form.errors.fields:
        return None
    organization = db.session.get(Organization, organization_id)
    if organization is None:
        form.errors.add('organization_id', '«Организация»: организация не найдена.')
    elif not organization.is_active:
        form.errors.add('organization_id', '«Организация»: организация отключена.')
    return organization


def set_interagency_provider_active(actor: User, provider: InteragencyProvider, is_active: bool) -> InteragencyProvider:
    """Stop the organization answering its kind of data, or let it answer again (requests then go to the first
    active provider of the kind, or are not sent)."""
    require_system_admin(actor)
    if provider.is_active == is_active:
        return provider
    provider.is_active = is_active
    db.session.flush()
    facts = {'data_kind': provider.data_kind, 'organization_id': provider.organization_id, 'is_active': is_active}
    record(actor, 'interagency.provider.update', provider, facts)
    return provider
