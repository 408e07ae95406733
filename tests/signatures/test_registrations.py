"""Signatures of a card's registration data: simple and qualified (CMS over the canonical serialization, accepted by
`openssl cms -verify`), a change of the summary or of the files detected afterwards, one signature per signer (a
changed card is signed again in place of the old one), several signers per card, and the refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from edms.audit.models import AuditEntry
from edms.core.db import db
from edms.core.errors import NotFound, ValidationFailed
from edms.core.tx import atomic
from edms.registry.models import Card
from edms.registry.operations import cancel_card
from edms.signatures.crypto.errors import WrongPassword
from edms.signatures.models import RegistrationSignature
from edms.signatures.operations import import_certificate
from edms.signatures.operations.registrations import (
    RECORD_TYPE,
    NotRegistered,
    RegistrationAlreadySigned,
    check_registration_signature,
    registration_payload,
    sign_registration,
)
from edms.signatures.records import record_digest, signed_content
from scripts.make_test_pki import TestPki
from tests.factories import make_card, make_organization, make_user
from tests.signatures.openssl_tools import requires_engine
from tests.signatures.store_setup import Ministry, add_file, install_trust, make_ministry, openssl_verifies, p12

PASSWORD = 'test123'


@pytest.fixture
def ministry(app_ctx, test_pki: TestPki) -> Ministry:
    ministry = make_ministry(test_pki)
    install_trust(test_pki)
    return ministry


def qualified(ministry: Ministry, person: str) -> dict[str, object]:
    user = ministry.person(person)
    with atomic():
        certificate = import_certificate(user, user, p12(ministry.pki, person), PASSWORD)
    return {'method': 'qualified', 'certificate_id': certificate.id, 'password': PASSWORD}


def sign(ministry: Ministry, person: str, signature: dict[str, object] | None = None) -> RegistrationSignature:
    with atomic():
        return sign_registration(ministry.person(person), ministry.card, signature)


def card_of(ministry: Ministry) -> Card:
    db.session.expire_all()
    return db.session.get(Card, ministry.card.id)


def change_summary(ministry: Ministry, summary: str) -> None:
    with atomic():
        card_of(ministry).summary = summary


def journal(action: str) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
    return list(db.session.execute(query).scalars())


def test_the_payload_holds_the_registration_requisites_and_the_file_hashes_in_order(ministry):
    second = add_file(ministry, b'%PDF-1.4\nsecond')
    payload = registration_payload(card_of(ministry))
    card = card_of(ministry)
    assert payload['reg_number'] == card.reg_number
    assert payload['reg_date'] == card.reg_date
    assert payload['summary'] == card.summary
    assert payload['organization']['ogrn'] == ministry.organization.ogrn
    assert payload['correspondent']['name'] == card.correspondent_name
    assert payload['sender_number'] == card.sender_number
    assert payload['files'] == [ministry.attachment.sha256, second.sha256]


def test_a_simple_signature_stores_the_digest_and_is_journaled(ministry):
    row = sign(ministry, 'rsa')
    card = card_of(ministry)
    assert row.method == 'simple'
    assert row.value is None
    assert row.digest == record_digest(RECORD_TYPE, card.id, registration_payload(card))
    assert check_registration_signature(row, card) == (True, None)
    [entry] = journal('card.sign_registration')
    assert entry.object_id == str(card.id)
    assert entry.data['method'] == 'simple'
    assert entry.data['replaced'] is False


@pytest.mark.parametrize('person', ['rsa', 'ec', pytest.param('gost256', marks=requires_engine)])
def test_a_qualified_signature_is_cms_over_the_canonical_bytes_accepted_by_openssl(ministry, tmp_path, person):
    row = sign(ministry, person, qualified(ministry, person))
    card = card_of(ministry)
    assert row.method == 'qualified'
    content = signed_content(RECORD_TYPE, card.id, registration_payload(card))
    assert openssl_verifies(ministry.pki, tmp_path, person, content, bytes(row.value))
    unchanged, report = check_registration_signature(row, card)
    assert unchanged is True
    assert report.verdict == 'valid'
    assert PASSWORD not in ' '.join(str(entry.data) for entry in journal('card.sign_registration'))


def test_a_changed_summary_is_detected_by_the_digest_and_by_the_cms(ministry):
    simple = sign(ministry, 'ec')
    signed = sign(ministry, 'rsa', qualified(ministry, 'rsa'))
    change_summary(ministry, 'О предоставлении других сведений')
    card = card_of(ministry)
    assert check_registration_signature(simple, card) == (False, None)
    unchanged, report = check_registration_signature(signed, card)
    assert unchanged is False
    assert report.verdict == 'invalid'
    assert 'integrity' in report.failed_checks()


def test_a_file_added_after_signing_changes_the_signed_content(ministry):
    row = sign(ministry, 'rsa')
    add_file(ministry, b'%PDF-1.4\nappendix')
    assert check_registration_signature(row, card_of(ministry)) == (False, None)


def test_one_signature_per_signer_and_a_changed_card_is_signed_again_in_its_place(ministry):
    first = sign(ministry, 'rsa')
    with pytest.raises(RegistrationAlreadySigned):
        sign(ministry, 'rsa')
    other = sign(ministry, 'ec')
    assert other.id != first.id
    change_summary(ministry, 'Исправленное содержание')
    again = sign(ministry, 'rsa', qualified(ministry, 'rsa'))
    assert again.id == first.id
    assert again.method == 'qualified'
    rows = db.session.execute(select(RegistrationSignature).where(RegistrationSignature.card_id == ministry.card.id))
    assert len(rows.scalars().all()) == 2
    assert check_registration_signature(again, card_of(ministry))[0] is True
    assert [entry.data['replaced'] for entry in journal('card.sign_registration')] == [False, False, True]


def test_a_draft_or_cancelled_card_is_not_signed(ministry):
    with atomic():
        draft = make_card(ministry.clerk, register=False)
    with pytest.raises(NotRegistered), atomic():
        sign_registration(ministry.person('rsa'), draft)
    with atomic():
        cancel_card(ministry.clerk, card_of(ministry), 'Ошибочная регистрация')
    with pytest.raises(NotRegistered), atomic():
        sign_registration(ministry.person('rsa'), card_of(ministry))


def test_another_organizations_card_is_not_found(ministry):
    with atomic():
        stranger = make_user(make_organization('Чужое ведомство'), 'clerk', 'manager')
    with pytest.raises(NotFound), atomic():
        sign_registration(stranger, ministry.card)


@pytest.mark.parametrize(
    ('signature', 'fields'),
    [
        ({'method': 'advanced'}, {'method'}),
        ({'method': 'simple', 'pin': '1'}, {'pin'}),
        ({'method': 'qualified'}, {'certificate_id', 'password'}),
        ({'method': 'qualified', 'certificate_id': 'x', 'password': 5}, {'certificate_id', 'password'}),
    ],
)
def test_bad_signature_input_is_refused_with_field_messages(ministry, signature, fields):
    with pytest.raises(ValidationFailed) as caught, atomic():
        sign_registration(ministry.person('rsa'), ministry.card, signature)
    assert set(caught.value.fields) == fields


def test_a_wrong_password_signs_nothing(ministry):
    credentials = {**qualified(ministry, 'rsa'), 'password': 'wrong'}
    with pytest.raises(WrongPassword), atomic():
        sign_registration(ministry.person('rsa'), ministry.card, credentials)
    assert db.session.execute(select(RegistrationSignature)).first() is None
