"""The account's confirmed phone («Мой телефон», `edms.auth.phone`): a number is stored only once the code sent to it
for the account is typed; a wrong, expired, used code, a code of another number and another account's code confirm
nothing (the previous confirmed phone stays); the number's format; the number already confirmed is not asked again;
removing it; every change journaled with masked numbers and never the code."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select, update

from edms.audit.models import AuditEntry
from edms.auth.confirmation import CodeRejected, ConfirmationCode
from edms.auth.models import Role, User
from edms.auth.phone import (
    ALREADY,
    REQUIRED,
    confirm_phone,
    confirmed_phone,
    phone_purpose,
    phone_to_confirm,
    remove_phone,
)
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.errors import ValidationFailed
from edms.core.tx import atomic
from edms.notifications.sms import send_code
from tests.auth.sms_gateway import notified_code
from tests.factories import PASSWORD, make_organization, make_user

PHONE, OTHER = '+79123456789', '+79001112233'
FORMAT = '«Номер телефона»: мобильный номер в формате +7 9XX XXX-XX-XX.'


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """A code may be asked again at once (the rate limit has its own tests)."""
    monkeypatch.setattr('edms.auth.confirmation_codes.RESEND_SECONDS', 0)


@pytest.fixture
def people(app_ctx: Flask) -> tuple[User, User]:
    with atomic():
        organization = make_organization('Портал госуслуг', with_journals=False)
        return make_user(organization, Role.applicant), make_user(organization, Role.applicant)


@pytest.fixture
def user(people: tuple[User, User]) -> User:
    return people[0]


def ask(user: User, typed: str = '8 (912) 345-67-89') -> str:
    """A code sent to the typed number, as the user reads it (the development delivery in the app)."""
    with atomic():
        phone, purpose = phone_to_confirm(user, typed)
        send_code(user, purpose, phone)
    return notified_code(user)


def attempt(user: User, typed: str, code: str) -> str | None:
    """Confirm as an entry point does (a rejected code is committed, then reported); the refusal's message or None."""
    rejected: CodeRejected | None = None
    with atomic():
        try:
            confirm_phone(user, typed, code, PASSWORD)
        except CodeRejected as error:
            rejected = error
    db.session.expire_all()
    return rejected.fields['code'] if rejected else None


def journal(user: User) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.object_type == 'auth_users', AuditEntry.object_id == str(user.id))
    return [
        entry for entry in db.session.scalars(query.order_by(AuditEntry.id)) if entry.action.startswith('user.phone_')
    ]


def test_the_number_is_stored_once_its_code_is_typed_and_journaled_without_the_code(user: User) -> None:
    code = ask(user)
    row = db.session.scalars(select(ConfirmationCode)).one()
    assert (row.purpose, row.phone) == (phone_purpose(PHONE), PHONE)
    assert row.purpose == 'phone:confirm:9123456789'
    assert (user.phone, confirmed_phone(user)) == (None, None)  # nothing stored before the code
    assert attempt(user, '+7 912 345-67-89', code) is None
    assert (confirmed_phone(user), user.phone_confirmed_at is not None) == (PHONE, True)
    [entry] = journal(user)
    assert (entry.action, entry.actor_id) == ('user.phone_confirm', user.id)
    assert entry.data == {'phone': '+7 912 ***-**-89', 'before': None, 'code_id': row.id}
    everything = json.dumps([e.data for e in db.session.scalars(select(AuditEntry))], ensure_ascii=False)
    assert code not in everything


def test_changing_keeps_the_old_phone_until_the_new_one_is_confirmed(user: User) -> None:
    attempt(user, PHONE, ask(user))
    code = ask(user, OTHER)
    assert confirmed_phone(user) == PHONE  # asked, not confirmed: the old phone stays
    wrong = '000000' if code != '000000' else '111111'
    assert attempt(user, OTHER, wrong) == '«Код подтверждения»: неверный код, осталось 2 попытки.'
    assert confirmed_phone(user) == PHONE
    assert attempt(user, OTHER, code) is None
    assert confirmed_phone(user) == OTHER
    assert journal(user)[-1].data['before'] == '+7 912 ***-**-89'


def test_a_code_sent_to_one_number_does_not_confirm_another(user: User) -> None:
    code = ask(user, OTHER)
    assert attempt(user, PHONE, code) == '«Код подтверждения»: код не запрашивался — запросите новый код.'
    assert confirmed_phone(user) is None


