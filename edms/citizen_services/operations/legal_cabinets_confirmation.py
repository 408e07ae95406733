"""Confirming a staff change of a legal entity's cabinet (seed 000: «Сохранить изменения, подтвердив действие через
SMS‑код или электронную подпись»; «Подтверждение изменений администратором»): adding a member, changing a member's
role and rights and removing a member take effect only once the acting administrator confirms that very change.

A change (`StaffChange`, planned by `legal_cabinets_staff`) has a canonical text: UTF-8, LF line ends, one line per
fact — the cabinet, the action, the member, the role and rights (before → after for a change), the administrator and
the staff version (the last staff entry of the cabinet's journal, so that a confirmation is for the staff as it is
now: any staff change in between, by anyone, makes it stale, and a signature cannot be replayed later). Its SHA-256
names it: the SMS code's purpose is `legal_cabinet:<id>:staff:<first 16 hex digits>`, so a code obtained for one
change confirms no other; the qualified signature (КЭП) is a detached CMS over the text's exact bytes.

Confirmed by:
* a one-time code (`edms.auth.confirmation_codes.confirm_code`) sent only to the administrator's confirmed phone
  («Мой телефон», `edms.auth.phone`), never to a number typed with the change: whoever holds the session could type
  their own. Without a confirmed phone asking for a code is refused (`NoConfirmedPhone`, on the code's field), and a
  code is accepted only when it went to the phone confirmed now. A wrong code is counted before `CodeRejected` is
  raised, and the entry point commits that count (nothing else has changed by then) and raises it after the commit;
* a detached CMS signature verified like an application's (`operations.uploads.verify_signature`: chain to a trusted
  accredited root, CRLs, the qualified-certificate profile) and judged like one (`rules.signatures.facts_problems`:
  valid, qualified, the certificate valid when signed and now), whose certificate holds the administrator's own СНИЛС
  (or, when either has none, personal ИНН).

The journal entry of the change keeps how it was confirmed (`confirmation_facts`): the code's id and masked phone, or
the certificate's serial, SHA-1 thumbprint and owner and the id of the kept signature (`StaffChangeSignature`: the
text signed and the CMS, which the cabinet's members download from the journal) — never the code.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from edms.auth.confirmation import ConfirmationCode
from edms.auth.confirmation_codes import ASK_AGAIN, confirm_code, masked
from edms.auth.models import User
from edms.auth.phone import confirmed_phone
from edms.citizen_services.models.legal_cabinets import (
    LEGAL_CABINET_RIGHT_LABELS,
    LEGAL_CABINET_ROLE_LABELS,
    LegalCabinetRight,
    LegalCabinetRole,
    StaffChangeSignature,
)
from edms.citizen_services.operations.uploads import MAX_SIGNATURE_SIZE, verify_signature
from edms.citizen_services.rules.facts import ADVANCED, QUALIFIED
from edms.citizen_services.rules.signatures import SignatureSpec, facts_problems
from edms.core.blobs import blob_store
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.errors import ValidationFailed
from edms.notifications.sms import send_code
from edms.signatures.crypto.certs import CertificateInfo
from edms.signatures.crypto.report import FAILED

CODE_FIELD, SIGNATURE_FIELD = 'sms_code', 'signature'
SIGNATURE_LABEL = 'Подпись администратора (КЭП)'
#: Both methods pass the method check so that an untrusted or broken signature is refused with the verification's own
#: words; a certificate that is not qualified is refused on its own line (`_signed`).
SIGNATURE_SPEC = SignatureSpec('staff_change', SIGNATURE_LABEL, (QUALIFIED, ADVANCED))
ACTION_LABELS = {
    'member_add': 'добавить сотрудника',
    'member_change': 'изменить роль и права сотрудника',
    'member_remove': 'исключить сотрудника',
}
NEEDED = (
    '«Подтверждение»: подтвердите изменение кодом из СМС или квалифицированной электронной подписью администратора.'
)
BOTH = '«Подтверждение»: подтвердите изменение одним способом — кодом из СМС или подписью, не обоими сразу.'
NO_PHONE = (
    '«Код подтверждения»: у вашей учётной записи нет подтверждённого номера мобильного телефона — подтвердите номер '
    'на странице «Мой телефон» или подтвердите изменение квалифицированной электронной подписью.'
)
OTHER_PHONE = f'«Код подтверждения»: код отправлен не на ваш подтверждённый номер телефона (он изменён) — {ASK_AGAIN}.'
OTHER_TEXT = (
    f'«{SIGNATURE_LABEL}»: подписан не текст этого изменения (или состав сотрудников изменился после того, как текст '
    'был получен) — получите текст изменения заново и подпишите его.'
)


@dataclass(frozen=True)
class StaffConfirmation:
    """What the administrator sent to confirm a change: the SMS code typed, or the detached signature's bytes."""

    sms_code: str | None = None
    signature: bytes | None = None


