"""Receipts («Квитанция») and the seven notifications («Уведомление») an agency sends back about a document.

A receipt acknowledges one received message (header/@uid) — accepted or not, with the reason. A notification reports
on a document (notification/@uid = the document's or container's GUID) and always carries `foundation` (the
document referred to: the sender's number and date), as real receivers expect (FORMAT.md §5):
«Зарегистрирован» (our number and date), «Отказано в регистрации» (a reason from the IEDMS 2.6 list),
«Назначен исполнитель», «Доклад подготовлен», «Доклад направлен», «Исполнение», «Опубликование».

Forms: classic (`version` '2.6' or '2.7': namespace http://www.infpres.com/IEDMS, file notification.xml /
acknowledgment.xml) or 2.7.1 (urn:IEDMS:MESSAGE, message.xml). Each notice comes with its windows-1251 envelope.
Every notice is validated against our message XSD (built once more in the 2.7.1 namespace for a classic notice) and
a classic one also against the public IEDMS 2.6 XSD when that file is present (`iedms26_schema_path`); a violation
is `PacketBuildError`. Input beyond the limits is refused first with a Russian ValidationFailed per field.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from uuid import UUID, uuid4

from lxml import etree

from edms.core.clock import to_local
from edms.exchange.packets import notices_xml
from edms.exchange.packets.envelope import (
    FLAG_DELIVERY_RECEIPT,
    FLAG_ENCRYPTION,
    FLAG_READ_RECEIPT,
    FLAG_SIGNATURE,
    write_envelope,
)
from edms.exchange.packets.notices_events import (
    NOTIFICATION_TYPES,
    REFUSAL_REASONS,
    CourseChanged,
    DocumentRef,
    ExecutorAssigned,
    NoticeEvent,
    NoticeSubject,
    Official,
    Published,
    Refused,
    Registered,
    ReportPrepared,
    ReportSent,
)
from edms.exchange.packets.writer import ENVELOPE_NAME, Participant, check_participant
from edms.exchange.packets.writer_xml import (
    MAX_COMMENT,
    MESSAGE_XSD,
    NS_CLASSIC,
    NS_MESSAGE,
    VERSION_271,
    Checks,
    ensure_valid,
    require_aware,
    to_bytes,
)
from edms.paths import ROOT

CLASSIC_VERSIONS = ('2.6', '2.7')
VERSIONS = (*CLASSIC_VERSIONS, VERSION_271)
#: where the public IEDMS 2.6 XSD is looked for when EDMS_IEDMS26_XSD is not set (the conformance folder)
DEFAULT_IEDMS26_XSD = ROOT.parent / 'shared' / 'conformance' / 'medo' / 'samples' / 'iedms-xsd' / 'IEDMS.xsd'
#: envelope flags of a notification (receipts wanted) and of a receipt (none: a receipt is never acknowledged)
NOTIFICATION_FLAGS = {
    FLAG_ENCRYPTION: False,
    FLAG_SIGNATURE: True,
    FLAG_DELIVERY_RECEIPT: True,
    FLAG_READ_RECEIPT: True,
}
RECEIPT_FLAGS = {**NOTIFICATION_FLAGS, FLAG_DELIVERY_RECEIPT: False, FLAG_READ_RECEIPT: False}


@dataclass(frozen=True)
class BuiltNotice:
    """A notice as the files of its packet (the XML and envelope.ltr), its header GUID and the XML's file name."""

    files: dict[str, bytes] = field(repr=False)
    uid: UUID
    xml_name: str

    @property
    def xml(self) -> bytes:
        return self.files[self.xml_name]


# --- building ---------------------------------------------------------------------------------------------------------


def build_notification(
    event: NoticeEvent,
    *,
    sender: Participant,
    to: Participant,
    subject: NoticeSubject,
    time: datetime,
    created: datetime,
    uid: UUID | None = None,
    comment: str | None = None,
    correspondent: Official | None = None,
    version: str = '2.6',
) -> BuiltNotice:
    """A notification of `event` about `subject`'s document from `sender` to `to`; `time` is the event's moment,
    `created` the message's (both aware); `correspondent` defaults to the sender organization."""
    require_aware(time, created)
    checks = _common_checks(sender, to, version, comment)
    notices_xml.check_subject(checks, subject)
    event.check(checks)
    if correspondent is not None:
        notices_xml.check_official(checks, 'correspondent', 'Корреспондент', correspondent)
    checks.done()
    message_uid = uid or uuid4()
    content = notices_xml.NotificationContent(event, subject, time, comment, correspondent, sender)

    def build(namespace: str, version_text: str) -> etree._Element:
        return notices_xml.communication(
            namespace, version_text, 'Уведомление', message_uid, created, sender, to, content.fill
        )

    xml_name = 'notification.xml' if version in CLASSIC_VERSIONS else 'message.xml'
    data = _emit(build, version, 'notification')
    foundation = subject.foundation
    title = f'Уведомление «{event.type_name}» на № {foundation.number}'
    if foundation.date is not None:
        title += f' от {foundation.date:%d/%m/%Y}'
    return _packet(data, xml_name, message_uid, to, created, title, NOTIFICATION_FLAGS)


