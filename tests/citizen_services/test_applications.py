"""Filing applications through the operations: each service from a valid sample becomes an application with its
number, deadline and the agency's registered and routed card; an invalid one names every problem and keeps nothing;
no provider, no filing; who may file through which channel."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select

from edms.audit.models import AuditEntry
from edms.citizen_services.catalogue.registry import get_service
from edms.citizen_services.errors import ApplicationInvalid, ServiceUnavailable
from edms.citizen_services.models import Application, ApplicationEvent, ApplicationFile, ServiceProvider
from edms.citizen_services.operations import create_provider, file_application, set_provider_active
from edms.citizen_services.queries import active_provider
from edms.core.access import SYSTEM
from edms.core.calendar import business_calendar
from edms.core.clock import local_today
from edms.core.db import db
from edms.core.errors import Forbidden, ValidationFailed
from edms.core.tx import atomic
from edms.notifications.models import Notification
from edms.registry.errors import NumberTooLong
from edms.registry.models import Attachment, Card, CardKind, CardStatus, DeliveryMethod, Journal
from edms.routing.models import RoutingDecision
from tests.citizen_services import samples
from tests.citizen_services.conftest import World, blob_count, count, pdf, sample_of
from tests.factories import make_organization

SERVICES = ('temporary_registration', 'legal_entity_cabinet', 'taxpayer_cabinet')


def notifications_of(user_id: int) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
    return list(db.session.execute(query).scalars())


@pytest.mark.parametrize('code', SERVICES)
def test_each_service_is_filed_from_a_valid_sample_with_a_registered_card(world: World, code: str) -> None:
    service = get_service(code)
    application = world.file(code)
    provider = active_provider(code)
    assert provider is not None
    assert re.fullmatch(rf'З-{local_today().year}-\d{{6}}', application.number or '')
    assert (application.status, application.organization_id) == ('in_progress', provider.organization_id)
    assert application.applicant_user_id == world.applicant.id
    card = db.session.get(Card, application.card_id)
    assert card is not None
    assert card.organization_id == provider.organization_id
    assert (card.kind.value, card.document_kind, card.status) == (
        'incoming',
        service.document_kind,
        CardStatus.registered,
    )
    assert (card.sender_number, card.delivery_method) == (application.number, DeliveryMethod.portal)
    assert card.correspondent_name == application.applicant_name
    deadline = service.deadlines.deadline(business_calendar(), local_today())
    assert (application.deadline, application.deadline_explanation) == (deadline.date, deadline.explanation)
    assert [(event.from_status, event.to_status) for event in application.events] == [(None, 'in_progress')]
    [notice] = notifications_of(world.applicant.id)
    assert application.number in notice.text
    assert 'В обработке' in notice.text


def test_applicant_named_by_the_fields_or_the_account(world: World) -> None:
    registration = world.file('temporary_registration')
    assert (registration.applicant_name, registration.applicant_snils) == ('Петров Пётр Петрович', '11223344595')
    taxpayer = world.file('taxpayer_cabinet')  # no name among its fields: the account's name
    assert taxpayer.applicant_name == world.applicant.full_name
    legal = world.file('legal_entity_cabinet')
    assert (legal.applicant_kind.value, legal.applicant_inn) == ('legal_entity', samples.INN_LEGAL)


def test_files_become_application_files_and_attachments_of_the_card(world: World) -> None:
    application = world.file()
    attachments = db.session.execute(select(Attachment).where(Attachment.card_id == application.card_id)).scalars()
    by_id = {attachment.id: attachment for attachment in attachments}
    assert sorted(row.kind for row in application.files) == sorted(
        ['identity_document', 'residence_right', 'owner_consent']
    )
    for row in application.files:
        attachment = by_id[row.attachment_id]
        assert (attachment.sha256, attachment.content_type) == (row.sha256, 'application/pdf')
    assert 'Согласие собственника помещения' in {attachment.description for attachment in by_id.values()}


def test_invalid_application_names_every_problem_and_stores_nothing(world: World) -> None:
    data = samples.with_value(samples.temporary_registration(), 'applicant.passport.series', '45')
    data = samples.with_value(data, 'contacts.phone', '12345')
    files = [pdf('identity_document', b'unique-1'), pdf('owner_consent', b'unique-2')]  # no residence right
    blobs = blob_count()
    with pytest.raises(ApplicationInvalid) as raised, atomic():
        file_application(world.applicant, 'temporary_registration', data, files, channel='portal')
    fields = [problem.field for problem in raised.value.problems]
    assert fields == [
        'applicant.passport.series',
        'contacts.phone',
        'attachments.residence_right',
        'signatures.owner_consent',
    ]
    assert (count(Application), count(Card), count(ApplicationFile)) == (0, 0, 0)
    assert blob_count() == blobs


def test_the_provider_decides_and_the_rule_sends_the_card_to_the_department(world: World) -> None:
    application = world.file()
    card = db.session.get(Card, application.card_id)
    assert card is not None
    assert (card.organization_id, card.department_id) == (world.migration.id, world.migration_department.id)
    decision = db.session.execute(select(RoutingDecision).where(RoutingDecision.card_id == card.id)).scalar_one()
    assert decision.executor_id == world.executor.id
    assert 'услуга — «temporary_registration»' in decision.explanation
    [notice] = notifications_of(world.executor.id)
    assert card.reg_number in notice.text


def test_the_card_is_numbered_once_everything_else_of_the_filing_is_written(world: World) -> None:
    """From the number to the commit the journal's row stays locked and every other registration in that journal
    waits: the filing writes its card, files, routing and application first, and takes the number last."""
    statements: list[str] = []

    def seen(_connection: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(' '.join(statement.split()))

    event.listen(db.engine, 'before_cursor_execute', seen)
    try:
        application = world.file()
    finally:
        event.remove(db.engine, 'before_cursor_execute', seen)
    numbered = next(i for i, sql in enumerate(statements) if sql.startswith('UPDATE registry_journals'))
    written_before = {sql.split(' ')[2] for sql in statements[:numbered] if sql.startswith('INSERT INTO')}
    assert {'registry_cards', 'registry_attachments', 'routing_decisions', 'citizen_services_applications'} <= (
        written_before
    )
    after = [sql for sql in statements[numbered + 1 :] if not sql.startswith('SELECT')]
    writes = [' '.join(sql.split(' ')[:3]) for sql in after if 'audit_' not in sql]  # the seal aside
    assert writes == [
        'UPDATE registry_cards SET',  # the card's number
        'INSERT INTO notifications_notifications',  # the executor told the number
    ]
    assert any(sql.startswith('SELECT registry_cards.id FROM') for sql in statements[numbered:])  # not taken
    card = db.session.get(Card, application.card_id)
    assert card is not None
    assert (card.status, bool(card.reg_number)) == (CardStatus.registered, True)


def test_without_an_active_provider_the_filing_is_refused_before_anything_is_kept(world: World) -> None:
    provider = active_provider('taxpayer_cabinet')
    assert provider is not None
    with atomic():
        set_provider_active(SYSTEM, provider, False)
    with pytest.raises(ServiceUnavailable) as raised:
        world.file('taxpayer_cabinet')
    assert 'не назначено ведомство' in raised.value.message
    assert count(Application) == 0


def test_of_several_active_providers_the_first_is_used(world: World) -> None:
    with atomic():
        second = make_organization('Второе УФНС', kind='agency')
        create_provider(SYSTEM, {'service_code': 'taxpayer_cabinet', 'organization_id': second.id})
    assert world.file('taxpayer_cabinet').organization_id == world.tax.id


def test_provider_is_managed_by_the_system_administrator_only(world: World) -> None:
    with pytest.raises(Forbidden), atomic():
        create_provider(world.clerk, {'service_code': 'taxpayer_cabinet', 'organization_id': world.migration.id})
    with pytest.raises(ValidationFailed) as raised, atomic():
        create_provider(world.sysadmin, {'service_code': 'taxpayer_cabinet', 'organization_id': world.tax.id})
    assert 'уже указано' in raised.value.fields['organization_id']
    with pytest.raises(ValidationFailed) as raised, atomic():
        create_provider(world.sysadmin, {'service_code': 'no_such', 'organization_id': world.mfc.id})
    assert set(raised.value.fields) == {'service_code', 'organization_id'}
    assert count(ServiceProvider) == 3


def test_mfc_operator_files_on_a_visitors_behalf(world: World) -> None:
    application = world.file(actor=world.operator, channel='mfc', on_behalf={'snils': samples.SNILS})
    assert (application.channel.value, application.filed_via_organization_id) == ('mfc', world.mfc.id)
    assert application.filed_by_id == world.operator.id
    # The visitor has a portal account with this СНИЛС: the application shows in their cabinet.
    assert application.applicant_user_id == world.applicant.id
    card = db.session.get(Card, application.card_id)
    assert card is not None
    assert card.delivery_method == DeliveryMethod.mfc
    assert notifications_of(world.operator.id)
    assert notifications_of(world.applicant.id)


def test_mfc_visitor_without_an_account_is_named_by_the_block(world: World) -> None:
    data = samples.with_value(samples.taxpayer_cabinet(), 'snils', '123-456-789 64')  # nobody's account
    with atomic():
        application = file_application(
            world.operator, 'taxpayer_cabinet', data, channel='mfc', on_behalf={'name': 'Сидоров  Иван'}
        )
    assert (application.applicant_user_id, application.applicant_name) == (None, 'Сидоров Иван')
    assert application.applicant_snils == '12345678964'


def test_filing_on_behalf_needs_the_block_and_portal_filing_refuses_it(world: World) -> None:
    with pytest.raises(ValidationFailed) as raised:
        world.file(actor=world.operator, channel='mfc')
    assert 'on_behalf' in raised.value.fields
    with pytest.raises(ValidationFailed) as raised:
        world.file(on_behalf={'name': 'Сидоров Иван'})
    assert 'on_behalf' in raised.value.fields


@pytest.mark.parametrize(
    ('who', 'channel'),
    [('applicant', 'mfc'), ('operator', 'portal'), ('applicant', 'partner'), ('clerk', 'portal'), ('bank_user', 'mfc')],
)
def test_only_the_channels_own_filers_may_file(world: World, who: str, channel: str) -> None:
    with pytest.raises(Forbidden):
        world.file(actor=getattr(world, who), channel=channel, on_behalf={'name': 'Иванов Иван'})
    assert count(Application) == 0


def test_taxpayer_without_a_name_anywhere_is_a_problem(world: World) -> None:
    data, _, _ = sample_of('taxpayer_cabinet')
    with pytest.raises(ApplicationInvalid) as raised, atomic():
        file_application(world.bank_user, 'taxpayer_cabinet', data, channel='partner', on_behalf={'inn': ''})
    assert [problem.field for problem in raised.value.problems] == ['on_behalf.name']


def test_filing_event_is_the_first_of_the_history(world: World) -> None:
    application = world.file()
    events = db.session.execute(select(ApplicationEvent)).scalars().all()
    assert [(event.application_id, event.actor_id) for event in events] == [(application.id, world.applicant.id)]
    assert 'Ожидаемый срок' in events[0].comment


def test_without_an_incoming_journal_the_card_waits_as_a_draft(world: World) -> None:
    with atomic():
        provider = active_provider('taxpayer_cabinet')
        assert provider is not None
        set_provider_active(SYSTEM, provider, False)
        bare = make_organization('УФНС без журналов', kind='agency', with_journals=False)
        create_provider(SYSTEM, {'service_code': 'taxpayer_cabinet', 'organization_id': bare.id})
    application = world.file('taxpayer_cabinet')
    card = db.session.get(Card, application.card_id)
    assert card is not None
    assert (card.organization_id, card.status, card.reg_number) == (bare.id, CardStatus.draft, None)
    assert application.status == 'in_progress'


def test_a_template_too_long_for_the_routed_department_leaves_the_card_a_draft_and_keeps_the_filing(
    world: World,
) -> None:
    """A journal's template is checked against the department codes that exist when it is saved; a department added
    later (here: the routed one) can make a number longer than МЭДО allows. The applicant's filing is kept and the
    card waits for a clerk, with the reason journaled; the journal gives no number away."""
    with atomic():
        journal = db.session.execute(
            select(Journal).where(Journal.organization_id == world.migration.id, Journal.kind == CardKind.incoming)
        ).scalar_one()
        code = world.migration_department.code
        journal.template = '{dept}' + 'Ж' * (31 - len(code)) + '{seq}'  # 32 characters with the routed department
        next_seq = journal.next_seq
    application = world.file()
    card = db.session.get(Card, application.card_id)
    assert card is not None
    assert (application.status, card.status, card.reg_number) == ('in_progress', CardStatus.draft, None)
    assert card.department_id == world.migration_department.id
    reasons = db.session.execute(
        select(AuditEntry.data['reason'].as_string()).where(
            AuditEntry.action == 'application.card_not_registered', AuditEntry.object_id == str(card.id)
        )
    ).scalars()
    assert list(reasons) == [NumberTooLong.message]
    assert db.session.get(Journal, journal.id).next_seq == next_seq
    [notice] = notifications_of(world.executor.id)
    assert '(черновик)' in notice.text
