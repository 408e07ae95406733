"""Binding signing certificates to users: a PKCS#12 container for server signing, or a certificate alone for users
who sign with their own certified tool.

A certificate is bound only when it can sign now (validity, key usage) and its profile matches the user's records:
the owner's СНИЛС equals the user's, and the organization's ОГРН and ИНН ЮЛ equal those of the user's organization.
Each mismatch is named in the refusal. The container is stored as uploaded (encrypted by its own password); the
password opens it once here, to check it, and is never stored, logged or written to the journal.
"""

from __future__ import annotations

from typing import Any

from edms.audit.operations import record
from edms.auth.models import User
from edms.core.access import Actor
from edms.core.blobs import blob_store
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.errors import Forbidden
from edms.core.identifiers import normalize_snils
from edms.core.tx import atomic, on_commit
from edms.signatures.crypto.certs import CertificateInfo, certificates_from_bytes
from edms.signatures.crypto.errors import BadCertificate
from edms.signatures.crypto.pkcs12 import MAX_CONTAINER_SIZE, load_pkcs12
from edms.signatures.errors import BindingRefused, CertificateAlreadyBound, CertificateNotFound
from edms.signatures.models import UserCertificate
from edms.signatures.operations.common import certificate_facts
from edms.signatures.queries import may_manage_certificates


def import_certificate(actor: Actor, user: User, pkcs12_bytes: bytes, password: str) -> UserCertificate:
    """Bind the certificate of a PKCS#12 container to `user` and keep the container for server signing.

    Refusals: those of `load_pkcs12` (wrong password, broken file, a certificate without key…), expired, not yet
    valid, no signing key usage, and `BindingRefused` naming each mismatch with the user's records.
    """
    require_manager(actor, user)
    bundle = load_pkcs12(pkcs12_bytes or b'', password or '')
    info = bundle.info
    info.require_usable_for_signing(utcnow())
    check_binding(info, user)
    existing = _existing(user, info, with_key=True)
    stored = blob_store().put_bytes(pkcs12_bytes, MAX_CONTAINER_SIZE)
    certificate = _bind(actor, user, info, stored.sha256, existing)
    record(
        actor,
        'signatures.certificate.import',
        certificate,
        {'user_id': user.id, 'with_key': True, **certificate_facts(info)},
        organization_id=user.organization_id,
    )
    return certificate


def add_client_certificate(actor: Actor, user: User, cert_bytes: bytes) -> UserCertificate:
    """Bind a certificate (DER, PEM, base64 or a .p7b with its chain) of a user who signs with their own tool."""
    require_manager(actor, user)
    info = _end_entity(cert_bytes or b'')
    info.require_usable_for_signing(utcnow())
    check_binding(info, user)
    certificate = _bind(actor, user, info, None, _existing(user, info, with_key=False))
    record(
        actor,
        'signatures.certificate.add',
        certificate,
        {'user_id': user.id, 'with_key': False, **certificate_facts(info)},
        organization_id=user.organization_id,
    )
    return certificate


def disable_certificate(actor: Actor, certificate: UserCertificate) -> None:
    """Withdraw a certificate from use; its container is removed from the store after the commit."""
    require_manager(actor, certificate.user)
    if not certificate.is_active:
        return
    container = certificate.container_sha256
    certificate.disabled_at, certificate.disabled_by_id = utcnow(), actor.id
    certificate.container_sha256 = None
    db.session.flush()
    if container is not None:
        on_commit(_discard_container, container)
    record(
        actor,
        'signatures.certificate.disable',
        certificate,
        {'user_id': certificate.user_id, **certificate_facts(certificate.info)},
        organization_id=certificate.organization_id,
    )


def require_manager(actor: Actor, user: User) -> None:
    """The user themself or an administrator of their organization; another organization's user is not found."""
    if may_manage_certificates(actor, user):
        return
    if actor.organization_id != user.organization_id:
        raise CertificateNotFound('Пользователь не найден.')
    raise Forbidden('Сертификаты другого пользователя может привязывать только администратор организации.')


def check_binding(info: CertificateInfo, user: User) -> None:
    """BindingRefused unless the certificate's СНИЛС, ОГРН and ИНН ЮЛ match the user and their organization."""
    problems = _person_problems(info, user) + _organization_problems(info, user)
    if problems:
        raise BindingRefused(problems)


