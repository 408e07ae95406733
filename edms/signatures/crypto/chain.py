"""Certificate paths: from the signer's certificate through intermediates to a trust anchor, and the checks on a path.

`view_of(der)` reads once, and caches, the facts of a certificate that path building needs (names, keys, validity,
key usage, basic constraints, key identifiers, the to-be-signed bytes and the signature). `build_path` searches
depth-first from the signer: issuers are looked up by name (the exact DER first, the RFC 5280 normalized form
after), narrowed by the authority/subject key identifiers, and each link is accepted only when the child's
signature verifies with the issuer's key through the backend of that key's algorithm. A loop, a path longer than
`MAX_PATH_LENGTH`, a self-signed root that is not a trust anchor and a missing issuer are each reported in Russian.
Signature results are cached by the pair of certificate fingerprints (a pure function of the two certificates).

`check_validity` and `check_key_usage` judge a built path at a moment (the signing time).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property, lru_cache

from asn1crypto import core, x509

from edms.signatures.crypto import oids
from edms.signatures.crypto.backends import get_backend
from edms.signatures.crypto.report import FAILED, NOT_CHECKED, PASSED, Status, format_moment, key_usage_names

MAX_PATH_LENGTH = 10
#: Nodes the depth-first search may visit before it gives up (many certificates with one name).
SEARCH_BUDGET = 200
_SIGNING_USAGES = frozenset({'digital_signature', 'non_repudiation'})
#: Extensions this code understands or that do not restrict a path; any other critical extension fails the chain.
_KNOWN_EXTENSIONS = frozenset(
    {
        '2.5.29.14', '2.5.29.15', '2.5.29.16', '2.5.29.17', '2.5.29.18', '2.5.29.19', '2.5.29.31', '2.5.29.32',
        '2.5.29.35', '2.5.29.37', '2.5.29.46', '1.3.6.1.5.5.7.1.1', '1.3.6.1.5.5.7.1.3',
        oids.SUBJECT_SIGN_TOOL, oids.ISSUER_SIGN_TOOL, '1.2.643.100.114',
    }
)  # fmt: skip


@dataclass(frozen=True, eq=False)
class CertView:
    """The facts of one certificate used by path building and verification. Identity is the DER (`view_of` caches)."""

    der: bytes
    fingerprint: str
    subject_der: bytes
    issuer_der: bytes
    serial: int
    ski: bytes | None
    aki: bytes | None
    not_before: datetime
    not_after: datetime
    key_usage: frozenset[str] | None
    is_ca: bool | None
    path_len: int | None
    key_oid: str
    spki: bytes
    tbs: bytes
    signature_oid: str
    signature: bytes
    private_key_period: tuple[datetime | None, datetime | None] | None
    unknown_critical: tuple[str, ...]
    name: str

    @property
    def label(self) -> str:
        """«Common name» (серийный номер …) — how reports name a certificate."""
        return f'«{self.name}» (серийный номер {self.serial:X})'

    @property
    def self_issued(self) -> bool:
        return self.subject_der == self.issuer_der or self.subject_key == self.issuer_key

    @cached_property
    def subject_key(self) -> str:
        return name_key(self.subject_der)

    @cached_property
    def issuer_key(self) -> str:
        return name_key(self.issuer_der)

    def issued_by_name(self, name_der: bytes) -> bool:
        return name_der == self.issuer_der or name_key(name_der) == self.issuer_key


@lru_cache(maxsize=4096)
def name_key(name_der: bytes) -> str:
    """The RFC 5280 comparison form of a Name (case and spaces folded); the DER itself if asn1crypto cannot."""
    try:
        return x509.Name.load(name_der).hashable
    except Exception:
        return name_der.hex()


@lru_cache(maxsize=2048)
def view_of(der: bytes) -> CertView:
    """Parse a DER certificate once; ValueError (or another asn1crypto error) when it is not one."""
    cert = x509.Certificate.load(der, strict=True)
    tbs = cert['tbs_certificate']
    ext = _Extensions.read(tbs['extensions'])
    validity = tbs['validity']
    return CertView(
        der=der,
        fingerprint=hashlib.sha256(der).hexdigest(),
        subject_der=tbs['subject'].dump(),
        issuer_der=tbs['issuer'].dump(),
        serial=tbs['serial_number'].native,
        ski=ext.ski,
        aki=ext.aki,
        not_before=validity['not_before'].native,
        not_after=validity['not_after'].native,
        key_usage=ext.key_usage,
        is_ca=ext.is_ca,
        path_len=ext.path_len,
        key_oid=tbs['subject_public_key_info']['algorithm']['algorithm'].dotted,
        spki=tbs['subject_public_key_info'].dump(),
        tbs=tbs.dump(),
        signature_oid=cert['signature_algorithm']['algorithm'].dotted,
        signature=cert['signature_value'].native,
        private_key_period=ext.private_key_period,
        unknown_critical=tuple(ext.unknown_critical),
        name=_common_name(tbs['subject']),
    )


@dataclass
class _Extensions:
    ski: bytes | None = None
    aki: bytes | None = None
    key_usage: frozenset[str] | None = None
    is_ca: bool | None = None
    path_len: int | None = None
    private_key_period: tuple[datetime | None, datetime | None] | None = None
    unknown_critical: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, extensions: core.Asn1Value) -> _Extensions:
        found = cls()
        if isinstance(extensions, core.Void):
            return found
        for extension in extensions:
            oid = extension['extn_id'].dotted
            if oid == '2.5.29.14':
                found.ski = extension['extn_value'].parsed.native
            elif oid == '2.5.29.35':
                found.aki = extension['extn_value'].parsed['key_identifier'].native
            elif oid == '2.5.29.15':
                found.key_usage = frozenset(extension['extn_value'].parsed.native)
            elif oid == '2.5.29.19':
                constraints = extension['extn_value'].parsed
                found.is_ca, found.path_len = constraints['ca'].native, constraints['path_len_constraint'].native
            elif oid == '2.5.29.16':
                period = extension['extn_value'].parsed
                found.private_key_period = (period['not_before'].native, period['not_after'].native)
            elif extension['critical'].native and oid not in _KNOWN_EXTENSIONS:
                found.unknown_critical.append(oid)
        return found


def _common_name(name: x509.Name) -> str:
    for rdn in name.chosen:
        for attribute in rdn:
            if attribute['type'].dotted == oids.COMMON_NAME:
                return str(attribute['value'].native).strip()
    try:
        return name.human_friendly
    except Exception:
        return 'без имени'


# --- signatures of certificates and CRLs ----------------------------------------------------------------------------

_SIGNATURE_CACHE: dict[tuple[str, str], bool | None] = {}


def clear_caches() -> None:
    """Forget cached signature results and parsed certificates (tests switching backends, benchmarks)."""
    _SIGNATURE_CACHE.clear()
    view_of.cache_clear()


def signed_by(tbs: bytes, signature_oid: str, signature: bytes, issuer: CertView, cache_key: str) -> bool | None:
    """Does `issuer`'s key verify `signature` over `tbs`? None when the algorithm is not supported (not checked).

    `cache_key` identifies the signed object (a fingerprint): results are cached per (object, issuer) pair.
    """
    key = (cache_key, issuer.fingerprint)
    if key in _SIGNATURE_CACHE:
        return _SIGNATURE_CACHE[key]
    result = _verify(tbs, signature_oid, signature, issuer)
    if len(_SIGNATURE_CACHE) > 8192:
        _SIGNATURE_CACHE.clear()
    _SIGNATURE_CACHE[key] = result
    return result


def _verify(tbs: bytes, signature_oid: str, signature: bytes, issuer: CertView) -> bool | None:
    parts = oids.SIGNATURE_ALGORITHM_PARTS.get(signature_oid)
    if parts is None:
        return None
    key_oid, digest_oid = parts
    if key_oid != issuer.key_oid:
        return False
    try:
        backend = get_backend(issuer.key_oid)
    except Exception:
        return None
    try:
        return bool(backend.verify(issuer.spki, digest_oid, tbs, signature))
    except Exception:
        return False


def certificate_signed_by(child: CertView, issuer: CertView) -> bool | None:
    return signed_by(child.tbs, child.signature_oid, child.signature, issuer, child.fingerprint)


# --- path building --------------------------------------------------------------------------------------------------


class CertPool:
    """Certificates indexed by subject name (DER and normalized) and by subject key identifier."""

    def __init__(self, views: Iterable[CertView] = ()) -> None:
        self.views: dict[str, CertView] = {}
        for view in views:
            self.views.setdefault(view.fingerprint, view)
        self._by_der: dict[bytes, list[CertView]] = {}
        for view in sorted(self.views.values(), key=lambda v: v.fingerprint):
            self._by_der.setdefault(view.subject_der, []).append(view)
        self._by_key: dict[str, list[CertView]] | None = None

    def __contains__(self, view: CertView) -> bool:
        return view.fingerprint in self.views

    def __iter__(self) -> Iterator[CertView]:
        return iter(sorted(self.views.values(), key=lambda v: v.fingerprint))

    def issuers_of(self, cert: CertView) -> list[CertView]:
        found = self._by_der.get(cert.issuer_der)
        if found is None:
            if self._by_key is None:
                self._by_key = {}
                for view in sorted(self.views.values(), key=lambda v: v.fingerprint):
                    self._by_key.setdefault(view.subject_key, []).append(view)
            found = self._by_key.get(cert.issuer_key, [])
        if cert.aki is None:
            return list(found)
        return [view for view in found if view.ski is None or view.ski == cert.aki]


@dataclass(frozen=True)
class ChainResult:
    """The path found (signer first; the anchor last when `anchored`) and the chain check's status and detail."""

    path: tuple[CertView, ...]
    anchored: bool
    status: Status
    detail: str


