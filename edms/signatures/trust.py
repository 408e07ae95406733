"""The trust data of verifications, built from the active trust store and its CRLs and cached in the process.

`trust_data(now)` is cheap to call for every verification: the store is read once and kept in the application's
extensions with a stamp (row counts, newest change and newest id of both tables). Every call compares the stamp with
one small statement in the caller's own transaction (READ COMMITTED: each statement sees what is committed), so a
change committed by another process (the CRL job in a worker, an administrator on another app server) is seen at
once. The store itself is loaded, with the stamp it is kept under, on a connection of its own, so rows of an
uncommitted transaction never enter the cache: a transaction that changed the store itself reads another stamp than
the committed one and gets the committed data (loaded again on each call until it ends). Operations that change the
store also drop the cache after their commit (`invalidate_trust_data`), as the calendar cache does. The parsed
trust index and the fingerprint do not depend on `now`: they are computed once per stamp and shared by the TrustData
of every call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import Select, func, select

from edms.core.clock import utcnow
from edms.core.db import db
from edms.signatures.crypto.verify import TrustData
from edms.signatures.models import CertificateRevocationList, TrustedCertificate

_KEY = 'edms_signature_trust'


def _stamp_statement() -> Select[Any]:
    """Count, newest change and newest id of the trusted certificates and of the CRLs, in one statement."""
    values: list[Any] = []
    for model in (TrustedCertificate, CertificateRevocationList):
        values += [select(func.count(model.id)), select(func.max(model.updated_at)), select(func.max(model.id))]
    return select(*(value.scalar_subquery() for value in values))


#: Built once: the stamp is read before every verification, and building the statement cost more than running it.
_STAMP = _stamp_statement()


@dataclass(frozen=True)
class _Cached:
    stamp: tuple[Any, ...]
    template: TrustData


def trust_data(now: datetime | None = None) -> TrustData:
    """TrustData of the active store (roots as anchors, intermediates, CRLs of active CAs, accredited) at `now`."""
    now = now or utcnow()
    cached: _Cached | None = current_app.extensions.get(_KEY)
    if cached is None or cached.stamp != _stamp(db.session.connection()):
        with db.engine.connect() as connection:
            cached = _Cached(_stamp(connection), _load(connection))
        current_app.extensions[_KEY] = cached
    return _at(cached.template, now)


def invalidate_trust_data() -> None:
    """Forget the cached trust data of this application (called after a change of the store is committed)."""
    current_app.extensions.pop(_KEY, None)


def _stamp(connection: Any) -> tuple[Any, ...]:
    return tuple(connection.execute(_STAMP).one())


def _load(connection: Any) -> TrustData:
    rows = connection.execute(
        select(
            TrustedCertificate.certificate_der,
            TrustedCertificate.fingerprint,
            TrustedCertificate.is_root,
            TrustedCertificate.is_accredited,
        )
        .where(TrustedCertificate.is_active.is_(True))
        .order_by(TrustedCertificate.id)
    ).all()
    active = {row.fingerprint for row in rows}
    crls = connection.execute(
        select(CertificateRevocationList.der, CertificateRevocationList.issuer_fingerprint).order_by(
            CertificateRevocationList.id
        )
    ).all()
    template = TrustData(
        anchors=[bytes(row.certificate_der) for row in rows if row.is_root],
        intermediates=[bytes(row.certificate_der) for row in rows if not row.is_root],
        crls=[bytes(row.der) for row in crls if row.issuer_fingerprint in active],
        accredited={row.fingerprint for row in rows if row.is_accredited},
        now=utcnow(),
    )
    template.index  # noqa: B018 - parse the store once, here, not in every verification
    template.fingerprint  # noqa: B018
    return template


def _at(template: TrustData, now: datetime) -> TrustData:
    """The template at another moment, sharing its parsed index and fingerprint (neither depends on `now`)."""
    data = TrustData(
        anchors=template.anchors,
        intermediates=template.intermediates,
        crls=template.crls,
        accredited=template.accredited,
        now=now,
    )
    data.__dict__['index'] = template.index  # cached_property values: independent of `now`
    data.__dict__['fingerprint'] = template.fingerprint
    return data