def _person_problems(info: CertificateInfo, user: User) -> list[str]:
    """The owner is the user by СНИЛС when both have one, else by the person's ИНН (the 795 profile allows either)."""
    if info.snils and user.snils:
        if _digits(info.snils) != _digits(user.snils):
            return [f'СНИЛС в сертификате ({_format_snils(info.snils)}) не совпадает со СНИЛС пользователя']
        return []
    # A 12-digit ИНН with two leading zeros is an organization's ИНН written the pre-2021 way, not the person's.
    person_inn = info.inn if info.inn and not info.inn.startswith('00') else None
    if person_inn and user.inn:
        if _digits(person_inn) != _digits(user.inn):
            return [f'ИНН в сертификате ({_digits(person_inn)}) не совпадает с ИНН пользователя']
        return []
    if not info.snils and not person_inn:
        return ['в сертификате нет ни СНИЛС, ни ИНН владельца']
    missing = 'СНИЛС' if info.snils else 'ИНН'
    return [
        f'в учётной записи пользователя не указан {missing}, сверить владельца сертификата не с чем '
        f'({missing} вносит администратор организации)'
    ]


def _organization_problems(info: CertificateInfo, user: User) -> list[str]:
    organization = user.organization
    problems = []
    if not info.ogrn:
        problems.append('в сертификате нет ОГРН организации')
    elif info.ogrn != organization.ogrn:
        problems.append(
            f'ОГРН в сертификате ({info.ogrn}) не совпадает с ОГРН организации «{organization.short_name}» '
            f'({organization.ogrn})'
        )
    if not info.inn_le:
        problems.append('в сертификате нет ИНН юридического лица')
    elif info.inn_le != organization.inn:
        problems.append(
            f'ИНН ЮЛ в сертификате ({info.inn_le}) не совпадает с ИНН организации «{organization.short_name}» '
            f'({organization.inn})'
        )
    return problems


def _digits(value: str) -> str:
    try:
        return normalize_snils(value.strip())
    except ValueError:
        return ''.join(ch for ch in value if ch.isdigit())


def _format_snils(value: str) -> str:
    digits = _digits(value)
    if len(digits) != 11:
        return value
    return f'{digits[:3]}-{digits[3:6]}-{digits[6:9]} {digits[9:]}'


def _end_entity(data: bytes) -> CertificateInfo:
    """The one end-entity certificate of a certificate file (a .p7b may carry the CA chain beside it)."""
    infos = [CertificateInfo.from_der(der) for der in certificates_from_bytes(data)]
    own = [info for info in infos if not info.is_ca]
    if len(own) != 1:
        raise BadCertificate('В файле должен быть ровно один сертификат пользователя (не сертификат УЦ).')
    return own[0]


def _existing(user: User, info: CertificateInfo, *, with_key: bool) -> UserCertificate | None:
    """The user's binding of this certificate, if any; CertificateAlreadyBound when it is active and the new
    binding would add nothing (a container may still be added to a certificate bound without one)."""
    existing = db.session.query(UserCertificate).filter_by(user_id=user.id, fingerprint=info.fingerprint).one_or_none()
    if existing is not None and existing.is_active and (existing.has_key or not with_key):
        raise CertificateAlreadyBound()
    return existing


def _bind(
    actor: Actor, user: User, info: CertificateInfo, container_sha256: str | None, existing: UserCertificate | None
) -> UserCertificate:
    """A new binding, or the renewal of a disabled one, or a container added to a certificate bound without it."""
    certificate = existing or UserCertificate(user_id=user.id, fingerprint=info.fingerprint)
    for name, value in _fields(info).items():
        setattr(certificate, name, value)
    certificate.organization_id = user.organization_id
    certificate.container_sha256 = container_sha256
    certificate.bound_at, certificate.bound_by_id = utcnow(), actor.id
    certificate.disabled_at = certificate.disabled_by_id = None
    if existing is None:
        db.session.add(certificate)
    db.session.flush()
    return certificate


def _fields(info: CertificateInfo) -> dict[str, Any]:
    return {
        'certificate_der': info.der,
        'owner': info.owner[:1000],
        'subject': info.subject.text,
        'issuer': info.issuer.text,
        'serial': info.serial.upper(),
        'snils': _digits(info.snils)[:11] if info.snils else None,
        'inn': (info.inn or '')[:12] or None,
        'ogrn': (info.ogrn or '')[:13] or None,
        'inn_le': (info.inn_le or '')[:10] or None,
        'not_before': info.not_before,
        'not_after': info.not_after,
        'key_algorithm': info.key_algorithm[:64],
    }


def _discard_container(sha256: str) -> None:
    """Remove a withdrawn container unless another binding still uses the same bytes."""
    with atomic():
        used = db.session.query(UserCertificate.id).filter_by(container_sha256=sha256).first()
    if used is None:
        blob_store().discard(sha256)
