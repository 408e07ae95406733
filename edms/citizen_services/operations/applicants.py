"""Who the applicant is: named by the application's own fields where the service has them (`ServiceDefinition.
applicant`), else by the applicant's portal account, else by the block an MFC operator or a partner sends when filing
on the applicant's behalf (`read_applicant`).

    block = read_applicant({'name': 'Петров Пётр Петрович', 'snils': '112-233-445 95'})
    applicant = applicant_of(service, checked.values, account=None, block=block)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from edms.auth.models import User
from edms.citizen_services.catalogue.definition import ServiceDefinition
from edms.citizen_services.models import APPLICANT_NAME_MAX, ApplicantKind
from edms.citizen_services.rules.fields import value_at
from edms.citizen_services.rules.problems import REQUIRED, Problem
from edms.core.errors import ValidationFailed
from edms.core.identifiers import check_inn_legal, check_inn_person, check_snils, normalize_snils
from edms.core.validation import RawInput

APPLICANT_FIELDS = ('name', 'snils', 'inn')
#: The block's name in inputs and error paths (`applicant.*` are the services' own fields).
BLOCK = 'on_behalf'


@dataclass(frozen=True)
class Applicant:
    kind: ApplicantKind
    name: str
    snils: str | None = None
    inn: str | None = None


def read_applicant(raw: Mapping[str, Any] | None) -> Applicant | None:
    """The `on_behalf` block of a filing for someone else: name, СНИЛС, ИНН (each optional; the application's own
    fields come first); `ValidationFailed` naming each wrong field as 'on_behalf.<field>'."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise ValidationFailed(fields={BLOCK: '«Заявитель»: ожидается объект {name, snils, inn}.'})
    form = RawInput(raw, APPLICANT_FIELDS)
    name = form.text('name', 'Заявитель: ФИО или наименование', max_length=APPLICANT_NAME_MAX)
    snils = form.checked('snils', 'Заявитель: СНИЛС', check_snils, required=False)
    inn = form.text('inn', 'Заявитель: ИНН', max_length=12)
    if inn and check_inn_person(inn) and check_inn_legal(inn):
        form.errors.add('inn', '«Заявитель: ИНН»: 10 цифр организации или 12 цифр физического лица с контрольными.')
    if form.errors:
        raise ValidationFailed(fields={f'{BLOCK}.{key}': text for key, text in form.errors.fields.items()})
    kind = ApplicantKind.legal_entity if len(inn) == 10 else ApplicantKind.person
    return Applicant(kind, ' '.join(name.split()), normalize_snils(snils) if snils else None, inn or None)


def applicant_of(
    service: ServiceDefinition, values: Mapping[str, Any], *, account: User | None, block: Applicant | None
) -> tuple[Applicant, list[Problem]]:
    """The applicant of the application; a problem when nothing names them (no field, no account, no block)."""
    fields = service.applicant
    name = ' '.join(str(part) for part in (value_at(values, path) for path in fields.name) if part)
    snils = value_at(values, fields.snils) if fields.snils else None
    inn = value_at(values, fields.inn) if fields.inn else None
    if account is not None:
        name, snils, inn = name or account.full_name, snils or account.snils, inn or account.inn
    if block is not None:
        name, snils, inn = name or block.name, snils or block.snils, inn or block.inn
    applicant = Applicant(ApplicantKind(fields.kind), name[:APPLICANT_NAME_MAX], snils or None, inn or None)
    if name:
        return applicant, []
    message = '«Заявитель»: укажите ФИО или наименование заявителя (поле «name» сведений о заявителе).'
    return applicant, [Problem(f'{BLOCK}.name', message, REQUIRED)]
