"""«Мой телефон» in the browser: the user's menu links to it; the number typed → «Получить код» brings the page back at
its second step (the number kept, the code's input, where the code went) → the code typed stores the number as
confirmed; a wrong code comes back on its field with the attempt spent; a wrong number comes back on its field with
the number as typed; until the new number is confirmed the old one stays; removing it; the forms need the CSRF token;
the page is always the user's own (another user's number never shows)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from edms.auth.confirmation import ConfirmationCode
from edms.auth.models import Role, User
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.tx import atomic
from tests.auth.sms_gateway import notified_code
from tests.factories import PASSWORD, login, make_organization, make_user, page_text

URL = '/me/phone'


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr('edms.auth.confirmation_codes.RESEND_SECONDS', 0)


@pytest.fixture
def people(client: FlaskClient) -> tuple[User, User]:
    with atomic():
        organization = make_organization('Портал госуслуг', kind='portal', with_journals=False)
        return make_user(organization, Role.applicant), make_user(organization, Role.applicant)


def feedback(page: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}"[^>]*>\s*<div class="invalid-feedback">([^<]*)</div>', page)
    assert match, f'no message under {name}'
    return match.group(1)


def stored(user: User) -> tuple[str | None, bool]:
    db.session.expire_all()
    fresh = db.session.get(User, user.id)
    assert fresh is not None
    return fresh.phone, fresh.phone_confirmed_at is not None


def send(client: FlaskClient, phone: str) -> Any:
    return client.post(f'{URL}/code', data={'phone': phone})


def test_the_menu_links_to_the_page_and_two_steps_confirm_the_number(
    client: FlaskClient, people: tuple[User, User]
) -> None:
    user, _ = people
    login(client, user)
    home = client.get('/', follow_redirects=True).get_data(as_text=True)
    assert f'href="{URL}">Мой телефон</a>' in home
    page = page_text(client.get(URL).get_data(as_text=True))
    assert 'Подтверждённого номера нет' in page
    sent = send(client, '8 (912) 345-67-89')
    assert sent.status_code == 200
    html = sent.get_data(as_text=True)
    assert 'Код отправлен на +7 912 345-67-89' in html
    assert 'value="+7 912 345-67-89"' in html  # the number kept for the second step
    assert 'name="code"' in html
    assert 'name="password"' in html
    assert stored(user) == (None, False)  # nothing stored before the code
    unsigned = client.post(URL, data={'phone': '+7 912 345-67-89', 'code': notified_code(user), 'password': 'не тот'})
    assert unsigned.status_code == 422
    assert feedback(unsigned.get_data(as_text=True), 'password') == '«Пароль учётной записи»: пароль указан неверно.'
    assert stored(user) == (None, False)  # the session alone does not set the number
    done = client.post(URL, data={'phone': '+7 912 345-67-89', 'code': notified_code(user), 'password': PASSWORD})
    assert done.status_code == 302
    assert stored(user) == ('+79123456789', True)
    page = page_text(client.get(URL).get_data(as_text=True))
    assert 'Подтверждённый номер: +7 912 345-67-89' in page
    assert 'Номер телефона подтверждён' in page


def test_a_wrong_code_comes_back_on_its_field_with_the_attempt_spent(
    client: FlaskClient, people: tuple[User, User]
) -> None:
    user, _ = people
    login(client, user)
    send(client, '+7 912 345-67-89')
    code = notified_code(user)
    wrong = '000000' if code != '000000' else '111111'
    refused = client.post(URL, data={'phone': '+7 912 345-67-89', 'code': wrong, 'password': PASSWORD})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert feedback(page, 'code') == '«Код подтверждения»: неверный код, осталось 2 попытки.'
    assert 'value="+7 912 345-67-89"' in page
    db.session.expire_all()
    assert db.session.query(ConfirmationCode).one().attempts == 1
    assert stored(user) == (None, False)
    # A code for another number confirms nothing either.
    refused = client.post(URL, data={'phone': '+7 900 111-22-33', 'code': code, 'password': PASSWORD})
    assert 'код не запрашивался' in feedback(refused.get_data(as_text=True), 'code')
    assert client.post(URL, data={'phone': '+7 912 345-67-89', 'code': code, 'password': PASSWORD}).status_code == 302


@pytest.mark.parametrize(
    ('typed', 'message'),
    [
        ('', '«Номер телефона»: введите номер мобильного телефона.'),
        ('+7 495 123-45-67', '«Номер телефона»: мобильный номер в формате +7 9XX XXX-XX-XX.'),
        ('телефон', '«Номер телефона»: мобильный номер в формате +7 9XX XXX-XX-XX.'),
    ],
)
def test_a_wrong_number_comes_back_on_its_field_as_typed(
    client: FlaskClient, people: tuple[User, User], typed: str, message: str
) -> None:
    login(client, people[0])
    refused = send(client, typed)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert feedback(page, 'phone') == message
    assert f'value="{typed}"' in page
    assert db.session.query(ConfirmationCode).count() == 0


def test_changing_keeps_the_old_number_until_the_new_one_is_confirmed_and_removing_forgets_it(
    client: FlaskClient, people: tuple[User, User]
) -> None:
    user, _ = people
    login(client, user)
    send(client, '+7 912 345-67-89')
    client.post(URL, data={'phone': '+7 912 345-67-89', 'code': notified_code(user), 'password': PASSWORD})
    again = send(client, '+7 912 345-67-89')
    assert feedback(again.get_data(as_text=True), 'phone') == (
        '«Номер телефона»: этот номер уже подтверждён для вашей учётной записи.'
    )
    send(client, '+7 900 111-22-33')
    assert stored(user) == ('+79123456789', True)
    assert 'Подтверждённый номер: +7 912 345-67-89' in page_text(client.get(URL).get_data(as_text=True))
    client.post(URL, data={'phone': '+7 900 111-22-33', 'code': notified_code(user), 'password': PASSWORD})
    assert stored(user) == ('+79001112233', True)
    assert client.post(f'{URL}/remove').status_code == 302
    assert stored(user) == (None, False)


def test_the_page_is_the_users_own(client: FlaskClient, people: tuple[User, User]) -> None:
    owner, stranger = people
    with atomic():
        owner.phone, owner.phone_confirmed_at = '+79123456789', utcnow()
    login(client, stranger)
    page = client.get(URL).get_data(as_text=True)
    assert '912' not in page
    assert client.post(f'{URL}/remove').status_code == 302
    assert stored(owner) == ('+79123456789', True)


def test_forms_need_the_csrf_token(
    client: FlaskClient, people: tuple[User, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    user, _ = people
    with atomic():
        user.phone, user.phone_confirmed_at = '+79123456789', utcnow()
    login(client, user)
    monkeypatch.setitem(client.application.config, 'WTF_CSRF_ENABLED', True)
    assert client.post(f'{URL}/code', data={'phone': '+7 900 111-22-33'}).status_code == 400
    assert (
        client.post(URL, data={'phone': '+7 900 111-22-33', 'code': '123456', 'password': PASSWORD}).status_code == 400
    )
    assert client.post(f'{URL}/remove').status_code == 400
    assert stored(user) == ('+79123456789', True)
    assert db.session.query(ConfirmationCode).count() == 0
