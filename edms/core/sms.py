"""The SMS gateway: one HTTP POST of JSON {"phone": "+79…", "text": "…"} to `SMS_GATEWAY_URL` (with
`Authorization: Bearer <SMS_GATEWAY_TOKEN>` when a token is set) within `SMS_GATEWAY_TIMEOUT` seconds.

Any 2xx answer is a delivery to the gateway. A 5xx, 408/429, a timeout or a refused connection is `SmsTemporaryFailure`
(a later try may pass); another 4xx or a bad address is `SmsPermanentFailure`. Redirects are not followed.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

ANSWER_EXCERPT = 500
RETRYABLE = (408, 429)


class SmsFailure(Exception):
    """The gateway did not take the message."""


class SmsTemporaryFailure(SmsFailure):
    """A later attempt may succeed."""


class SmsPermanentFailure(SmsFailure):
    """Sending the same message again cannot succeed."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def gateway_configured(config: Mapping[str, Any]) -> bool:
    return bool(config.get('SMS_GATEWAY_URL'))


def send_sms(config: Mapping[str, Any], phone: str, text: str) -> int:
    """Hand the message to the configured gateway; returns the HTTP status of its 2xx answer."""
    url = str(config.get('SMS_GATEWAY_URL') or '')
    parts = urlsplit(url)
    if parts.scheme not in ('http', 'https') or not parts.hostname:
        raise SmsPermanentFailure(f'Адрес SMS-шлюза недопустим: «{url}» (нужен http или https).')
    timeout = float(config.get('SMS_GATEWAY_TIMEOUT') or 10)
    headers = {'Content-Type': 'application/json; charset=utf-8', 'Accept': 'application/json, */*'}
    if config.get('SMS_GATEWAY_TOKEN'):
        headers['Authorization'] = f'Bearer {config["SMS_GATEWAY_TOKEN"]}'
    body = json.dumps({'phone': phone, 'text': text}, ensure_ascii=False).encode('utf-8')
    request = urllib.request.Request(url, data=body, headers=headers, method='POST')  # noqa: S310 - http(s) only
    try:
        with urllib.request.build_opener(_NoRedirects).open(request, timeout=timeout) as response:
            response.read(ANSWER_EXCERPT)
            return int(response.status)
    except urllib.error.HTTPError as error:
        error.close()
        answer = f'SMS-шлюз ответил {error.code} {error.reason}.'
        retry = error.code >= 500 or error.code in RETRYABLE
        raise (SmsTemporaryFailure(answer) if retry else SmsPermanentFailure(answer)) from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise SmsTemporaryFailure(f'Нет ответа SMS-шлюза {parts.hostname} за {timeout:g} с.') from None
        raise SmsTemporaryFailure(f'Нет соединения с SMS-шлюзом {parts.hostname}: {error.reason}.') from None
    except TimeoutError:
        raise SmsTemporaryFailure(f'Нет ответа SMS-шлюза {parts.hostname} за {timeout:g} с.') from None
    except (OSError, http.client.HTTPException) as error:
        raise SmsTemporaryFailure(f'Обмен с SMS-шлюзом прерван: {type(error).__name__}: {error}.') from None
