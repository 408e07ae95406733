"""`flask edms seed-demo`: the demo loads with its PKI (the CAs accredited in the trust store with their CRLs, the
managers' qualified certificates bound and usable with the demo password), the ministry's letter signed and sent
by МЭДО into the migration service's «На регистрацию», and the public services: the portal's citizen, the MFC
operator, a provider and a routing rule for each service, two applications registered and routed in their agencies.
The data is loaded once for the module (it takes seconds); the letter's and the applications' tests also run on
SQLite, as `make run` does."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy import func, select

from edms.auth.models import Role, User
from edms.citizen_services.catalogue.registry import all_services, get_service
from edms.citizen_services.models import Application, ServiceProvider
from edms.citizen_services.models.interagency import InteragencyRequest, RequestStatus
from edms.citizen_services.models.legal_cabinets import LegalCabinetRight
from edms.citizen_services.queries import active_provider
from edms.citizen_services.queries.legal_cabinets import legal_cabinets_of
from edms.cli import demo_pdf
from edms.cli.demo import DEMO_PASSWORD, ORGS, PORTAL, PORTAL_USERS, ogrn_with_check
from edms.cli.demo_legal_cabinet import COMPANY
from edms.cli.demo_letter import FILENAME, SUMMARY
from edms.cli.demo_pki import CONSENT_OWNER, SIGNERS
from edms.cli.demo_services import CITIZEN_INN, CITIZEN_SNILS, CONSENT_FILENAME, PROVIDERS
from edms.core import identifiers
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.tx import atomic
from edms.directory.models import Organization, OrganizationKind
from edms.exchange.models import Dispatch, InboxPacket
from edms.registry.models import Card, CardKind, CardStatus, DeliveryMethod
from edms.routing.models import RoutingDecision, RoutingRule
from edms.signatures.crypto.verify import verify_detached
from edms.signatures.models import (
    AttachmentSignature,
    CertificateRevocationList,
    TrustedCertificate,
    UserCertificate,
    VerificationRecord,
)
from edms.signatures.operations import sign_content, sign_pdf_attachment
from edms.signatures.pdf_fonts import FontMissing
from edms.signatures.trust import trust_data
from tests.conftest import FreshContextClient, clean_tables
from tests.factories import login

PKI_CA_COUNT = 2


@dataclass(frozen=True)
class Demo:
    output: str
    seconds: float


@pytest.fixture(scope='module')
def demo(app: Flask) -> Iterator[Demo]:
    """The demo loaded through the real command once for this module; every table is emptied afterwards."""
    with app.app_context():
        started = time.perf_counter()
        result = app.test_cli_runner().invoke(args=['edms', 'seed-demo'])
        seconds = time.perf_counter() - started
        print(f'\ndemo load (flask edms seed-demo, with the PKI and the letter): {seconds:.2f} s')
        assert result.exit_code == 0, result.output
        try:
            yield Demo(result.output, seconds)
        finally:
            db.session.remove()
            clean_tables()


@pytest.fixture
def ctx(app: Flask, demo: Demo) -> Iterator[Demo]:
    """An app context on the loaded demo (left as it is for the next test)."""
    with app.app_context():
        yield demo
        db.session.rollback()
        db.session.remove()


def organization(key: str) -> Organization:
    spec = next(spec for spec in (*ORGS, PORTAL) if spec.key == key)
    query = select(Organization).where(Organization.ogrn == ogrn_with_check(spec.ogrn_base))
    return db.session.execute(query).scalar_one()


def user(key: str, login: str) -> User:
    query = select(User).where(User.organization_id == organization(key).id, User.login == login)
    return db.session.execute(query).scalar_one()


def certificate_of(account: User) -> UserCertificate:
    query = select(UserCertificate).where(UserCertificate.user_id == account.id)
    return db.session.execute(query).scalar_one()


def letter() -> Card:
    query = select(Card).where(Card.summary == SUMMARY, Card.kind == CardKind.outgoing)
    return db.session.execute(query).scalar_one()


def test_the_demo_cas_are_trusted_as_accredited_with_their_crls(ctx: Demo) -> None:
    trusted = list(db.session.execute(select(TrustedCertificate)).scalars())
    assert len(trusted) == PKI_CA_COUNT
    assert all(ca.is_accredited and ca.is_active for ca in trusted)
    assert sorted(ca.is_root for ca in trusted) == [False, True], 'a root and the qualified CA it certifies'
    crls = {crl.issuer_fingerprint: crl for crl in db.session.execute(select(CertificateRevocationList)).scalars()}
    assert set(crls) == {ca.fingerprint for ca in trusted}
    year_ahead = utcnow() + timedelta(days=365)
    assert all(crl.next_update is not None and crl.next_update > year_ahead for crl in crls.values())


def test_each_signer_has_a_qualified_certificate_of_their_records(ctx: Demo) -> None:
    for signer in SIGNERS:
        account = user(signer.organization, signer.login)
        bound = certificate_of(account)
        info = bound.info
        assert bound.has_key, 'the container is kept for signing on the server'
        assert (account.snils, info.snils) == (signer.snils, signer.snils)
        assert (info.ogrn, info.inn_le) == (account.organization.ogrn, account.organization.inn)
        assert identifiers.check_snils(signer.snils) is None
        assert identifiers.check_inn_person(signer.inn) is None
        assert info.allows_signing()
        assert bound.not_after - utcnow() > timedelta(days=3 * 365 - 2), 'valid about three years'


def test_the_demo_password_signs_and_the_signature_is_valid_and_qualified(ctx: Demo) -> None:
    content = 'Проверка демонстрационной подписи'.encode()
    for signer in SIGNERS:
        account = user(signer.organization, signer.login)
        cms, _, _ = sign_content(account, certificate_of(account).id, DEMO_PASSWORD, content)
        report = verify_detached(content, cms, trust_data())
        assert report.verdict == 'valid', (signer.organization, report)
        assert report.signers[0].check('qualified').status == 'passed'


@pytest.mark.smoke  # the embedded default (SQLite) is where the demo runs
def test_the_ministrys_letter_is_signed_by_the_manager_and_delivered(ctx: Demo) -> None:
    card = letter()
    assert card.organization_id == organization('min').id
    assert card.status == CardStatus.registered
    query = select(AttachmentSignature).where(AttachmentSignature.card_id == card.id)
    [signature] = db.session.execute(query).scalars()
    assert signature.last_verdict == 'valid'
    assert signature.user_certificate_id == certificate_of(user('min', 'manager')).id
    [dispatch] = db.session.execute(select(Dispatch).where(Dispatch.card_id == card.id)).scalars()
    assert dispatch.status == 'delivered'
    assert [step.step for step in dispatch.steps] == ['queued', 'sent', 'delivered']
    assert dispatch.addressee_name == organization('mig').name


@pytest.mark.smoke  # the embedded default (SQLite) is where the demo runs
def test_the_migration_service_has_the_letter_to_register(ctx: Demo) -> None:
    sent = letter()
    query = select(Card).where(Card.organization_id == organization('mig').id, Card.status == CardStatus.draft)
    [draft] = db.session.execute(query).scalars()
    assert (draft.kind, draft.summary) == (CardKind.incoming, SUMMARY)
    assert (draft.sender_number, draft.sender_date) == (sent.reg_number, sent.reg_date)
    assert draft.correspondent_organization_id == organization('min').id
    assert [item.filename for item in draft.attachments] == [FILENAME]
    inbox = db.session.execute(select(InboxPacket).where(InboxPacket.card_id == draft.id)).scalar_one()
    assert (inbox.transport, inbox.status) == ('internal', 'accepted')
    query = select(AttachmentSignature.last_verdict).where(AttachmentSignature.card_id == draft.id)
    assert list(db.session.execute(query).scalars()) == ['valid'], 'the received signature is verified again'


def test_the_logins_name_the_signers_and_who_registers_the_letter(ctx: Demo) -> None:
    lines = ctx.output.splitlines()
    migration = next(spec.short_name for spec in ORGS if spec.key == 'mig')
    clerk = next(line for line in lines if migration in line and ' clerk ' in line)
    assert 'регистрирует письмо Минцифры' in clerk
    signers = [line for line in lines if ' manager ' in line and 'квалифицированная подпись' in line]
    assert len(signers) == len(SIGNERS)


def test_the_manager_signs_the_letter_inside_the_pdf(ctx: Demo) -> None:
    manager = user('min', 'manager')
    with atomic():
        original = next(item for item in letter().attachments if item.filename == FILENAME)
        signed = sign_pdf_attachment(manager, original, certificate_of(manager).id, DEMO_PASSWORD)
    record = db.session.execute(select(VerificationRecord).where(VerificationRecord.attachment_id == signed.id))
    assert record.scalar_one().verdict == 'valid'


def application(service_code: str) -> Application:
    query = select(Application).where(Application.service_code == service_code)
    return db.session.execute(query).scalar_one()


def decision(card_id: int | None) -> RoutingDecision:
    return db.session.execute(select(RoutingDecision).where(RoutingDecision.card_id == card_id)).scalar_one()


def test_the_portal_holds_the_citizen_and_the_mfc_its_operator(ctx: Demo) -> None:
    citizen, operator = user('portal', 'citizen'), user('mfc', 'mfc')
    assert citizen.organization.kind == OrganizationKind.portal
    assert [row.role for row in citizen.role_rows] == [Role.applicant]
    assert (citizen.snils, citizen.inn) == (CITIZEN_SNILS, CITIZEN_INN)
    assert identifiers.check_snils(citizen.snils) is None
    assert identifiers.check_inn_person(citizen.inn) is None
    assert operator.organization.kind == OrganizationKind.mfc
    assert [row.role for row in operator.role_rows] == [Role.mfc_operator]


def test_each_service_is_provided_by_an_organization_of_its_agencys_kind_with_a_rule_by_its_code(ctx: Demo) -> None:
    assert set(PROVIDERS) == {service.code for service in all_services()}
    for code, (key, name, executor) in PROVIDERS.items():
        provider = active_provider(code)
        assert provider is not None
        assert provider.organization_id == organization(key).id
        assert provider.organization.kind == get_service(code).agency.organization_kind, code
        query = select(RoutingRule).where(RoutingRule.organization_id == provider.organization_id)
        [rule] = [rule for rule in db.session.execute(query).scalars() if rule.service_code == code]
        assert (rule.name, rule.is_active, rule.department.code) == (name, True, 'ОИ')
        assert (rule.executor.login if rule.executor else None) == executor


@pytest.mark.smoke  # the embedded default (SQLite) is where the demo runs
def test_the_citizens_taxpayer_application_is_registered_and_routed_in_the_tax_service(ctx: Demo) -> None:
    filed = application('taxpayer_cabinet')
    citizen = user('portal', 'citizen')
    assert (filed.channel, filed.status, filed.filed_by_id) == ('portal', 'in_progress', citizen.id)
    assert filed.applicant_user_id == citizen.id
    assert [(facts['role'], facts['method']) for facts in filed.signatures] == [('application', 'sms')]
    card = db.session.get_one(Card, filed.card_id)
    assert (card.organization_id, card.status, card.sender_number) == (
        organization('tax').id,
        CardStatus.registered,
        filed.number,
    )
    routed = decision(card.id)
    assert routed.rule_name == PROVIDERS['taxpayer_cabinet'][1]
    assert card.department_id == routed.department_id is not None


@pytest.mark.smoke  # the embedded default (SQLite) is where the demo runs
def test_the_mfcs_registration_carries_the_owners_valid_qualified_consent_and_is_routed_to_the_manager(
    ctx: Demo,
) -> None:
    filed = application('temporary_registration')
    operator = user('mfc', 'mfc')
    assert (filed.channel, filed.status, filed.filed_by_id) == ('mfc', 'in_progress', operator.id)
    assert filed.filed_via_organization_id == organization('mfc').id
    assert filed.applicant_user_id == user('portal', 'citizen').id, 'the СНИЛС links it to the citizen'
    assert filed.values['owner']['last_name'] == CONSENT_OWNER.surname
    assert {file.kind for file in filed.files} == {'identity_document', 'residence_right', 'owner_consent'}
    card = db.session.get_one(Card, filed.card_id)
    assert (card.organization_id, card.status) == (organization('mig').id, CardStatus.registered)
    assert card.delivery_method == DeliveryMethod.mfc
    assert decision(card.id).executor_id == user('mig', 'manager').id
    query = select(AttachmentSignature).where(AttachmentSignature.card_id == card.id)
    [signature] = db.session.execute(query).scalars()
    assert (signature.attachment.filename, signature.last_verdict) == (CONSENT_FILENAME, 'valid')


@pytest.mark.smoke  # the embedded default (SQLite) is where the demo runs
def test_the_citizen_sees_both_applications_in_his_cabinet(app: Flask, ctx: Demo) -> None:
    client = FreshContextClient(app, app.response_class, use_cookies=True)
    login(client, user('portal', 'citizen'), DEMO_PASSWORD)

    page = client.get('/applications')

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert all(application(code).number in html for code in ('taxpayer_cabinet', 'temporary_registration'))


def test_the_citizens_company_has_a_cabinet_with_him_as_administrator_and_its_accountant(ctx: Demo) -> None:
    citizen, accountant = user('portal', 'citizen'), user('portal', 'accountant')
    [(cabinet, head)] = legal_cabinets_of(citizen)
    assert (cabinet.ogrn, cabinet.name) == (COMPANY['ogrn'], COMPANY['name'])
    assert (head.role, head.rights) == ('administrator', frozenset(LegalCabinetRight))
    [(same, member)] = legal_cabinets_of(accountant)
    assert (same.id, member.role, member.added_by_id) == (cabinet.id, 'accountant', citizen.id)
    assert member.rights == {LegalCabinetRight.view, LegalCabinetRight.send}
    assert (accountant.snils, accountant.inn) != (None, None)
    line = next(line for line in ctx.output.splitlines() if PORTAL.short_name in line and ' accountant ' in line)
    assert '«Кабинет организации»' in line


def test_the_logins_say_what_the_citizen_the_operator_and_the_migration_service_try(ctx: Demo) -> None:
    lines = ctx.output.splitlines()
    assert '«Мои заявления»' in next(line for line in lines if PORTAL.short_name in line and ' citizen ' in line)
    assert '«Одно окно»' in next(line for line in lines if ' mfc ' in line and 'mfc_operator' in line)
    migration = next(spec.short_name for spec in ORGS if spec.key == 'mig')
    staff = [line for line in lines if migration in line and ('clerk' in line or 'manager' in line)]
    assert len(staff) == 2
    assert all('«Заявления граждан»' in line for line in staff)


def test_loading_again_changes_nothing(app: Flask, ctx: Demo) -> None:
    result = app.test_cli_runner().invoke(args=['edms', 'seed-demo'])

    assert result.exit_code == 0, result.output
    assert 'уже загружены' in result.output
    assert db.session.execute(select(func.count(Dispatch.id))).scalar_one() == 1
    assert db.session.execute(select(func.count(TrustedCertificate.id))).scalar_one() == PKI_CA_COUNT
    assert db.session.execute(select(func.count(Application.id))).scalar_one() == 3
    assert db.session.execute(select(func.count(ServiceProvider.id))).scalar_one() == len(PROVIDERS)
    assert db.session.execute(select(func.count(RoutingRule.id))).scalar_one() == 3 + len(PROVIDERS)
    query = select(func.count(User.id)).where(User.organization_id == organization('portal').id)
    assert db.session.execute(query).scalar_one() == len(PORTAL_USERS)


def test_the_letter_pdf_is_readable_even_without_pt_sans(monkeypatch: pytest.MonkeyPatch) -> None:
    letter_text = demo_pdf.Letter('Минцифры', 'г. Энск', '№ 1', 'Управление', 'Тема', ('Текст',), 'Пост', 'И. О.', '')
    with_font = PdfFileReader(io.BytesIO(demo_pdf.letter_pdf(letter_text)))

    def missing(weight: str = 'regular') -> None:
        raise FontMissing()

    monkeypatch.setattr(demo_pdf, 'pt_sans', missing)
    without_font = PdfFileReader(io.BytesIO(demo_pdf.letter_pdf(letter_text)))

    assert (with_font.root['/Pages']['/Count'], without_font.root['/Pages']['/Count']) == (1, 1)


def test_the_companys_registration_was_compared_with_egrul_by_the_tax_service(ctx: Demo) -> None:
    registration = application('legal_entity_cabinet')
    query = select(InteragencyRequest).where(InteragencyRequest.application_id == registration.id)
    [request] = db.session.scalars(query)
    assert (request.data_kind, request.status, request.mismatches) == ('egrul', RequestStatus.answered, [])
    assert request.responding_organization.short_name.startswith('УФНС')
