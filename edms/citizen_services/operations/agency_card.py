"""The application in the deciding agency: an incoming registration card made through the registry's own operations
(as the system acting in that organization, like the exchange's drafts), with the applicant's files as its
attachments, the detached signatures kept with the files they sign, routed by the agency's rules with the service
code and registered with the agency's journal as the filing's last step (`number_card`).

The card: kind «Входящий», document kind of the service, correspondent the applicant (a person, or the legal
entity), the application's number as the sender's number, delivery by the channel («Портал госуслуг», «МФЦ»,
«Лично» for paper). Without an incoming journal for the year, or when its template makes too long a number, the card
stays a draft «На регистрацию» for a clerk.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import cast

from edms.audit.operations import record
from edms.auth.models import User
from edms.citizen_services.catalogue.definition import Channel, ServiceDefinition
from edms.citizen_services.models import ApplicantKind, Application, ApplicationFile
from edms.citizen_services.operations.common import AgencyActor, channel_label, today
from edms.citizen_services.operations.uploads import StoredUpload, VerifiedSignature
from edms.core.db import db
from edms.core.errors import DomainError
from edms.registry.errors import JournalMissing, NumberTooLong
from edms.registry.models import Attachment, Card, CardStatus, DeliveryMethod
from edms.registry.operations import add_attachment, create_card, register_new_card
from edms.registry.operations.attachments import StoredFile, add_stored_attachments
from edms.registry.validation import SUMMARY_MAX
from edms.routing.matching import sample_of
from edms.routing.models import RoutingDecision
from edms.routing.operations import announce_decision, route_card
from edms.signatures.models import METHOD_CLIENT
from edms.signatures.operations.signing import store_signature

XML_FILENAME = 'заявление.xml'
#: The document kind of an outgoing card made for a document issued after the application's card was closed.
NOTICE_KIND = 'Уведомление'
#: Cards the registry adds no file to.
CLOSED = (CardStatus.filed, CardStatus.cancelled)
#: What leaves a card made for an applicant a draft for a clerk instead of refusing the applicant's filing: the
#: agency's journal is missing, or its template makes a number longer than МЭДО allows (a `{dept}` of a department
#: added after the template was checked). Neither takes a number from the journal.
UNREGISTRABLE = (JournalMissing, NumberTooLong)
DELIVERY = {
    Channel.portal: DeliveryMethod.portal,
    Channel.mobile: DeliveryMethod.portal,
    Channel.xml_upload: DeliveryMethod.portal,
    Channel.partner: DeliveryMethod.portal,
    Channel.mfc: DeliveryMethod.mfc,
    Channel.paper: DeliveryMethod.in_person,
}


def make_card(
    application: Application,
    number: str,
    service: ServiceDefinition,
    uploads: Iterable[StoredUpload],
    signatures: Iterable[VerifiedSignature],
    xml: bytes | None,
) -> tuple[Card, RoutingDecision | None]:
    """The agency's card of the application numbered `number` with every file and signature, routed by the rules,
    and the routing decision: a draft still, which `number_card` registers as the filing's last step."""
    actor = cast(User, AgencyActor(application.organization_id))
    card = create_card(actor, card_values(application, number, service))
    add_files(actor, card, application, service, uploads, signatures, xml)
    # Without autoflushes: the routing's rows go with the next flush (the filing's history event); nothing the
    # routing reads depends on them.
    with db.session.no_autoflush:
        decision = route_card(card, sample_of(card, service=service.code), new=True, announce=False)
    return card, decision


def number_card(card: Card, decision: RoutingDecision | None, subject: str, facts: dict[str, int]) -> None:
    """Register the card `make_card` made in this transaction when a journal allows (otherwise it stays a draft for
    a clerk, `<subject>.card_not_registered` recorded with the reason and `facts`), then tell the executor the rules
    chose, with the number. Called right before the commit, once everything else is written: from the number to the
    commit the journal's row stays locked, and every other registration in that journal waits for it."""
    try:
        register_new_card(cast(User, AgencyActor(card.organization_id)), card, confirm_duplicate=True)
    except UNREGISTRABLE as refused:
        _not_registered(card, subject, facts, refused)
    if decision is not None:
        announce_decision(card, decision)


