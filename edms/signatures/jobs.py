"""Jobs of the signatures module: refreshing the CRLs of the trusted CAs from their distribution points.

`refresh_crls()` runs daily (edms/core/schedule.py) and from `flask --app wsgi edms trust refresh-crls`. It fetches
each http/https distribution point with urllib (a timeout, a size limit, redirects only to http/https), and stores a
CRL only when a trusted CA's key verifies it and it is newer than the stored one; the same CRL again changes
nothing, so the job is idempotent. No network, a dead URL or a foreign CRL is logged and skipped, never a crash.
Nothing is fetched inside a database transaction; each CRL is stored in its own.
"""

from __future__ import annotations

import http.client
import logging
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.error import URLError
from urllib.parse import urlsplit

from flask import current_app

from edms.core.access import SYSTEM
from edms.core.errors import DomainError
from edms.core.tx import atomic
from edms.signatures.operations.truststore import MAX_CRL_SIZE, store_crl
from edms.signatures.queries import crl_distribution_points

logger = logging.getLogger(__name__)

#: Seconds to wait for a distribution point (EDMS_CRL_FETCH_TIMEOUT).
DEFAULT_TIMEOUT = 20.0
_SCHEMES = ('http', 'https')


class CrlFetchFailed(Exception):
    """A distribution point gave no CRL: no network, an HTTP error, a timeout, a forbidden scheme, too large."""


@dataclass
class CrlRefresh:
    """What one run did with each URL: stored a newer CRL, found the same one, or failed (with the reason)."""

    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def refresh_crls(urls: list[str] | None = None) -> CrlRefresh:
    """Fetch the CRLs of the trusted CAs (or of `urls`) and store the newer ones; returns what happened."""
    if urls is None:
        with atomic():
            urls = crl_distribution_points()
    timeout = float(current_app.config.get('CRL_FETCH_TIMEOUT', DEFAULT_TIMEOUT))
    max_size = int(current_app.config.get('CRL_MAX_SIZE', MAX_CRL_SIZE))
    result = CrlRefresh()
    for url in urls:
        try:
            data = fetch_crl(url, timeout=timeout, max_size=max_size)
            with atomic():
                _, changed = store_crl(SYSTEM, data, url)
        except (CrlFetchFailed, DomainError) as error:
            reason = error.message if isinstance(error, DomainError) else str(error)
            logger.warning('CRL from %s skipped: %s', url, reason)
            result.failed[url] = reason
            continue
        (result.updated if changed else result.unchanged).append(url)
    logger.info(
        'CRL refresh: %d updated, %d unchanged, %d failed',
        len(result.updated),
        len(result.unchanged),
        len(result.failed),
    )
    return result


def fetch_crl(url: str, *, timeout: float, max_size: int) -> bytes:
    """The bytes at an http/https URL, at most `max_size`; CrlFetchFailed for anything else."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in _SCHEMES or not parts.netloc:
        raise CrlFetchFailed(f'адрес {url} не http/https: не загружается')
    opener = urllib.request.build_opener(_HttpOnlyRedirects())
    request = urllib.request.Request(url, headers={'User-Agent': 'EDMS-CRL-refresh/1.0'})  # noqa: S310 - scheme checked
    try:
        with opener.open(request, timeout=timeout) as response:
            declared = response.headers.get('Content-Length')
            if declared and declared.isdigit() and int(declared) > max_size:
                raise CrlFetchFailed(f'размер {declared} байт больше допустимого {max_size}')
            data = response.read(max_size + 1)
    except CrlFetchFailed:
        raise
    except (URLError, OSError, ValueError, http.client.HTTPException) as error:
        raise CrlFetchFailed(f'не удалось загрузить: {error}') from error
    if len(data) > max_size:
        raise CrlFetchFailed(f'список больше допустимого размера {max_size} байт')
    return data


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to http/https (urllib would also follow one to ftp)."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        if urlsplit(newurl).scheme.lower() not in _SCHEMES:
            return None
        return super().redirect_request(req, fp, code, msg, headers, newurl)