@dataclass
class _Search:
    anchors: CertPool
    pools: tuple[CertPool, ...]
    budget: int = SEARCH_BUDGET
    failure: tuple[tuple[CertView, ...], str] | None = None
    unsupported: str | None = None

    def fail(self, path: tuple[CertView, ...], message: str) -> None:
        if self.failure is None or len(path) > len(self.failure[0]):
            self.failure = (path, message)

    def candidates(self, cert: CertView) -> list[CertView]:
        seen: dict[str, CertView] = {}
        for pool in (self.anchors, *self.pools):
            for view in pool.issuers_of(cert):
                seen.setdefault(view.fingerprint, view)
        return list(seen.values())

    def walk(self, path: tuple[CertView, ...]) -> tuple[CertView, ...] | None:
        cert = path[-1]
        if cert in self.anchors:
            return path
        if len(path) >= MAX_PATH_LENGTH:
            self.fail(path, f'Цепочка сертификатов длиннее {MAX_PATH_LENGTH}: доверенный корневой не достигнут.')
            return None
        issuers = self.candidates(cert)
        if not issuers:
            self.fail(path, _no_issuer(cert))
        for issuer in issuers:
            self.budget -= 1
            if self.budget < 0:
                self.fail(path, 'Слишком много вариантов цепочки сертификатов: построение прекращено.')
                return None
            found = self._try(path, cert, issuer)
            if found is not None:
                return found
        return None

    def _try(self, path: tuple[CertView, ...], cert: CertView, issuer: CertView) -> tuple[CertView, ...] | None:
        if issuer.fingerprint == cert.fingerprint:
            self.fail(path, f'Корневой сертификат {cert.label} не входит в число доверенных.')
            return None
        if any(issuer.fingerprint == seen.fingerprint for seen in path):
            loop = ' → '.join(view.label for view in (*path, issuer))
            self.fail((*path, issuer), f'Цепочка сертификатов зацикливается: {loop}.')
            return None
        verified = certificate_signed_by(cert, issuer)
        if verified is None:
            self.unsupported = f'Алгоритм подписи сертификата {cert.label} ({cert.signature_oid}) не поддерживается.'
            return None
        if not verified:
            self.fail(path, f'Подпись сертификата {cert.label} не подтверждается ключом сертификата {issuer.label}.')
            return None
        return self.walk((*path, issuer))


