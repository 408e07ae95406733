"""The taxpayer cabinet's application confirmed by a one-time SMS code in the browser: «Получить код» sends the code to
the phone typed (a real gateway on loopback receives it) and brings the form back filled; the right code files the
application with the SMS signature (the code's id and masked phone in it); a wrong, expired or missing code puts its
message on the code field with the form filled and nothing filed; a code sent to another phone than the form's
contact phone is refused on that phone; the phone's format and the rate limit; without an SMS gateway (and no
development delivery) the form says SMS confirmation is unavailable; a refused filing keeps the code usable; the
corrected application of a clarification; the MFC and a partner cannot confirm by SMS; another applicant's
application is a 404."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from edms.auth.confirmation import LIFETIME_SECONDS, ConfirmationCode
from edms.citizen_services.models import Application
from edms.citizen_services.operations import request_clarification
from edms.citizen_services.rules.fields import flatten
from edms.core.db import db
from edms.core.tx import atomic
from tests.auth.sms_gateway import Gateway, notified_code, sms_gateway, taxpayer_with_phone
from tests.citizen_services import conftest as services
from tests.citizen_services import samples
from tests.citizen_services.conftest import World, count
from tests.factories import login

world = services.world
__all__ = ['sms_gateway', 'taxpayer_with_phone', 'world']
NEW = '/applications/new?service=taxpayer_cabinet'
SEND = '/applications/new/sms-code?service=taxpayer_cabinet'
PHONE = '+7 912 345-67-89'


def form(**extra: str) -> dict[str, Any]:
    return {**dict(flatten(samples.taxpayer_cabinet())), **extra}


def post(client: FlaskClient, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data=data, content_type='multipart/form-data')


def feedback(html: str, name: str) -> str:
    """The message shown under the input `name`."""
    match = re.search(rf'name="{re.escape(name)}"[^>]*>\s*<div class="invalid-feedback">([^<]*)</div>', html)
    assert match, f'no message under {name}'
    return match.group(1)


def only_code() -> ConfirmationCode:
    db.session.expire_all()
    [row] = db.session.query(ConfirmationCode).all()
    return row


def test_form_offers_the_code_instead_of_the_demo_checkbox(client: FlaskClient, world: World) -> None:
    login(client, world.applicant)
    html = client.get(NEW).get_data(as_text=True)
    assert 'Получить код' in html
    assert 'formaction="/applications/new/sms-code?service=taxpayer_cabinet"' in html
    assert 'name="sms.code"' in html
    assert 'name="sms.phone"' in html
    assert 'type="checkbox"' not in html
    assert 'Демонстрационная замена' not in html
    assert 'Код из 6 цифр действует 10 минут' in html
    assert 'id="sms-unavailable"' not in html


def test_code_sent_by_the_gateway_then_the_application_is_filed(
    client: FlaskClient, world: World, sms_gateway: Gateway
) -> None:
    login(client, world.applicant)
    sent = post(client, SEND, form(**{'sms.phone': '8 (912) 345-67-89'}))

    html = sent.get_data(as_text=True)
    assert sent.status_code == 200
    assert f'Код отправлен на {PHONE}' in html
    assert f'value="{samples.INN_PERSON}"' in html  # the form came back filled
    assert 'режим разработки' not in html
    assert sms_gateway.messages[0]['phone'] == '+79123456789'
    assert count(Application) == 0

    filed = post(client, NEW, form(**{'sms.phone': PHONE, 'sms.code': sms_gateway.code()}))

    assert filed.status_code == 302
    [application] = db.session.query(Application).all()
    [facts] = application.signatures
    assert (facts['role'], facts['method']) == ('application', 'sms')
    assert (facts['confirmation_code_id'], facts['phone']) == (only_code().id, '+7 912 ***-**-89')
    assert only_code().used_at is not None


def test_without_a_gateway_the_form_says_sms_confirmation_is_unavailable(
    client: FlaskClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(client.application.config, 'SMS_DEVELOPMENT_DELIVERY', False)
    message = 'SMS-шлюз не настроен: подтверждение по SMS недоступно, подпишите заявление электронной подписью.'
    login(client, world.applicant)
    page = client.get(NEW).get_data(as_text=True)
    assert re.search(r'id="sms-unavailable">([^<]*)</div>', page).group(1) == message
    assert re.search(r'formnovalidate disabled>Получить код', page)

    refused = post(client, SEND, form(**{'sms.phone': PHONE}))

    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert feedback(html, 'sms.phone') == message
    assert f'value="{samples.INN_PERSON}"' in html
    assert db.session.query(ConfirmationCode).count() == 0


def test_code_sent_to_another_phone_than_the_forms_contact_phone_is_refused_on_it(
    client: FlaskClient, world: World, taxpayer_with_phone: Any
) -> None:
    login(client, world.applicant)
    post(client, SEND, form(**{'sms.phone': PHONE}))
    code = notified_code(world.applicant)

    refused = post(client, NEW, form(phone='+7 912 000-00-00', **{'sms.phone': PHONE, 'sms.code': code}))

    assert refused.status_code == 422
    assert feedback(refused.get_data(as_text=True), 'phone') == (
        '«Контактный телефон»: код подтверждения отправлен на +7 912 345-67-89, а в заявлении указан другой телефон '
        '— запросите код на телефон из заявления.'
    )
    assert (only_code().used_at, only_code().attempts) == (None, 0)
    assert count(Application) == 0
    assert post(client, NEW, form(phone=PHONE, **{'sms.code': code})).status_code == 302


def test_wrong_code_is_refused_on_its_field_with_the_form_filled(client: FlaskClient, world: World) -> None:
    login(client, world.applicant)
    sent = post(client, SEND, form(**{'sms.phone': PHONE})).get_data(as_text=True)
    assert 'SMS-шлюз не настроен (режим разработки): код — в разделе «Уведомления».' in sent
    code = notified_code(world.applicant)
    wrong = f'{(int(code) + 1) % 1_000_000:06d}'

    refused = post(client, NEW, form(**{'sms.phone': PHONE, 'sms.code': wrong}))

    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert feedback(html, 'sms.code') == '«Код подтверждения»: неверный код, осталось 2 попытки.'
    assert f'value="{samples.INN_PERSON}"' in html
    assert f'value="{PHONE}"' in html
    assert count(Application) == 0
    assert only_code().attempts == 1  # the attempt is spent although nothing was filed

    assert post(client, NEW, form(**{'sms.code': code})).status_code == 302


def test_expired_or_missing_code_is_refused(client: FlaskClient, world: World) -> None:
    login(client, world.applicant)
    never = post(client, NEW, form(**{'sms.code': '123456'})).get_data(as_text=True)
    assert feedback(never, 'sms.code') == '«Код подтверждения»: код не запрашивался — запросите новый код.'
    post(client, SEND, form(**{'sms.phone': PHONE}))
    code = notified_code(world.applicant)
    with atomic():
        row = db.session.query(ConfirmationCode).one()
        row.expires_at -= timedelta(seconds=LIFETIME_SECONDS)

    expired = post(client, NEW, form(**{'sms.code': code}))

    assert expired.status_code == 422
    message = '«Код подтверждения»: срок действия кода истёк — запросите новый код.'
    assert feedback(expired.get_data(as_text=True), 'sms.code') == message
    assert count(Application) == 0


def test_wrong_phone_and_the_rate_limit_are_told_next_to_the_phone(client: FlaskClient, world: World) -> None:
    login(client, world.applicant)
    bad = post(client, SEND, form(**{'sms.phone': '+7 495 123-45-67'}))
    assert bad.status_code == 422
    message = '«Номер телефона»: мобильный номер в формате +7 9XX XXX-XX-XX.'
    assert feedback(bad.get_data(as_text=True), 'sms.phone') == message
    assert post(client, SEND, form(**{'sms.phone': PHONE})).status_code == 200

    again = post(client, SEND, form(**{'sms.phone': PHONE}))

    assert again.status_code == 429
    html = again.get_data(as_text=True)
    assert feedback(html, 'sms.phone').startswith('«Код подтверждения»: новый код можно запросить через ')
    assert f'value="{samples.INN_PERSON}"' in html
    assert db.session.query(ConfirmationCode).count() == 1


def test_refused_application_keeps_the_code_usable(client: FlaskClient, world: World) -> None:
    login(client, world.applicant)
    post(client, SEND, form(**{'sms.phone': PHONE}))
    code = notified_code(world.applicant)

    refused = post(client, NEW, form(**{'email': 'не адрес', 'sms.code': code}))

    assert refused.status_code == 422
    assert '«Адрес электронной почты»' in refused.get_data(as_text=True)
    assert f'value="{code}"' in refused.get_data(as_text=True)
    assert only_code().used_at is None
    assert post(client, NEW, form(**{'sms.code': code})).status_code == 302


def test_corrected_application_confirmed_by_a_new_code(client: FlaskClient, world: World) -> None:
    application = world.file('taxpayer_cabinet')
    with atomic():
        request_clarification(world.tax_executor, application, 'Уточните дату рождения.')
    login(client, world.applicant)
    page = client.get(f'/applications/{application.id}').get_data(as_text=True)
    assert f'formaction="/applications/{application.id}/resubmit/sms-code"' in page

    sent = post(client, f'/applications/{application.id}/resubmit/sms-code', form(**{'sms.phone': PHONE}))
    assert f'Код отправлен на {PHONE}' in sent.get_data(as_text=True)
    code = notified_code(world.applicant)
    resubmitted = post(client, f'/applications/{application.id}/resubmit', form(**{'sms.code': code}))

    assert resubmitted.status_code == 302
    assert only_code().used_at is not None


def test_another_applicants_application_is_not_found(client: FlaskClient, world: World) -> None:
    application = world.file('taxpayer_cabinet')
    with atomic():
        request_clarification(world.tax_executor, application, 'Уточните дату рождения.')
    login(client, world.other_applicant)
    response = post(client, f'/applications/{application.id}/resubmit/sms-code', form(**{'sms.phone': PHONE}))
    assert response.status_code == 404
    assert db.session.query(ConfirmationCode).count() == 0


def test_mfc_and_partner_cannot_confirm_by_sms(client: FlaskClient, world: World) -> None:
    login(client, world.operator)
    mfc_form = client.get('/mfc?service=taxpayer_cabinet').get_data(as_text=True)
    assert 'Получить код' not in mfc_form
    assert 'name="sms.code"' not in mfc_form
    assert post(client, SEND, form(**{'sms.phone': PHONE})).status_code == 403
    client.post('/logout')
    login(client, world.bank_user)
    assert post(client, SEND, form(**{'sms.phone': PHONE})).status_code == 403
    assert db.session.query(ConfirmationCode).count() == 0


def test_code_requests_refused_without_the_csrf_token(
    client: FlaskClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    application = world.file('taxpayer_cabinet')
    with atomic():
        request_clarification(world.tax_executor, application, 'Уточните дату рождения.')
    login(client, world.applicant)
    monkeypatch.setitem(client.application.config, 'WTF_CSRF_ENABLED', True)
    assert client.post(SEND, data=form(**{'sms.phone': PHONE})).status_code == 400
    resubmit = f'/applications/{application.id}/resubmit/sms-code'
    assert client.post(resubmit, data=form(**{'sms.phone': PHONE})).status_code == 400
    assert db.session.query(ConfirmationCode).count() == 0
    page = client.get(NEW).get_data(as_text=True)
    assert 'name="csrf_token"' in page  # «Получить код» posts the form with its token