@dataclass(frozen=True)
class StaffChange:
    """One planned staff change, as confirmed: the member's account, the role and rights after the change (for a
    removal, those held now), before the change for a change of role and rights, and the staff version."""

    action: str
    cabinet_id: int
    ogrn: str
    organization: str
    user_id: int
    user_name: str
    role: LegalCabinetRole
    rights: frozenset[LegalCabinetRight]
    actor_id: int
    actor_name: str
    version: int
    member_id: int | None = None
    before_role: LegalCabinetRole | None = None
    before_rights: frozenset[LegalCabinetRight] | None = None

    @property
    def text(self) -> str:
        """The canonical text the administrator signs (UTF-8, LF line ends, a final LF)."""
        role, rights = _role(self.role), _rights(self.rights)
        if self.before_role is not None and self.before_rights is not None:
            role, rights = f'{_role(self.before_role)} -> {role}', f'{_rights(self.before_rights)} -> {rights}'
        member = f'учётная запись {self.user_id}, {self.user_name}'
        lines = [
            'Подтверждение изменения сотрудников кабинета организации',
            f'Кабинет: {self.cabinet_id}',
            f'ОГРН: {self.ogrn}',
            f'Организация: {self.organization}',
            f'Действие: {self.action} ({ACTION_LABELS[self.action]})',
            f'Сотрудник: {member}' + (f', в кабинете № {self.member_id}' if self.member_id is not None else ''),
            f'Роль: {role}',
            f'Права: {rights}',
            f'Администратор: учётная запись {self.actor_id}, {self.actor_name}',
            f'Версия состава сотрудников: {self.version}',
        ]
        return '\n'.join(lines) + '\n'

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode('utf-8')).hexdigest()

    @property
    def purpose(self) -> str:
        """The confirmation code's purpose: this cabinet and this change."""
        return f'legal_cabinet:{self.cabinet_id}:staff:{self.digest[:16]}'


def _role(role: LegalCabinetRole) -> str:
    return f'{role.value} ({LEGAL_CABINET_ROLE_LABELS[role]})'


def _rights(rights: frozenset[LegalCabinetRight]) -> str:
    """The rights in the matrix's order (view, edit, delete, send)."""
    ordered = [right for right in LEGAL_CABINET_RIGHT_LABELS if right in rights]
    if not ordered:
        return 'нет'
    return (
        f'{", ".join(right.value for right in ordered)} ({", ".join(LEGAL_CABINET_RIGHT_LABELS[r] for r in ordered)})'
    )


class NoConfirmedPhone(ValidationFailed):
    """The administrator has no confirmed phone to send a code to (on the code's field)."""

    code = 'no_confirmed_phone'

    def __init__(self) -> None:
        super().__init__(NO_PHONE, fields={CODE_FIELD: NO_PHONE})


def send_staff_change_code(actor: User, change: StaffChange) -> ConfirmationCode:
    """A code for exactly this change sent to the administrator's confirmed phone after the commit
    (`NoConfirmedPhone` without one; `SmsUnavailable`, `TooManyCodes` as `edms.notifications.sms.send_code` raises
    them)."""
    phone = confirmed_phone(actor)
    if phone is None:
        raise NoConfirmedPhone()
    return send_code(actor, change.purpose, phone)


def confirm_staff_change(actor: User, change: StaffChange, confirmation: StaffConfirmation) -> dict[str, Any]:
    """The journal's facts of the confirmation of `change` by `actor`; `CodeRejected` (a wrong code counted first)
    or `ValidationFailed` naming the field when it does not confirm this change."""
    code, signature = confirmation.sms_code, confirmation.signature
    if code is not None and signature is not None:
        raise ValidationFailed(fields={'confirmation': BOTH})
    if signature is not None:
        return _signed(actor, change, signature)
    if code is not None:
        row = _confirmed_code(actor, change, code)
        return {'method': 'sms', 'code_id': row.id, 'phone': masked(row.phone), 'change': change.digest}
    raise ValidationFailed(fields={'confirmation': NEEDED})


