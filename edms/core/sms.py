"""The SMS gateway: one HTTP POST of JSON {"phone": "+79…", "text": "…"} to `SMS_GATEWAY_URL` (with
`Authorization: Bearer <SMS_GATEWAY_TOKEN>` when a token is set) within `SMS_GATEWAY_TIMEOUT` seconds.

Any 2xx answer is a delivery to the gateway. A 5xx, 408/429, a timeout or a refused connection is `SmsTemporaryFailure`
(a later try may pass); another 4xx or a bad address is `SmsPermanentFailure`. Redirects are not followed.
"""

from __future__ import annotations

import json
import urllib.error
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from edms.core.http_post import NetworkFailure, post

RETRYABLE = (408, 429)


class SmsFailure(Exception):
    """The gateway did not take the message."""


class SmsTemporaryFailure(SmsFailure):
    """A later attempt may succeed."""


class SmsPermanentFailure(SmsFailure):
    """Sending the same message again cannot succeed."""


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
    try:
        return post(url, body, headers, timeout)
    except urllib.error.HTTPError as error:
        error.close()
        answer = f'SMS-шлюз ответил {error.code} {error.reason}.'
        retry = error.code >= 500 or error.code in RETRYABLE
        raise (SmsTemporaryFailure(answer) if retry else SmsPermanentFailure(answer)) from None
    except NetworkFailure as failure:
        raise SmsTemporaryFailure(_unanswered(failure, parts.hostname, timeout)) from None


def _unanswered(failure: NetworkFailure, host: str, timeout: float) -> str:
    if failure.kind == 'timeout':
        return f'Нет ответа SMS-шлюза {host} за {timeout:g} с.'
    if failure.kind == 'connection':
        return f'Нет соединения с SMS-шлюзом {host}: {failure.detail}.'
    return f'Обмен с SMS-шлюзом прерван: {failure.detail}.'
