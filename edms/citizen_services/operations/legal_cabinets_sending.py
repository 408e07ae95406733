"""The «send» right on the ordinary filing paths (seed 000: the head registers the legal entity's cabinet, its staff
act with the rights the administrator gives them).

A portal account filing in its own name — the portal's form, the mobile app, the КЭП-signed XML upload or the API —
an application whose applicant is a legal entity (`applicant_kind` legal_entity) with the ИНН of an existing cabinet
must be an active member of that cabinet holding «send»; otherwise the application is refused naming the
organization, and the files it stored are discarded. The same holds for the corrected application after a
clarification (`decisions.resubmit`): a filer who has since left the cabinet or lost «send» cannot correct it.
Decided:

- no cabinet with the ИНН, nothing to check: the first registration (`legal_entity_cabinet`) creates the cabinet;
- a registration of an ИНН that has a cabinet (`legal_entity_cabinet` again) is also accepted from the head it names
  (the account's СНИЛС or personal ИНН is the head's): a new director re-registers the cabinet and becomes its
  administrator on approval (`legal_cabinets.open_legal_cabinet`); its КЭП naming the organization and the head is
  checked like the first one's. Anyone else re-registering needs «send», like any other filing;
- an MFC operator, a partner or the agency's clerk filing on a visitor's behalf is not checked here: they establish the
  representative's authority in person or by their contract (the channel's own rules).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from edms.auth.models import User
from edms.citizen_services.catalogue.definition import ServiceDefinition
from edms.citizen_services.errors import ApplicationInvalid
from edms.citizen_services.models import ApplicantKind
from edms.citizen_services.models.legal_cabinets import LegalCabinetRight, LegalEntityCabinet
from edms.citizen_services.operations.applicants import BLOCK, Applicant
from edms.citizen_services.operations.submission import Submission
from edms.citizen_services.operations.uploads import discard_new
from edms.citizen_services.rules.problems import NOT_ALLOWED, Problem
from edms.citizen_services.services.legal_entity_cabinet import CODE as REGISTRATION
from edms.core.db import db
from edms.core.identifiers import normalize_snils

HEAD_SNILS, HEAD_INN = 'head.snils', 'head.inn'


class LegalEntitySendRefused(ApplicationInvalid):
    """The filer is not a member of the legal entity's cabinet holding «send» (422 naming the organization)."""

    code = 'legal_entity_send_refused'

    def __init__(self, problem: Problem) -> None:
        super().__init__([problem])
        self.message = problem.message


def check_legal_entity_sender(service: ServiceDefinition, submission: Submission, account: User | None) -> None:
    """`LegalEntitySendRefused` (the submission's new files discarded) when `account`, filing in its own name, may
    not file for the legal entity the submission names; nothing on someone's behalf (`account` None)."""
    problem = sender_problem(service, submission.values, submission.applicant, account)
    if problem is not None:
        discard_new(submission.uploads)
        raise LegalEntitySendRefused(problem)


def sender_problem(
    service: ServiceDefinition, values: Mapping[str, Any], applicant: Applicant, account: User | None
) -> Problem | None:
    """The refusal of this filer, or None when the filing is allowed (the rule in the module's docstring)."""
    if account is None or applicant.kind != ApplicantKind.legal_entity or not applicant.inn:
        return None
    cabinets = legal_cabinets_by_inn(applicant.inn)
    if not cabinets or any(_sends(cabinet, account) for cabinet in cabinets):
        return None
    if service.code == REGISTRATION and _is_head(values, account):
        return None
    return Problem(service.applicant.inn or BLOCK, _message(service, cabinets[0]), NOT_ALLOWED)


def legal_cabinets_by_inn(inn: str) -> list[LegalEntityCabinet]:
    """The cabinets of legal entities with this ИНН (one in practice: a cabinet per ОГРН), with their members."""
    query = (
        select(LegalEntityCabinet)
        .where(LegalEntityCabinet.inn == inn)
        .options(selectinload(LegalEntityCabinet.members))
        .order_by(LegalEntityCabinet.id)
    )
    return list(db.session.execute(query).scalars())


def _sends(cabinet: LegalEntityCabinet, account: User) -> bool:
    return any(member.user_id == account.id and member.has(LegalCabinetRight.send) for member in cabinet.members)


def _is_head(values: Mapping[str, Any], account: User) -> bool:
    """The account is the head the registration names: the same СНИЛС, or the same personal ИНН."""
    head = values.get('head') or {}
    snils, inn = head.get('snils'), head.get('inn')
    same_snils = bool(snils and account.snils and normalize_snils(str(snils)) == normalize_snils(account.snils))
    return same_snils or bool(inn and account.inn and str(inn) == account.inn)


def _message(service: ServiceDefinition, cabinet: LegalEntityCabinet) -> str:
    path = service.applicant.inn
    label = next((spec.label for spec in service.fields if spec.path == path), 'ИНН организации')
    text = (
        f'«{label}»: у организации «{cabinet.name}» (ИНН {cabinet.inn}) есть кабинет на портале; от её имени '
        'заявления подают сотрудники кабинета с правом «Отправка». Попросите администратора кабинета организации '
        'добавить вас или дать это право'
    )
    if service.code == REGISTRATION:
        text += ', либо кабинет заново регистрирует руководитель, указанный в заявлении'
    return f'{text}.'