def _no_issuer(cert: CertView) -> str:
    if cert.self_issued:
        return f'Корневой сертификат {cert.label} не входит в число доверенных.'
    return f'Не найден сертификат издателя сертификата {cert.label} ни в подписи, ни в доверенных данных.'


def build_path(leaf: CertView, anchors: CertPool, *pools: CertPool) -> ChainResult:
    """Search a path from `leaf` to one of `anchors` through certificates of `pools` (and of `anchors`)."""
    search = _Search(anchors=anchors, pools=pools)
    path = search.walk((leaf,))
    if path is not None:
        links = ' → '.join(view.label for view in path)
        detail = f'Цепочка построена до доверенного корневого сертификата: {links}.'
        if leaf.unknown_critical or any(view.unknown_critical for view in path):
            oids_ = sorted({oid for view in path for oid in view.unknown_critical})
            unknown = f'Но в ней есть неизвестные критичные расширения: {", ".join(oids_)}.'
            return ChainResult(path, True, FAILED, f'{detail} {unknown}')
        return ChainResult(path, True, PASSED, detail)
    if search.failure is None and search.unsupported is not None:
        return ChainResult((leaf,), False, NOT_CHECKED, search.unsupported)
    partial, message = search.failure or ((leaf,), _no_issuer(leaf))
    if search.unsupported is not None:
        message = f'{message} {search.unsupported}'
    return ChainResult(partial, False, FAILED, message)