def _confirmed_code(actor: User, change: StaffChange, code: str) -> ConfirmationCode:
    """The code consumed; refused when it did not go to the phone confirmed now (the phone changed since, or the code
    predates confirmed phones): the refusal rolls the consumption back."""
    row = confirm_code(actor, change.purpose, code, field=CODE_FIELD)
    if row.phone != confirmed_phone(actor):
        raise ValidationFailed(fields={CODE_FIELD: OTHER_PHONE})
    return row


def _signed(actor: User, change: StaffChange, cms: bytes) -> dict[str, Any]:
    if not cms:
        raise ValidationFailed(fields={SIGNATURE_FIELD: f'«{SIGNATURE_LABEL}»: приложите файл подписи.'})
    if len(cms) > MAX_SIGNATURE_SIZE:
        raise ValidationFailed(fields={SIGNATURE_FIELD: f'«{SIGNATURE_LABEL}»: файл подписи слишком велик.'})
    verified = verify_signature(SIGNATURE_SPEC.role, change.text.encode('utf-8'), cms, utcnow(), None)
    signer = verified.report.signers[0] if verified.report.signers else None
    if signer is not None and signer.check('integrity').status == FAILED:
        raise ValidationFailed(fields={SIGNATURE_FIELD: OTHER_TEXT})
    problems = list(facts_problems(SIGNATURE_SPEC, verified.facts))
    if not verified.facts.qualified:
        problems.append(f'«{SIGNATURE_LABEL}»: сертификат подписи не является квалифицированным.')
    certificate = signer.certificate if signer is not None else None
    if problems or certificate is None:
        message = ' '.join(problems) or f'«{SIGNATURE_LABEL}»: подпись не прочитана.'
        raise ValidationFailed(fields={SIGNATURE_FIELD: message})
    mismatch = _not_the_actor(actor, certificate)
    if mismatch:
        raise ValidationFailed(fields={SIGNATURE_FIELD: f'«{SIGNATURE_LABEL}»: {mismatch}.'})
    signing_time = verified.facts.signing_time
    kept = _keep(actor, change, cms, certificate, signing_time)
    return {
        'method': 'kep',
        'certificate_serial': certificate.serial,
        'certificate_thumbprint': certificate.thumbprint_sha1,
        'certificate_owner': certificate.owner,
        'signing_time': signing_time.isoformat() if signing_time else None,
        'change': change.digest,
        'signature_id': kept.id,
    }


def _keep(
    actor: User, change: StaffChange, cms: bytes, certificate: CertificateInfo, signing_time: datetime | None
) -> StaffChangeSignature:
    """The signed text and the CMS kept as the evidence of the administrator's consent (the CMS in the blob store; a
    change refused after this leaves an unreferenced blob, which `edms blobs sweep` removes)."""
    stored = blob_store().put_bytes(cms, MAX_SIGNATURE_SIZE)
    row = StaffChangeSignature(
        cabinet_id=change.cabinet_id,
        signed_by_id=actor.id,
        action=change.action,
        change_digest=change.digest,
        text=change.text,
        signature_sha256=stored.sha256,
        certificate_serial=certificate.serial[:128],
        certificate_owner=certificate.owner[:1000],
        signing_time=signing_time,
        confirmed_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    return row


def _not_the_actor(actor: User, certificate: CertificateInfo) -> str | None:
    """Why the certificate is not the administrator's own: its СНИЛС decides when both have one, else personal ИНН."""
    if certificate.snils and actor.snils:
        if certificate.snils == actor.snils:
            return None
        return f'СНИЛС в сертификате ({certificate.snils}) не совпадает со СНИЛС вашей учётной записи портала'
    if certificate.inn and actor.inn:
        if certificate.inn == actor.inn:
            return None
        return f'ИНН в сертификате ({certificate.inn}) не совпадает с ИНН вашей учётной записи портала'
    return 'в сертификате нет СНИЛС или ИНН физического лица, по которым его можно сверить с вашей учётной записью'