def registered_card(actor: User, values: dict[str, object], subject: str, facts: dict[str, int]) -> Card:
    """A new card numbered before its first insert when a journal allows; otherwise a draft for a clerk, with
    `<subject>.card_not_registered` recorded with the reason and `facts`."""
    try:
        return create_card(actor, values, register=True, confirm_duplicate=True)
    except UNREGISTRABLE as refused:
        card = create_card(actor, values)
        _not_registered(card, subject, facts, refused)
        return card


def _not_registered(card: Card, subject: str, facts: dict[str, int], refused: DomainError) -> None:
    reason = {'reason': refused.message, **facts}
    record(None, f'{subject}.card_not_registered', card, reason, organization_id=card.organization_id)


def card_values(application: Application, number: str, service: ServiceDefinition) -> dict[str, object]:
    summary = (
        f'{service.title}: заявление № {number} ({channel_label(application.channel)}), '
        f'заявитель — {application.applicant_name}'
    )
    person = application.applicant_kind == ApplicantKind.person
    return {
        'kind': 'incoming',
        'document_kind': service.document_kind,
        'summary': summary[:SUMMARY_MAX],
        'correspondent_type': 'person' if person else 'organization',
        'correspondent_name': application.applicant_name[:511],
        'sender_number': number,
        'sender_date': today(),
        'received_date': today(),
        'delivery_method': DELIVERY[Channel(application.channel)].value,
    }


def add_files(
    actor: User,
    card: Card,
    application: Application,
    service: ServiceDefinition,
    uploads: Iterable[StoredUpload],
    signatures: Iterable[VerifiedSignature],
    xml: bytes | None,
    *,
    note: str = '',
) -> list[ApplicationFile]:
    """The applicant's files as the card's attachments (described by their slot) and as the application's files;
    the XML itself when given; each signature kept with the file it signs."""
    added: dict[str | None, Attachment] = {}
    rows = []
    uploads = list(uploads)
    stored = [
        StoredFile(
            upload.sha256 or '',
            upload.filename,
            f'{_label(service, upload.kind)}{note}'[:500],
            upload.size,
            upload.content_type,
        )
        for upload in uploads
    ]
    for upload, attachment in zip(uploads, add_stored_attachments(actor, card, stored), strict=True):
        added.setdefault(upload.kind, attachment)
        row = ApplicationFile(
            kind=upload.kind,
            sha256=attachment.sha256,
            filename=attachment.filename,
            content_type=attachment.content_type,
            size=attachment.size,
            attachment_id=attachment.id,
        )
        application.files.append(row)
        rows.append(row)
    if xml is not None:
        added[None] = add_attachment(actor, card, io.BytesIO(xml), XML_FILENAME, f'Заявление в формате XML{note}')
    for signature in signatures:
        attachment = added.get(signature.kind)
        if attachment is not None and signature.report.signers:
            store_signature(actor, card, attachment, signature.cms, signature.report, METHOD_CLIENT, None)
    return rows


def _label(service: ServiceDefinition, kind: str) -> str:
    return service.labels.get(f'attachments.{kind}', kind)


def attach_result(official: User, application: Application, card: Card, pdf: bytes, title: str) -> Attachment:
    """A document the official issues (the result, the notice of an annulment) on the application's card, added in
    the official's name; once that card is filed into a case or cancelled (it takes no more files), on a new outgoing
    card to the applicant in reply to it (`reply_card`).

    The PDF is attached as given: `operations.signed_results.attach_and_sign` renders it and signs it with PAdES
    afterwards."""
    actor = cast(User, AgencyActor(application.organization_id, id=official.id))
    if card.status in CLOSED:
        card = reply_card(actor, application, card, title)
    return add_attachment(actor, card, io.BytesIO(pdf), f'{title}.pdf', title)


def reply_card(actor: User, application: Application, card: Card, title: str) -> Card:
    """An outgoing card of the agency to the applicant, «в ответ на» the application's card, registered in the
    outgoing journal (a draft for a clerk without one, journaled as `application.card_not_registered`)."""
    summary = f'{title}: заявление № {application.number}, заявитель — {application.applicant_name}'
    values = {
        'kind': 'outgoing',
        'document_kind': NOTICE_KIND,
        'summary': summary[:SUMMARY_MAX],
        'addressees': [application.applicant_name[:511]],
        'links': [{'kind': 'reply_to', 'card_id': card.id}],
        'delivery_method': DELIVERY[Channel(application.channel)].value,
    }
    return registered_card(actor, values, 'application', {'application_id': application.id})
