"""The one refusal of packet reading: `PacketRejected`, with a reason code from a fixed list and a Russian message.

The reason codes are the keys of the «Ошибки обмена» list (quarantine) and of negative receipts; nothing else may
escape the readers — anything unexpected is wrapped as `unsupported` with its detail.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from edms.core.errors import ValidationFailed

#: reason code -> Russian title (for the quarantine list and receipts)
REASON_TITLES: dict[str, str] = {
    'not_xml': 'Файл не является корректным XML',
    'xsd': 'Нарушена схема сообщения',
    'doctype': 'Объявления DOCTYPE и ENTITY не допускаются',
    'oversize': 'Превышен допустимый размер',
    'zip_bomb': 'Архив распаковывается в недопустимый объём',
    'zip_path': 'Недопустимые имена файлов в архиве',
    'files_mismatch': 'Состав файлов не совпадает с конвертом',
    'signature': 'Электронная подпись не прошла проверку',
    'unknown_addressee': 'Неизвестный адресат',
    'unsupported': 'Пакет не поддерживается',
}
REASON_CODES: tuple[str, ...] = tuple(REASON_TITLES)


class PacketRejected(ValidationFailed):
    """A packet refused while reading: `reason_code` (one of REASON_CODES), a Russian `message`, and `names` — the
    file names involved (the missing and extra files of a files_mismatch, the offending zip entry…)."""

    code = 'packet_rejected'
    message = 'Пакет МЭДО отклонён.'

    def __init__(
        self,
        reason_code: str,
        message: str,
        *,
        names: Iterable[str] = (),
        fields: Mapping[str, str] | None = None,
    ) -> None:
        if reason_code not in REASON_TITLES:
            raise ValueError(f'unknown reason code {reason_code!r}')
        self.reason_code = reason_code
        self.names: tuple[str, ...] = tuple(names)
        super().__init__(message, fields=fields or {'packet': message})

    @property
    def reason_title(self) -> str:
        return REASON_TITLES[self.reason_code]

    def __repr__(self) -> str:
        return f'PacketRejected({self.reason_code!r}, {self.message!r})'
