"""The system-wide trust store, managed by system administrators: CA certificates (root or intermediate, flagged
accredited or not) and the newest CRL of each trusted CA.

Importing is idempotent by fingerprint: a certificate already in the store is brought to the requested state (active,
the accredited flag, the note) and journaled only when something changed. A CRL is accepted only when an active
trusted CA's key verifies it, and replaces the stored CRL of the same CA when it is newer. Every change drops the
cached trust data after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from asn1crypto import pem
from sqlalchemy import select

from edms.audit.operations import record
from edms.core.access import Actor, require_system_admin
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.errors import ValidationFailed
from edms.signatures.crypto.certs import CertificateInfo, certificates_from_bytes
from edms.signatures.crypto.chain import certificate_signed_by, name_key, signed_by, view_of
from edms.signatures.crypto.crl import CrlView, crl_view
from edms.signatures.crypto.report import format_moment
from edms.signatures.errors import CrlRefused, NotCaCertificate
from edms.signatures.models import CRL_SOURCE_UPLOAD, NOTE_MAX, CertificateRevocationList, TrustedCertificate
from edms.signatures.operations.common import certificate_facts, trust_changed

#: The largest CRL accepted (the lists of big Russian CAs reach tens of megabytes).
MAX_CRL_SIZE = 64 * 1024 * 1024


@dataclass
class TrustImport:
    """What an import did with each certificate of the file."""

    added: list[TrustedCertificate] = field(default_factory=list)
    updated: list[TrustedCertificate] = field(default_factory=list)
    unchanged: list[TrustedCertificate] = field(default_factory=list)

    @property
    def certificates(self) -> list[TrustedCertificate]:
        return [*self.added, *self.updated, *self.unchanged]


def import_trusted(actor: Actor, file_bytes: bytes, *, accredited: bool = False, note: str = '') -> TrustImport:
    """Add the CA certificates of a file (DER, PEM with several certificates, .p7b) to the trust store."""
    require_system_admin(actor)
    note = (note or '').strip()
    if len(note) > NOTE_MAX:
        raise ValidationFailed(fields={'note': f'«Примечание»: не более {NOTE_MAX} символов.'})
    infos = _ca_certificates(file_bytes or b'')
    result = TrustImport()
    for info in infos:
        existing = db.session.execute(
            select(TrustedCertificate).where(TrustedCertificate.fingerprint == info.fingerprint)
        ).scalar_one_or_none()
        if existing is None:
            result.added.append(_add(actor, info, accredited, note))
        elif _update(actor, existing, accredited, note):
            result.updated.append(existing)
        else:
            result.unchanged.append(existing)
    return result


def set_accredited(actor: Actor, trusted: TrustedCertificate, accredited: bool) -> None:
    """Flag a CA as accredited (its certificates are qualified) or take the flag away."""
    require_system_admin(actor)
    if trusted.is_accredited == accredited:
        return
    trusted.is_accredited, trusted.updated_at = accredited, utcnow()
    _journal(actor, 'signatures.trust.accredited', trusted, {'accredited': accredited})


def deactivate_trusted(actor: Actor, trusted: TrustedCertificate) -> None:
    """Stop trusting a CA (kept for the history; its CRL leaves the trust data too)."""
    _set_active(actor, trusted, False)


def activate_trusted(actor: Actor, trusted: TrustedCertificate) -> None:
    _set_active(actor, trusted, True)


def _set_active(actor: Actor, trusted: TrustedCertificate, active: bool) -> None:
    require_system_admin(actor)
    if trusted.is_active == active:
        return
    trusted.is_active, trusted.updated_at = active, utcnow()
    _journal(actor, 'signatures.trust.activate' if active else 'signatures.trust.deactivate', trusted, {})


def _ca_certificates(data: bytes) -> list[CertificateInfo]:
    unique = dict.fromkeys(certificates_from_bytes(data))
    infos = [CertificateInfo.from_der(der) for der in unique]
    strangers = [info.subject.get('CN') or info.subject.text for info in infos if not info.is_ca]
    if strangers:
        raise NotCaCertificate(
            f'Сертификат {", ".join(f"«{name}»" for name in strangers)} не является сертификатом удостоверяющего '
            'центра (в basicConstraints нет признака CA): в хранилище доверенных добавляются только корневые и '
            'промежуточные сертификаты УЦ. Файл не импортирован.'
        )
    for info in infos:
        if info.is_self_issued and certificate_signed_by(view_of(info.der), view_of(info.der)) is not True:
            raise NotCaCertificate(
                f'Подпись корневого сертификата «{info.subject.get("CN") or info.subject.text}» не подтверждается '
                'его собственным ключом: файл не импортирован.'
            )
    return infos


def _add(actor: Actor, info: CertificateInfo, accredited: bool, note: str) -> TrustedCertificate:
    trusted = TrustedCertificate(
        certificate_der=info.der,
        fingerprint=info.fingerprint,
        name=(info.subject.get('CN') or info.subject.text)[:1000],
        subject=info.subject.text,
        issuer=info.issuer.text,
        serial=info.serial.upper(),
        not_before=info.not_before,
        not_after=info.not_after,
        is_root=info.is_self_issued,
        is_accredited=accredited,
        is_active=True,
        note=note,
        added_by_id=actor.id,
        updated_at=utcnow(),
    )
    db.session.add(trusted)
    db.session.flush()
    _journal(actor, 'signatures.trust.add', trusted, {'accredited': accredited, 'note': note})
    return trusted


def _update(actor: Actor, trusted: TrustedCertificate, accredited: bool, note: str) -> bool:
    changes = {}
    if not trusted.is_active:
        changes['active'] = True
    if trusted.is_accredited != accredited:
        changes['accredited'] = accredited
    if note and trusted.note != note:
        changes['note'] = note
    if not changes:
        return False
    trusted.is_active, trusted.is_accredited = True, accredited
    trusted.note = note or trusted.note
    trusted.updated_at = utcnow()
    _journal(actor, 'signatures.trust.update', trusted, changes)
    return True


def _journal(actor: Actor, action: str, trusted: TrustedCertificate, data: dict[str, object]) -> None:
    db.session.flush()
    record(actor, action, trusted, {**data, 'is_root': trusted.is_root, **certificate_facts(trusted.info)})
    trust_changed()


# --- CRLs -----------------------------------------------------------------------------------------------------------


def upload_crl(actor: Actor, data: bytes) -> CertificateRevocationList:
    """Accept a CRL file (DER or PEM) issued and signed by an active trusted CA."""
    require_system_admin(actor)
    stored, _ = store_crl(actor, data, CRL_SOURCE_UPLOAD)
    return stored


def store_crl(actor: Actor, data: bytes, source: str) -> tuple[CertificateRevocationList, bool]:
    """Store a verified CRL unless the same or a newer one of its CA is stored; returns (row, changed)."""
    view = _read_crl(data or b'')
    issuer = _issuer_of(view)
    existing = db.session.execute(
        select(CertificateRevocationList).where(CertificateRevocationList.issuer_fingerprint == issuer.fingerprint)
    ).scalar_one_or_none()
    if existing is not None and existing.sha256 == view.fingerprint:
        return existing, False
    if existing is not None and existing.this_update > view.this_update:
        raise CrlRefused(
            f'В хранилище уже есть более новый список отзыва УЦ «{issuer.name}» '
            f'(от {format_moment(existing.this_update)}; в файле — от {format_moment(view.this_update)}).'
        )
    row = existing or CertificateRevocationList(issuer_fingerprint=issuer.fingerprint)
    now = utcnow()
    row.issuer_name, row.der, row.sha256 = issuer.name, view.der, view.fingerprint
    row.this_update, row.next_update, row.revoked_count = view.this_update, view.next_update, len(view.revoked)
    row.source, row.fetched_at, row.updated_at = source[:2000], now, now
    if existing is None:
        db.session.add(row)
    db.session.flush()
    facts = {
        'issuer': issuer.name,
        'issuer_fingerprint': issuer.fingerprint,
        'sha256': view.fingerprint,
        'this_update': view.this_update.isoformat(),
        'revoked': len(view.revoked),
        'source': row.source,
    }
    record(actor, 'signatures.crl.replace' if existing else 'signatures.crl.add', row, facts)
    trust_changed()
    return row, True


def _read_crl(data: bytes) -> CrlView:
    if len(data) > MAX_CRL_SIZE:
        raise CrlRefused(f'Файл больше {MAX_CRL_SIZE // (1024 * 1024)} МБ: это не список отзыва сертификатов.')
    try:
        der = pem.unarmor(data.strip())[2] if pem.detect(data) else data
        view = crl_view(bytes(der))
    except Exception as error:  # asn1crypto raises ValueError, TypeError, KeyError… on foreign bytes
        raise CrlRefused('Файл не является списком отзыва сертификатов (CRL) в формате DER или PEM.') from error
    if view.unusable:
        raise CrlRefused(f'Список отзыва не принят: {view.unusable} не поддерживается.')
    return view


def _issuer_of(view: CrlView) -> TrustedCertificate:
    """The active trusted CA named as the CRL's issuer whose key verifies the CRL's signature."""
    active = db.session.execute(select(TrustedCertificate).where(TrustedCertificate.is_active.is_(True))).scalars()
    named = [trusted for trusted in active if _names_match(view_of(trusted.certificate_der).subject_der, view)]
    for trusted in named:
        issuer = view_of(trusted.certificate_der)
        if signed_by(view.tbs, view.signature_oid, view.signature, issuer, view.fingerprint) is True:
            return trusted
    if named:
        raise CrlRefused('Подпись списка отзыва не подтверждается ключом удостоверяющего центра из хранилища.')
    raise CrlRefused(
        'Список отзыва выпущен удостоверяющим центром, которого нет среди доверенных: сначала добавьте сертификат '
        'этого УЦ в хранилище доверенных сертификатов.'
    )


def _names_match(subject_der: bytes, view: CrlView) -> bool:
    return subject_der == view.issuer_der or name_key(subject_der) == name_key(view.issuer_der)
