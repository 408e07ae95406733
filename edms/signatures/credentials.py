"""The credentials a signing form or API body gives — a stored certificate of the signer and its key container's
password — and the refusals of signing with them as the messages of those two fields, the same for the card's
signing forms, the manager's cabinet, the approval of an application and the notice of an annulment."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from edms.core.errors import ValidationFailed
from edms.signatures.crypto.errors import CryptoError, WrongPassword
from edms.signatures.errors import CertificateNotFound, NoContainer

CERTIFICATE, PASSWORD = 'certificate_id', 'password'
CERTIFICATE_LABEL = '«Сертификат»'
PASSWORD_LABEL = '«Пароль к контейнеру ключа»'
#: Unknown and someone else's certificates alike: nothing is said about which it is.
NOT_YOURS = 'такого сертификата нет среди ваших сертификатов.'


@contextmanager
def credential_fields() -> Iterator[None]:
    """A wrong password as the message of `password`; an unusable, unknown or foreign certificate (no container, a
    key that cannot sign this) as the message of `certificate_id`."""
    try:
        yield
    except WrongPassword as error:
        raise ValidationFailed(fields={PASSWORD: f'{PASSWORD_LABEL}: {error.message}'}) from error
    except CertificateNotFound as error:
        raise ValidationFailed(fields={CERTIFICATE: f'{CERTIFICATE_LABEL}: {NOT_YOURS}'}) from error
    except (CryptoError, NoContainer) as error:
        raise ValidationFailed(fields={CERTIFICATE: f'{CERTIFICATE_LABEL}: {error.message}'}) from error