# --- checks on a path -----------------------------------------------------------------------------------------------


def check_validity(path: tuple[CertView, ...], moment: datetime) -> tuple[Status, str]:
    """Every certificate of the path within its validity at `moment`; the signer also within its key usage period."""
    problems = []
    for view in path:
        period = f'действовал с {format_moment(view.not_before)} по {format_moment(view.not_after)}'
        if moment < view.not_before:
            problems.append(f'Сертификат {view.label} {period}: на момент подписания срок ещё не начался.')
        elif moment > view.not_after:
            problems.append(f'Сертификат {view.label} {period}: на момент подписания срок уже истёк.')
    problem = _private_key_period(path[0], moment)
    if problem:
        problems.append(problem)
    if problems:
        return FAILED, ' '.join(problems)
    return PASSED, f'Все сертификаты цепочки ({len(path)}) действовали на момент {format_moment(moment)}.'


def _private_key_period(leaf: CertView, moment: datetime) -> str | None:
    if leaf.private_key_period is None:
        return None
    start, end = leaf.private_key_period
    if (start is not None and moment < start) or (end is not None and moment > end):
        since = format_moment(start) if start else '—'
        until = format_moment(end) if end else '—'
        return f'Закрытый ключ сертификата {leaf.label} можно было использовать с {since} по {until}.'
    return None


def check_key_usage(path: tuple[CertView, ...], anchors: CertPool) -> tuple[Status, str]:
    """The signer may sign (digitalSignature or nonRepudiation); each CA may issue certificates (cA, keyCertSign)."""
    problems = []
    leaf = path[0]
    if leaf.key_usage is not None and not leaf.key_usage & _SIGNING_USAGES:
        usages = key_usage_names(leaf.key_usage) or 'пусто'
        problems.append(
            f'Назначение ключа сертификата подписанта {leaf.label} ({usages}) не разрешает электронную подпись: '
            'нужно digitalSignature или nonRepudiation.'
        )
    for depth, ca in enumerate(path[1:], start=1):
        problems.extend(_ca_problems(path, depth, ca, anchors))
    if problems:
        return FAILED, ' '.join(problems)
    signer = key_usage_names(leaf.key_usage & _SIGNING_USAGES) if leaf.key_usage else 'без ограничений'
    return PASSED, f'Ключ подписанта предназначен для подписи ({signer}); сертификаты УЦ разрешают выпуск сертификатов.'


def _ca_problems(path: tuple[CertView, ...], depth: int, ca: CertView, anchors: CertPool) -> list[str]:
    problems = []
    if ca.is_ca is not True and ca not in anchors:
        problems.append(f'Сертификат {ca.label} выпустил другой сертификат, но не является сертификатом УЦ (cA).')
    if ca.key_usage is not None and 'key_cert_sign' not in ca.key_usage:
        problems.append(f'Назначение ключа сертификата {ca.label} не разрешает выпуск сертификатов (keyCertSign).')
    below = sum(1 for view in path[1:depth] if not view.self_issued)
    if ca.path_len is not None and below > ca.path_len:
        problems.append(f'Сертификат {ca.label} ограничивает длину цепочки ({ca.path_len}), а ниже него {below} УЦ.')
    return problems
