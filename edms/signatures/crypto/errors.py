"""Errors of the cryptographic layer: each refusal a user can cause is its own class with a Russian message.

All are `DomainError`s with status 422, so the web and API layers answer them as input errors, never as a 500.
Messages never contain a password or key material.
"""

from __future__ import annotations

from edms.core.errors import DomainError


class CryptoError(DomainError):
    """Base of the errors raised by `edms.signatures.crypto`."""

    code = 'crypto_error'
    status = 422
    message = 'Ошибка обработки криптографических данных.'


class UnsupportedAlgorithm(CryptoError):
    """No configured backend handles this key or digest algorithm (or the pair does not go together)."""

    code = 'unsupported_algorithm'
    message = 'Алгоритм подписи или хэширования не поддерживается.'


class KeyFormatError(CryptoError):
    """A private or public key could not be read."""

    code = 'key_format_error'
    message = 'Ключ повреждён или записан в неизвестном формате.'


class BadCertificate(CryptoError):
    """The bytes are not an X.509 certificate."""

    code = 'bad_certificate'
    message = 'Файл не является сертификатом X.509 или повреждён.'


class WrongPassword(CryptoError):
    """The PKCS#12 password does not open the container (its MAC does not verify)."""

    code = 'pkcs12_wrong_password'
    message = 'Неверный пароль к контейнеру ключа (PKCS#12).'


class BrokenContainer(CryptoError):
    """The file is not a readable PKCS#12 container."""

    code = 'pkcs12_broken'
    message = 'Файл повреждён или не является контейнером PKCS#12 (.pfx, .p12).'


class NoPrivateKey(CryptoError):
    """A certificate alone (.cer, .crt, .pem) or a container without a key was given where a key is needed."""

    code = 'pkcs12_no_private_key'
    message = (
        'В файле нет закрытого ключа: это только сертификат (.cer, .crt). '
        'Для подписания на сервере загрузите контейнер PKCS#12 (.pfx, .p12) с ключом.'
    )


class NoCertificate(CryptoError):
    """The container holds a key but no certificate for it."""

    code = 'pkcs12_no_certificate'
    message = 'В контейнере PKCS#12 нет сертификата, соответствующего закрытому ключу.'


class KeyMismatch(CryptoError):
    """The certificate in the container does not belong to its private key."""

    code = 'pkcs12_key_mismatch'
    message = 'Сертификат в контейнере не соответствует закрытому ключу.'


class GostUnavailable(CryptoError):
    """A GOST container needs the OpenSSL GOST engine, and it is not installed."""

    code = 'gost_unavailable'
    message = (
        'Контейнер защищён по ГОСТ, а криптографический модуль ГОСТ (OpenSSL GOST engine) не установлен на сервере.'
    )


class CertificateExpired(CryptoError):
    """The certificate's validity period is over."""

    code = 'certificate_expired'
    message = 'Срок действия сертификата истёк.'


class CertificateNotYetValid(CryptoError):
    """The certificate's validity period has not begun."""

    code = 'certificate_not_yet_valid'
    message = 'Срок действия сертификата ещё не начался.'


class SigningNotAllowed(CryptoError):
    """The key usage of the certificate has neither digitalSignature nor nonRepudiation."""

    code = 'certificate_signing_not_allowed'
    message = (
        'Назначение ключа в сертификате не разрешает электронную подпись '
        '(нет digitalSignature и nonRepudiation в keyUsage).'
    )
