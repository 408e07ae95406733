"""Errors of the signatures module (storage and operations); the cryptographic refusals live in crypto/errors.py."""

from __future__ import annotations

from edms.core.errors import Conflict, DomainError, NotFound
from edms.signatures.crypto.errors import UnsupportedAlgorithm

#: Key algorithms pyHanko can sign a PDF with (it has no GOST R 34.11-2012 digest).
PADES_KEYS = frozenset({'rsa', 'ec'})


class CertificateNotFound(NotFound):
    code = 'certificate_not_found'
    message = 'Сертификат не найден.'


class TrustedCertificateNotFound(NotFound):
    code = 'trusted_certificate_not_found'
    message = 'Сертификат не найден в хранилище доверенных сертификатов.'


class SignatureNotFound(NotFound):
    code = 'signature_not_found'
    message = 'Электронная подпись не найдена.'


class VerificationNotFound(NotFound):
    code = 'verification_not_found'
    message = 'Результат проверки подписи не найден.'


class BindingRefused(DomainError):
    """The certificate's СНИЛС, ОГРН or ИНН ЮЛ do not match the user and the user's organization."""

    code = 'certificate_binding_refused'
    status = 422
    message = 'Сертификат нельзя привязать к пользователю.'

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__(f'Сертификат нельзя привязать к пользователю: {"; ".join(problems)}.')


class CertificateAlreadyBound(Conflict):
    code = 'certificate_already_bound'
    message = 'Этот сертификат уже привязан к пользователю.'


class NotCaCertificate(DomainError):
    """Only CA certificates (basicConstraints CA:TRUE) enter the trust store."""

    code = 'not_ca_certificate'
    status = 422
    message = 'В хранилище доверенных сертификатов добавляются только сертификаты удостоверяющих центров.'


class CrlRefused(DomainError):
    """The CRL cannot be read, is not signed by a trusted CA, or is older than the one stored."""

    code = 'crl_refused'
    status = 422
    message = 'Список отзыва сертификатов не принят.'


class NoContainer(Conflict):
    code = 'certificate_without_key'
    message = (
        'Для этого сертификата на сервере нет контейнера с ключом: подпишите файл своим средством электронной '
        'подписи и загрузите файл подписи.'
    )


class AlreadySigned(Conflict):
    code = 'already_signed'
    message = 'Файл уже подписан этим сертификатом: у каждого подписанта один файл подписи на файл.'


class SignatureRefused(DomainError):
    """A client signature was verified and not accepted; `record_id` names the stored verification report."""

    code = 'signature_refused'
    status = 422
    message = 'Подпись не принята.'

    def __init__(self, message: str, *, record_id: int | None = None, failed: list[str] | None = None) -> None:
        self.record_id = record_id
        self.failed = list(failed or [])
        super().__init__(message)


class GostPadesUnsupported(UnsupportedAlgorithm):
    """A GOST key cannot make a PAdES signature (pyhanko has no GOST R 34.11-2012 digest)."""

    code = 'pades_gost_unsupported'
    message = (
        'Подпись по ГОСТ Р 34.10-2012 внутри PDF (PAdES) не поддерживается библиотекой pyHanko, которой система '
        'подписывает PDF. Подпишите документ откреплённой подписью ГОСТ (файл .sig в формате CMS): она равноценна '
        'и принимается в МЭДО.'
    )
