"""The XML of receipts and notifications (IEDMS 2.6 tree, in either namespace) and the limit checks of their inputs.

`communication` writes the envelope element, header and deliveryIndex around a body filled by `NotificationContent`
or `ReceiptContent`; the element order is the IEDMS 2.6 XSD's (notification: time, foundation, correspondent, then the
event's own elements; documentReference and anyone: region, organization, person, department, post, …).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from lxml import etree

from edms.exchange.packets.writer_xml import Checks, Xml, collapse, moment

if TYPE_CHECKING:
    from edms.exchange.packets.notices_events import DocumentRef, NoticeEvent, NoticeSubject, Official
    from edms.exchange.packets.writer import Participant

#: fills the body of a communication (after the header, before deliveryIndex)
Filler = Callable[[Xml, etree._Element], None]
#: builds a whole notice in a namespace with a version string
Builder = Callable[[str, str], etree._Element]


def communication(
    namespace: str,
    version: str,
    message_type: str,
    uid: UUID,
    created: datetime,
    sender: Participant,
    to: Participant,
    fill: Filler,
) -> etree._Element:
    """communication{header, body, deliveryIndex{destination{destination}}} in `namespace`, prefix as real files."""
    xml = Xml(namespace, 'c' if namespace.startswith('urn:') else 'xdms')
    root = xml.root('communication', version=version)
    header = xml.add(root, 'header', type=message_type, uid=str(uid), created=moment(created))
    source = xml.add(header, 'source', uid=str(sender.guid))
    xml.add(source, 'organization', collapse(sender.name))
    fill(xml, root)
    destination = xml.add(xml.add(xml.add(root, 'deliveryIndex'), 'destination'), 'destination', uid=str(to.guid))
    xml.add(destination, 'organization', collapse(to.name))
    return root


@dataclass(frozen=True)
class NotificationContent:
    """The body of a notification: the event, what it is about, when, a comment and the correspondent (the sender
    organization with its participant GUID unless given)."""

    event: NoticeEvent
    subject: NoticeSubject
    time: datetime
    comment: str | None
    correspondent: Official | None
    sender: Participant

    def fill(self, xml: Xml, root: etree._Element) -> None:
        subject = self.subject
        notification = xml.add(
            root,
            'notification',
            type=self.event.type_name,
            uid=str(subject.document_uid),
            id=collapse(subject.local_id) if subject.local_id else None,
            mid=str(subject.message_uid) if subject.message_uid else None,
        )
        body = xml.add(notification, self.event.element)
        xml.add(body, 'time', moment(self.time))
        write_reference(xml, body, 'foundation', subject.foundation)
        if self.correspondent is not None:
            write_official(xml, body, 'correspondent', self.correspondent)
        else:
            correspondent = xml.add(body, 'correspondent', uid=str(self.sender.guid))
            xml.add(correspondent, 'organization', collapse(self.sender.name))
        self.event.write(xml, body)
        if self.comment and self.comment.strip():
            xml.add(notification, 'comment', self.comment.strip())


@dataclass(frozen=True)
class ReceiptContent:
    """The body of a receipt: the acknowledged message GUID, when it was received, accepted or not, and why."""

    acknowledged_uid: UUID
    received: datetime
    accepted: bool
    comment: str | None
    content: str | None
    hash_codes: dict[str, bytes]
    hash_algorithm: str | None

    def fill(self, xml: Xml, root: etree._Element) -> None:
        content = collapse(self.content) if self.content else None
        acknowledgment = xml.add(root, 'acknowledgment', uid=str(self.acknowledged_uid), content=content)
        xml.add(acknowledgment, 'time', moment(self.received))
        xml.add(acknowledgment, 'accepted', 'true' if self.accepted else 'false')
        if self.comment and self.comment.strip():
            xml.add(acknowledgment, 'comment', self.comment.strip())
        if self.hash_codes:
            algorithm = collapse(self.hash_algorithm) if self.hash_algorithm else None
            codes = xml.add(acknowledgment, 'hashCodes', algorithm=algorithm)
            for name, code in self.hash_codes.items():
                item = xml.add(codes, 'item')
                xml.add(item, 'name', collapse(name))
                xml.add(item, 'code', code.hex().upper())


def write_reference(xml: Xml, parent: etree._Element, name: str, ref: DocumentRef) -> None:
    """A documentReference: organization, person (the signer), num{number, date}."""
    element = xml.add(parent, name)
    xml.add_if(element, 'organization', ref.organization and collapse(ref.organization))
    xml.add_if(element, 'person', ref.person and collapse(ref.person))
    write_number(xml, element, 'num', ref.number, ref.date.isoformat() if ref.date else None)


def write_number(xml: Xml, parent: etree._Element, name: str, number: str, when: str | None) -> None:
    """A documentNumber: number and, when known, date (xs:date, or xs:dateTime for a publication)."""
    element = xml.add(parent, name)
    xml.add(element, 'number', collapse(number))
    xml.add_if(element, 'date', when)


def write_official(xml: Xml, parent: etree._Element, name: str, official: Official) -> etree._Element:
    """An addressee/signatory (type anyone): organization, person, department, post — the parts given."""
    element = xml.add(parent, name)
    for part, value in (
        ('organization', official.organization),
        ('person', official.name),
        ('department', official.department),
        ('post', official.post),
    ):
        xml.add_if(element, part, value and collapse(value))
    return element


# --- checks -----------------------------------------------------------------------------------------------------------


def check_subject(checks: Checks, subject: NoticeSubject) -> None:
    """The foundation (always required) and the sender's local id."""
    check_reference(checks, 'foundation', 'Документ-основание', subject.foundation)
    checks.line('local_id', 'Идентификатор документа у отправителя', subject.local_id, 127, required=False)


def check_reference(checks: Checks, field_name: str, title: str, ref: DocumentRef) -> None:
    """A number of 1..31 characters, organization and person up to 511."""
    checks.number(f'{field_name}.number', f'{title}: номер', ref.number)
    checks.line(f'{field_name}.organization', f'{title}: организация', ref.organization, required=False)
    checks.line(f'{field_name}.person', f'{title}: подписавший', ref.person, required=False)


def check_official(checks: Checks, field_name: str, title: str, official: Official) -> None:
    """At least one part given; each part up to 511 characters."""
    parts = (official.name, official.post, official.department, official.organization)
    checks.rule(
        field_name,
        any(part and part.strip() for part in parts),
        f'«{title}»: укажите ФИО, должность, подразделение или организацию.',
    )
    for suffix, label, value in (
        ('name', 'ФИО', official.name),
        ('post', 'должность', official.post),
        ('department', 'подразделение', official.department),
        ('organization', 'организация', official.organization),
    ):
        checks.line(f'{field_name}.{suffix}', f'{title}: {label}', value, required=False)
