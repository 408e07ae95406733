"""Revocation by certificate revocation lists (CRL, «список отзыва сертификатов»).

`crl_view(der)` reads a CRL once (cached): issuer, thisUpdate/nextUpdate, the revoked serials with their dates and
reasons, and what is needed to check its signature. `check_revocation` judges every certificate of a path but the
trust anchor, each against the CRLs of its issuer whose signature verifies with the issuer's key:

* revoked (or on hold) at a date not after the signing moment → failed;
* revoked after the signing moment → passed, with the date said; but for key or CA compromise → not checked, since
  the signing time is the signer's own claim and no timestamp proves the signature came before the compromise;
* not listed in the issuer's newest CRL that is current at `now` (thisUpdate ≤ now ≤ nextUpdate) → passed;
* no usable CRL (none, signature wrong, expired, a delta or indirect CRL this code does not process) → not checked:
  never valid and never failed.

Freshness uses the verification's `now` (TrustData.now); revocation dates are compared with the signing moment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from asn1crypto import core
from asn1crypto import crl as asn1_crl

from edms.signatures.crypto.chain import CertPool, CertView, name_key, signed_by
from edms.signatures.crypto.report import FAILED, NOT_CHECKED, PASSED, Status, format_moment

REASONS = {
    'unspecified': 'причина не указана',
    'key_compromise': 'компрометация ключа',
    'ca_compromise': 'компрометация ключа УЦ',
    'affiliation_changed': 'изменение сведений о владельце',
    'superseded': 'сертификат заменён',
    'cessation_of_operation': 'прекращение деятельности',
    'certificate_hold': 'действие приостановлено',
    'remove_from_crl': 'исключён из списка',
    'privilege_withdrawn': 'лишение полномочий',
    'aa_compromise': 'компрометация ключа',
}
_COMPROMISE = frozenset({'key_compromise', 'ca_compromise', 'aa_compromise'})
_UNSUPPORTED_EXTENSIONS = {'2.5.29.27': 'разностный список отзыва (delta CRL)'}


@dataclass(frozen=True)
class Revocation:
    date: datetime
    reason: str | None


@dataclass(frozen=True, eq=False)
class CrlView:
    """The facts of one CRL; `unusable` says (in Russian) why this code cannot rely on it, or is None."""

    der: bytes
    fingerprint: str
    issuer_der: bytes
    this_update: datetime
    next_update: datetime | None
    revoked: dict[int, Revocation]
    aki: bytes | None
    tbs: bytes
    signature_oid: str
    signature: bytes
    only_user_certs: bool
    only_ca_certs: bool
    unusable: str | None

    def covers(self, cert: CertView) -> bool:
        if cert.issuer_der != self.issuer_der and cert.issuer_key != name_key(self.issuer_der):
            return False
        if self.aki is not None and cert.aki is not None and self.aki != cert.aki:
            return False
        return not (self.only_user_certs and cert.is_ca) and not (self.only_ca_certs and not cert.is_ca)

    def current_at(self, now: datetime) -> bool:
        return self.this_update <= now and (self.next_update is None or now <= self.next_update)

    def describe(self) -> str:
        until = f', следующий выпуск {format_moment(self.next_update)}' if self.next_update else ''
        return f'список отзыва от {format_moment(self.this_update)}{until}'


@lru_cache(maxsize=256)
def crl_view(der: bytes) -> CrlView:
    """Parse a DER CRL once; ValueError (or another asn1crypto error) when it is not one."""
    crl = asn1_crl.CertificateList.load(der, strict=True)
    tbs = crl['tbs_cert_list']
    aki, scope, unusable = _crl_extensions(tbs['crl_extensions'])
    next_update = tbs['next_update']
    return CrlView(
        der=der,
        fingerprint=hashlib.sha256(der).hexdigest(),
        issuer_der=tbs['issuer'].dump(),
        this_update=tbs['this_update'].native,
        next_update=None if isinstance(next_update, core.Void) else next_update.native,
        revoked=_revoked(tbs['revoked_certificates']),
        aki=aki,
        tbs=tbs.dump(),
        signature_oid=crl['signature_algorithm']['algorithm'].dotted,
        signature=crl['signature'].native,
        only_user_certs=scope[0],
        only_ca_certs=scope[1],
        unusable=unusable,
    )


def _crl_extensions(extensions: core.Asn1Value) -> tuple[bytes | None, tuple[bool, bool], str | None]:
    aki, scope, unusable = None, (False, False), None
    if isinstance(extensions, core.Void):
        return aki, scope, unusable
    for extension in extensions:
        oid = extension['extn_id'].dotted
        if oid == '2.5.29.35':
            aki = extension['extn_value'].parsed['key_identifier'].native
        elif oid == '2.5.29.28':
            point = extension['extn_value'].parsed
            scope = (point['only_contains_user_certs'].native, point['only_contains_ca_certs'].native)
            if point['indirect_crl'].native or point['only_contains_attribute_certs'].native:
                unusable = 'косвенный список отзыва или список для атрибутных сертификатов'
            elif not isinstance(point['only_some_reasons'], core.Void):
                unusable = 'список отзыва только по части причин'
        elif oid in _UNSUPPORTED_EXTENSIONS:
            unusable = _UNSUPPORTED_EXTENSIONS[oid]
        elif extension['critical'].native and oid not in ('2.5.29.20', '2.5.29.18', '2.5.29.46'):
            unusable = f'неизвестное критичное расширение {oid}'
    return aki, scope, unusable


def _revoked(entries: core.Asn1Value) -> dict[int, Revocation]:
    revoked: dict[int, Revocation] = {}
    if isinstance(entries, core.Void):
        return revoked
    for entry in entries:
        date, reason = entry['revocation_date'].native, None
        extensions = entry['crl_entry_extensions']
        if not isinstance(extensions, core.Void):
            for extension in extensions:
                oid = extension['extn_id'].dotted
                if oid == '2.5.29.21':
                    reason = extension['extn_value'].parsed.native
                elif oid == '2.5.29.24':  # invalidityDate: when the key became unsafe, may precede the revocation
                    date = min(date, extension['extn_value'].parsed.native)
        revoked[entry['user_certificate'].native] = Revocation(date=date, reason=reason)
    return revoked


def check_revocation(
    path: tuple[CertView, ...], crls: Sequence[CrlView], anchors: CertPool, moment: datetime, now: datetime
) -> tuple[Status, str]:
    """Status and Russian detail for every certificate of `path` below the trust anchor."""
    outcomes: list[tuple[Status, str]] = []
    for position, cert in enumerate(path):
        if cert in anchors:
            break
        issuer = path[position + 1] if position + 1 < len(path) else None
        if issuer is None:
            outcomes.append((NOT_CHECKED, f'Издатель сертификата {cert.label} не найден: отзыв не проверен.'))
        else:
            outcomes.append(_certificate_status(cert, issuer, crls, moment, now))
    if not outcomes:
        return PASSED, 'Сертификат подписанта сам является доверенным: проверка отзыва не требуется.'
    statuses = {status for status, _ in outcomes}
    status = FAILED if FAILED in statuses else NOT_CHECKED if NOT_CHECKED in statuses else PASSED
    return status, ' '.join(detail for _, detail in outcomes)


def _certificate_status(
    cert: CertView, issuer: CertView, crls: Sequence[CrlView], moment: datetime, now: datetime
) -> tuple[Status, str]:
    if issuer.key_usage is not None and 'crl_sign' not in issuer.key_usage:
        return NOT_CHECKED, f'Ключ издателя {issuer.label} не предназначен для подписи списков отзыва (cRLSign).'
    candidates = [crl for crl in crls if crl.covers(cert)]
    usable = [crl for crl in candidates if crl.unusable is None]
    verified = [crl for crl in usable if signed_by(crl.tbs, crl.signature_oid, crl.signature, issuer, crl.fingerprint)]
    if not verified:
        return NOT_CHECKED, _no_crl(cert, issuer, candidates, usable)
    newest = max(verified, key=lambda crl: (crl.this_update, crl.fingerprint))
    entry = newest.revoked.get(cert.serial)
    if entry is not None and entry.reason != 'remove_from_crl':
        return _revoked_status(cert, entry, newest, moment)
    current = [crl for crl in verified if crl.current_at(now)]
    if not current:
        return NOT_CHECKED, (
            f'Для сертификата {cert.label} есть только устаревший список отзыва ({newest.describe()}): '
            f'на момент проверки {format_moment(now)} нужен действующий.'
        )
    latest = max(current, key=lambda crl: (crl.this_update, crl.fingerprint))
    return PASSED, f'Сертификат {cert.label} не отозван ({latest.describe()}, подписан {issuer.label}).'


def _no_crl(cert: CertView, issuer: CertView, candidates: list[CrlView], usable: list[CrlView]) -> str:
    detail = f'Для сертификата {cert.label} нет списка отзыва издателя {issuer.label}: отзыв не проверен.'
    if len(usable) < len(candidates):
        reasons = sorted({crl.unusable for crl in candidates if crl.unusable})
        detail += f' Не обработаны: {"; ".join(reasons)}.'
    if usable:
        detail += f' Подпись списков отзыва ({len(usable)}) не подтверждается ключом издателя.'
    return detail


def _revoked_status(cert: CertView, entry: Revocation, crl: CrlView, moment: datetime) -> tuple[Status, str]:
    reason = REASONS.get(entry.reason or 'unspecified', entry.reason or 'причина не указана')
    said = f'Сертификат {cert.label} отозван {format_moment(entry.date)} ({reason}; {crl.describe()})'
    if entry.date <= moment:
        return FAILED, f'{said} — не позже момента подписания {format_moment(moment)}.'
    if entry.reason in _COMPROMISE:
        return NOT_CHECKED, (
            f'{said} — после указанного в подписи времени {format_moment(moment)}, но из-за компрометации ключа; '
            'время подписания заявлено самим подписантом и не подтверждено штампом времени, поэтому нельзя '
            'установить, что подпись создана до компрометации.'
        )
    return PASSED, f'{said} — уже после момента подписания {format_moment(moment)}: на момент подписания действовал.'