def test_another_accounts_code_confirms_nothing(people: tuple[User, User]) -> None:
    owner, stranger = people
    code = ask(owner)
    assert attempt(stranger, PHONE, code) == '«Код подтверждения»: код не запрашивался — запросите новый код.'
    assert (confirmed_phone(stranger), confirmed_phone(owner)) == (None, None)
    assert attempt(owner, PHONE, code) is None  # the owner's code is untouched
    assert (confirmed_phone(stranger), confirmed_phone(owner)) == (None, PHONE)


def test_an_expired_or_used_code_confirms_nothing(user: User) -> None:
    code = ask(user)
    with atomic():
        db.session.execute(update(ConfirmationCode).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert attempt(user, PHONE, code) == '«Код подтверждения»: срок действия кода истёк — запросите новый код.'
    assert confirmed_phone(user) is None
    code = ask(user)
    assert attempt(user, PHONE, code) is None
    attempt(user, OTHER, ask(user, OTHER))
    assert attempt(user, PHONE, code) == '«Код подтверждения»: код уже использован — запросите новый код.'
    assert confirmed_phone(user) == OTHER


@pytest.mark.parametrize(
    ('typed', 'message'),
    [('', REQUIRED), ('   ', REQUIRED), ('+7 495 123-45-67', FORMAT), ('12345', FORMAT), ('+7 912 345-67-8٩', FORMAT)],
)
def test_the_number_must_be_a_russian_mobile_one(user: User, typed: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as caught, atomic():
        phone_to_confirm(user, typed)
    assert caught.value.fields == {'phone': message}
    with pytest.raises(ValidationFailed) as caught, atomic():
        confirm_phone(user, typed, '123456', PASSWORD)
    assert caught.value.fields == {'phone': message}
    assert db.session.scalars(select(ConfirmationCode)).first() is None


def test_a_wrong_shaped_code_is_refused_on_the_code(user: User) -> None:
    ask(user)
    for typed, message in (('12', 'код состоит из 6 цифр.'), ('', 'введите код из СМС.')):
        with pytest.raises(ValidationFailed) as refused, atomic():
            confirm_phone(user, PHONE, typed, PASSWORD)
        assert refused.value.fields == {'code': f'«Код подтверждения»: {message}'}
    assert confirmed_phone(user) is None


def test_the_confirmed_number_is_not_asked_again(user: User) -> None:
    attempt(user, PHONE, ask(user))
    with pytest.raises(ValidationFailed) as caught, atomic():
        phone_to_confirm(user, '8 912 345 67 89')
    assert caught.value.fields == {'phone': ALREADY}


def test_removing_forgets_the_phone_and_is_journaled(user: User) -> None:
    with atomic():
        assert remove_phone(user) is False
    assert journal(user) == []
    attempt(user, PHONE, ask(user))
    with atomic():
        assert remove_phone(user) is True
    db.session.expire_all()
    assert (user.phone, user.phone_confirmed_at, confirmed_phone(user)) == (None, None, None)
    entry = journal(user)[-1]
    assert (entry.action, entry.data) == ('user.phone_remove', {'before': '+7 912 ***-**-89'})


def test_wrong_passwords_confirm_nothing_and_lock_the_account_like_wrong_logins(app_ctx: Flask, user: User) -> None:
    """Whoever holds the session without the password can neither set their number nor guess the password here
    without end: each wrong one counts towards the account's lockout, as a wrong login does."""
    code = ask(user)
    limit = app_ctx.config['LOGIN_MAX_FAILURES']
    for _ in range(limit):
        rejected: CodeRejected | None = None
        with atomic():
            try:
                confirm_phone(user, PHONE, code, 'не тот пароль')
            except CodeRejected as error:
                rejected = error
        assert rejected is not None
        assert rejected.fields == {'password': '«Пароль учётной записи»: пароль указан неверно.'}
    db.session.expire_all()
    locked = db.session.get(User, user.id)
    assert locked is not None
    assert locked.locked_until is not None
    assert confirmed_phone(locked) is None
    with pytest.raises(ValidationFailed) as missing, atomic():
        confirm_phone(locked, PHONE, '', '')
    assert set(missing.value.fields) == {'code', 'password'}