def build_receipt(
    *,
    sender: Participant,
    to: Participant,
    acknowledged_uid: UUID,
    received: datetime,
    created: datetime,
    accepted: bool = True,
    comment: str | None = None,
    content: str | None = None,
    hash_codes: Mapping[str, bytes] | None = None,
    hash_algorithm: str | None = None,
    uid: UUID | None = None,
    version: str = '2.6',
) -> BuiltNotice:
    """A receipt for the message `acknowledged_uid` (its header/@uid) received at `received`: accepted or not (give
    the reason in `comment`), with an optional description of the message (`content`) and file digests."""
    require_aware(received, created)
    checks = _common_checks(sender, to, version, comment)
    checks.line('content', 'Описание сообщения', content, required=False)
    for name, code in (hash_codes or {}).items():
        checks.line('hash_codes', 'Имя файла', name, 255)
        checks.rule('hash_codes', 32 <= len(code) <= 128, '«Хэш-коды»: значение от 32 до 128 байт.')
    checks.line('hash_algorithm', 'Алгоритм хэширования', hash_algorithm, 255, required=False)
    checks.done()
    message_uid = uid or uuid4()
    body = notices_xml.ReceiptContent(
        acknowledged_uid, received, accepted, comment, content, dict(hash_codes or {}), hash_algorithm
    )

    def build(namespace: str, version_text: str) -> etree._Element:
        return notices_xml.communication(
            namespace, version_text, 'Квитанция', message_uid, created, sender, to, body.fill
        )

    xml_name = 'acknowledgment.xml' if version in CLASSIC_VERSIONS else 'message.xml'
    data = _emit(build, version, 'acknowledgment')
    title = f'Квитанция на сообщение {acknowledged_uid}'
    return _packet(data, xml_name, message_uid, to, created, title, RECEIPT_FLAGS)


def iedms26_schema_path() -> Path | None:
    """The public IEDMS 2.6 XSD if present: EDMS_IEDMS26_XSD, else the conformance folder beside the project."""
    configured = os.environ.get('EDMS_IEDMS26_XSD')
    path = Path(configured) if configured else DEFAULT_IEDMS26_XSD
    return path if path.is_file() else None


def _common_checks(sender: Participant, to: Participant, version: str, comment: str | None) -> Checks:
    if version not in VERSIONS:
        raise ValueError(f'unknown notice version {version!r}; one of {VERSIONS}')
    checks = Checks()
    checks.line('sender', 'Отправитель: организация', sender.name)
    check_participant(checks, 'to', 'Получатель', to)
    checks.text('comment', 'Комментарий', comment, MAX_COMMENT, required=False)
    return checks


def _emit(build: notices_xml.Builder, version: str, what: str) -> bytes:
    """Build in the 2.7.1 namespace and validate against our XSD; for a classic notice build it again in the classic
    namespace and validate against IEDMS 2.6 when that XSD is present."""
    modern = build(NS_MESSAGE, VERSION_271)
    ensure_valid(modern, MESSAGE_XSD, what)
    if version == VERSION_271:
        return to_bytes(modern)
    classic = build(NS_CLASSIC, version)
    schema = iedms26_schema_path()
    if schema is not None:
        ensure_valid(classic, schema, what)
    return to_bytes(classic)


def _packet(
    data: bytes, xml_name: str, uid: UUID, to: Participant, created: datetime, subject: str, flags: dict[str, bool]
) -> BuiltNotice:
    envelope = write_envelope(
        subject=_envelope_text(subject),
        addresses=[to.envelope_address],
        files=[xml_name],
        date=to_local(created).replace(tzinfo=None),
        flags=flags,
    )
    return BuiltNotice(files={xml_name: data, ENVELOPE_NAME: envelope}, uid=uid, xml_name=xml_name)


def _envelope_text(text: str) -> str:
    encoded = ' '.join(text.split()).encode('cp1251', errors='replace')[:255]
    return encoded.decode('cp1251', errors='ignore').strip()


__all__ = [
    'NOTIFICATION_TYPES',
    'REFUSAL_REASONS',
    'BuiltNotice',
    'CourseChanged',
    'DocumentRef',
    'ExecutorAssigned',
    'NoticeEvent',
    'NoticeSubject',
    'Official',
    'Published',
    'Refused',
    'Registered',
    'ReportPrepared',
    'ReportSent',
    'build_notification',
    'build_receipt',
    'iedms26_schema_path',
]
