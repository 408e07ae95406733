"""SMS confirmation codes over the API: POST /confirmation-codes sends a code the loopback gateway receives (202), the
rate limit answers 429 with Retry-After, a wrong phone or purpose is a 422, no SMS gateway (and no development
delivery) a 409; filing the taxpayer cabinet with the right `sms_code` stores the SMS signature with the code's id
and masked phone, a wrong one is a 422 on `sms_code` with the attempt spent, a code sent to another phone than the
application's contact phone a 422 on that field, a refused filing keeps the code; a partner or an MFC can neither ask
for a code nor file with one; the resubmission takes a code; the OpenAPI document describes it all."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from edms.auth.confirmation import ConfirmationCode
from edms.auth.models import User
from edms.citizen_services.models import Application
from edms.citizen_services.operations import request_clarification
from edms.core.db import db
from edms.core.tx import atomic
from tests.auth.sms_gateway import Gateway, notified_code, sms_gateway, taxpayer_with_phone
from tests.citizen_services import conftest as services
from tests.citizen_services import samples
from tests.citizen_services.conftest import World, count
from tests.factories import api_token

world = services.world
__all__ = ['sms_gateway', 'taxpayer_with_phone', 'world']
API = '/api/v1'
PURPOSE = 'application:taxpayer_cabinet'
PHONE = '+7 912 345-67-89'


def headers(user: User) -> dict[str, str]:
    with atomic():
        return {'Authorization': f'Bearer {api_token(user)}'}


def ask(client: FlaskClient, auth: dict[str, str], **body: Any) -> Any:
    return client.post(f'{API}/confirmation-codes', json={'purpose': PURPOSE, 'phone': PHONE, **body}, headers=auth)


def file(client: FlaskClient, auth: dict[str, str], **extra: Any) -> Any:
    body = {'service': 'taxpayer_cabinet', 'data': samples.taxpayer_cabinet(), **extra}
    return client.post(f'{API}/applications', json=body, headers=auth)


def only_code() -> ConfirmationCode:
    db.session.expire_all()
    [row] = db.session.query(ConfirmationCode).all()
    return row


def test_code_sent_to_the_gateway_then_the_application_filed(
    client: FlaskClient, world: World, sms_gateway: Gateway
) -> None:
    auth = headers(world.applicant)
    sent = ask(client, auth)

    assert sent.status_code == 202, sent.get_json()
    answer = sent.get_json()
    assert (answer['purpose'], answer['phone'], answer['attempts_left']) == (PURPOSE, '+79123456789', 3)
    assert sms_gateway.messages[0]['phone'] == '+79123456789'

    filed = file(client, auth, sms_code=sms_gateway.code())

    assert filed.status_code == 201, filed.get_json()
    [facts] = db.session.get(Application, filed.get_json()['id']).signatures
    assert (facts['role'], facts['method']) == ('application', 'sms')
    assert (facts['confirmation_code_id'], facts['phone']) == (answer['id'], '+7 912 ***-**-89')
    assert only_code().used_at is not None


def test_rate_limit_is_a_429_with_retry_after(client: FlaskClient, world: World) -> None:
    auth = headers(world.applicant)
    assert ask(client, auth).status_code == 202
    again = ask(client, auth)
    assert again.status_code == 429
    retry = int(again.headers['Retry-After'])
    assert 50 <= retry <= 61
    error = again.get_json()['error']
    assert (error['code'], error['retry_after']) == ('too_many_codes', retry)
    assert error['message'].startswith('«Код подтверждения»: новый код можно запросить через ')


def test_wrong_phone_purpose_or_field_is_a_422(client: FlaskClient, world: World) -> None:
    auth = headers(world.applicant)
    phone = ask(client, auth, phone='+7 495 123-45-67')
    assert phone.status_code == 422
    assert phone.get_json()['error']['fields'] == {
        'phone': '«Номер телефона»: мобильный номер в формате +7 9XX XXX-XX-XX.'
    }
    purpose = ask(client, auth, purpose='application:temporary_registration')
    assert purpose.status_code == 422
    assert 'application:taxpayer_cabinet' in purpose.get_json()['error']['fields']['purpose']
    assert ask(client, auth, extra='1').status_code == 422
    assert db.session.query(ConfirmationCode).count() == 0


def test_without_a_gateway_asking_for_a_code_is_a_409(
    client: FlaskClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(client.application.config, 'SMS_DEVELOPMENT_DELIVERY', False)
    answer = ask(client, headers(world.applicant))
    assert answer.status_code == 409
    error = answer.get_json()['error']
    assert error['code'] == 'sms_unavailable'
    assert error['message'] == (
        'SMS-шлюз не настроен: подтверждение по SMS недоступно, подпишите заявление электронной подписью.'
    )
    assert db.session.query(ConfirmationCode).count() == 0


def test_code_sent_to_another_phone_than_the_applications_is_a_422_on_that_phone(
    client: FlaskClient, world: World, taxpayer_with_phone: Any
) -> None:
    auth = headers(world.applicant)
    ask(client, auth)
    code = notified_code(world.applicant)

    other = file(client, auth, sms_code=code, data={**samples.taxpayer_cabinet(), 'phone': '+7 912 000-00-00'})

    assert other.status_code == 422, other.get_json()
    message = (
        '«Контактный телефон»: код подтверждения отправлен на +7 912 345-67-89, а в заявлении указан другой телефон '
        '— запросите код на телефон из заявления.'
    )
    assert other.get_json()['error']['fields'] == {'phone': message}
    assert (only_code().used_at, only_code().attempts) == (None, 0)  # the code stays usable
    assert count(Application) == 0
    same = file(client, auth, sms_code=code, data={**samples.taxpayer_cabinet(), 'phone': '8 (912) 345-67-89'})
    assert same.status_code == 201, same.get_json()


def test_wrong_code_is_a_422_on_sms_code_and_the_attempt_is_spent(client: FlaskClient, world: World) -> None:
    auth = headers(world.applicant)
    ask(client, auth)
    code = notified_code(world.applicant)
    wrong = f'{(int(code) + 1) % 1_000_000:06d}'

    refused = file(client, auth, sms_code=wrong)

    assert refused.status_code == 422
    message = '«Код подтверждения»: неверный код, осталось 2 попытки.'
    assert refused.get_json()['error']['fields'] == {'sms_code': message}
    assert only_code().attempts == 1
    assert count(Application) == 0
    assert file(client, auth, sms_code=123456).get_json()['error']['fields'] == {
        'sms_code': '«sms_code»: код из СМС — строка из 6 цифр.'
    }
    # A code of the wrong shape is refused on the same field (not on a field 'code' the request does not have).
    assert file(client, auth, sms_code='12 34').get_json()['error']['fields'] == {
        'sms_code': '«Код подтверждения»: код состоит из 6 цифр.'
    }
    assert file(client, auth, sms_code=code).status_code == 201


def test_refused_filing_keeps_the_code(client: FlaskClient, world: World) -> None:
    auth = headers(world.applicant)
    ask(client, auth)
    code = notified_code(world.applicant)
    bad = file(client, auth, sms_code=code, data={**samples.taxpayer_cabinet(), 'email': 'не адрес'})
    assert bad.status_code == 422
    assert 'email' in bad.get_json()['error']['fields']
    assert only_code().used_at is None
    assert file(client, auth, sms_code=code).status_code == 201


def test_partner_and_mfc_cannot_use_sms_codes(client: FlaskClient, world: World) -> None:
    for user in (world.bank_user, world.operator):
        auth = headers(user)
        assert ask(client, auth).status_code == 403
        on_behalf = {'name': 'Петров Пётр Петрович'}
        filed = file(client, auth, sms_code='123456', on_behalf=on_behalf)
        assert filed.status_code == 403, filed.get_json()
        assert 'только сам заявитель' in filed.get_json()['error']['message']
    assert db.session.query(ConfirmationCode).count() == 0
    assert count(Application) == 0


def test_resubmission_confirmed_by_a_code(client: FlaskClient, world: World) -> None:
    application = world.file('taxpayer_cabinet')
    with atomic():
        request_clarification(world.tax_executor, application, 'Уточните дату рождения.')
    auth = headers(world.applicant)
    ask(client, auth)
    body = {'data': samples.taxpayer_cabinet(), 'sms_code': notified_code(world.applicant)}

    answer = client.post(f'{API}/applications/{application.id}/resubmit', json=body, headers=auth)

    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()['status'] == 'in_progress'
    assert only_code().used_at is not None


def test_openapi_describes_codes_and_sms_code(client: FlaskClient) -> None:
    document = json.loads(client.get(f'{API}/openapi.json').get_data(as_text=True))
    operation = document['paths']['/confirmation-codes']['post']
    assert set(operation['responses']) >= {'202', '403', '409', '422', '429'}
    assert 'Код действует 10 минут' in str(document['components']['schemas']['ConfirmationCodeSent'])
    assert 'Retry-After' in operation['responses']['429']['headers']
    schemas = document['components']['schemas']
    assert schemas['ConfirmationCodeInput']['required'] == ['purpose', 'phone']
    for name in ('ApplicationInput', 'ApplicationUpload', 'ResubmitInput', 'ResubmitUpload'):
        assert 'sms_code' in schemas[name]['properties'], name
    assert 'service' in schemas['ApplicationInput']['properties']
