"""One HTTP POST to another system (a partner's packet endpoint, the SMS gateway) that follows no redirect: the
status of a 2xx answer; an error answer (a redirect included) as `urllib.error.HTTPError` for the caller to judge; a
timeout, a refused or a broken connection as `NetworkFailure`, which the caller words for its journal.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Literal

#: The largest part of an answer read (and kept for the journal by the caller).
ANSWER_EXCERPT = 500


class NetworkFailure(Exception):
    """No answer came: `kind` says why (`timeout`, `connection` refused or unreachable, `broken` exchange); `detail`
    is the underlying reason as text."""

    def __init__(self, kind: Literal['timeout', 'connection', 'broken'], detail: str = '') -> None:
        super().__init__(f'{kind}: {detail}')
        self.kind = kind
        self.detail = detail


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is not followed (a POST must not turn into a GET elsewhere): it comes back as an HTTPError."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def post(url: str, data: bytes, headers: Mapping[str, str], timeout: float) -> int:
    """POST `data` to the http(s) `url` (the caller checked the scheme); the HTTP status of a 2xx answer."""
    request = urllib.request.Request(url, data=data, headers=dict(headers), method='POST')  # noqa: S310 - http(s) only
    try:
        with urllib.request.build_opener(_NoRedirects).open(request, timeout=timeout) as response:
            response.read(ANSWER_EXCERPT)
            return int(response.status)
    except urllib.error.HTTPError:
        raise
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise NetworkFailure('timeout') from None
        raise NetworkFailure('connection', str(error.reason)) from None
    except TimeoutError:
        raise NetworkFailure('timeout') from None
    except (OSError, http.client.HTTPException) as error:
        raise NetworkFailure('broken', f'{type(error).__name__}: {error}') from None
