"""Confirmed staff changes of a legal entity's cabinet over the API: `staff-changes/text` gives the canonical text, its
SHA-256 and the code's purpose; `staff-changes/sms-code` sends a code for exactly that change to the administrator's
confirmed phone (none: a 422 on `sms_code` saying to confirm one or to sign; a `phone` in the body is refused as an
unknown field); adding, changing and removing take `sms_code` (a wrong one a 422 with the attempt spent and committed, a
code of another change a 422), or `signature` — Base64 in JSON or a file part of multipart — by the administrator's
own qualified certificate (someone else's a 422 on `signature`); without either a 422 on `confirmation`; nothing
changes on any refusal; a stranger gets 404s; the OpenAPI document describes it."""

from __future__ import annotations

import base64
import hashlib
import io
from typing import Any

import pytest
from flask.testing import FlaskClient

from edms.auth.confirmation import ConfirmationCode
from edms.auth.models import User
from edms.citizen_services.models.legal_cabinets import LegalCabinetMember, LegalCabinetRight, LegalEntityCabinet
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.tx import atomic
from scripts.make_test_pki import TestPki
from tests.auth.sms_gateway import notified_code
from tests.citizen_services import conftest as services
from tests.citizen_services.conftest import World
from tests.citizen_services.legal_staff import MASKED, give_phone, quick_codes, sign
from tests.factories import api_token, inn10, make_user, ogrn
from tests.signatures import conftest as signatures

world, test_pki, trusted = services.world, signatures.test_pki, services.trusted
__all__ = ['quick_codes', 'test_pki', 'trusted', 'world']
API = '/api/v1/legal-cabinets'
SNILS_B = '08765430300'
ADD = {'snils': SNILS_B, 'role': 'lawyer'}


@pytest.fixture(autouse=True)
def _codes(quick_codes: None) -> None:
    """A code for every change of a test."""


def headers(user: User) -> dict[str, str]:
    with atomic():
        return {'Authorization': f'Bearer {api_token(user)}'}


@pytest.fixture
def cabinet(world: World) -> LegalEntityCabinet:
    cabinet = world.open_legal_cabinet()
    with atomic():
        make_user(world.portal, 'applicant', snils=SNILS_B)
    return cabinet


@pytest.fixture
def head(world: World) -> dict[str, str]:
    """The head's token; he has confirmed his phone on «Мой телефон»."""
    give_phone(world.applicant)
    return headers(world.applicant)


def staff(client: FlaskClient, cabinet: LegalEntityCabinet, head: dict[str, str]) -> tuple[list[Any], list[str]]:
    """The staff (account, role, rights) and the journal's actions: what a refusal must not change."""
    body = client.get(f'{API}/{cabinet.id}', headers=head).get_json()
    journal = client.get(f'{API}/{cabinet.id}/journal', headers=head).get_json()['items']
    return [(row['user']['id'], row['role'], row['rights']) for row in body['members']], [e['action'] for e in journal]


def text_of(client: FlaskClient, cabinet: LegalEntityCabinet, head: dict[str, str], **change: Any) -> dict[str, Any]:
    response = client.post(f'{API}/{cabinet.id}/staff-changes/text', json=change, headers=head)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def ask(client: FlaskClient, cabinet: LegalEntityCabinet, head: dict[str, str], **change: Any) -> Any:
    return client.post(f'{API}/{cabinet.id}/staff-changes/sms-code', json=change, headers=head)


def fields(response: Any) -> dict[str, str]:
    return response.get_json()['error']['fields']


def test_the_text_names_the_change_and_the_code_confirms_exactly_it(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet, head: dict[str, str]
) -> None:
    described = text_of(client, cabinet, head, action='add', **ADD)
    assert described['action'] == 'member_add'
    assert described['sha256'] == hashlib.sha256(described['text'].encode('utf-8')).hexdigest()
    assert described['purpose'] == f'legal_cabinet:{cabinet.id}:staff:{described["sha256"][:16]}'
    assert 'Сотрудник: учётная запись' in described['text']
    sent = ask(client, cabinet, head, action='add', **ADD)
    assert sent.status_code == 202, sent.get_json()
    answer = sent.get_json()
    assert (answer['purpose'], answer['phone'], answer['text']) == (
        described['purpose'],
        MASKED,
        described['text'],
    )
    code = notified_code(world.applicant)
    response = client.post(f'{API}/{cabinet.id}/members', json={**ADD, 'sms_code': code}, headers=head)
    assert response.status_code == 201, response.get_json()
    journal = client.get(f'{API}/{cabinet.id}/journal', headers=head).get_json()['items']
    assert journal[0]['data']['confirmation'] == {
        'method': 'sms',
        'code_id': answer['id'],
        'phone': '+7 912 ***-**-89',
        'change': described['sha256'],
    }
    assert code not in str(journal[0]['data'])


def test_a_wrong_code_spends_an_attempt_and_changes_nothing(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet, head: dict[str, str]
) -> None:
    ask(client, cabinet, head, action='add', **ADD)
    code = notified_code(world.applicant)
    before = staff(client, cabinet, head)
    wrong = '000000' if code != '000000' else '111111'
    response = client.post(f'{API}/{cabinet.id}/members', json={**ADD, 'sms_code': wrong}, headers=head)
    assert response.status_code == 422
    assert fields(response) == {'sms_code': '«Код подтверждения»: неверный код, осталось 2 попытки.'}
    db.session.expire_all()
    assert db.session.query(ConfirmationCode).one().attempts == 1  # committed despite the refusal
    response = client.post(f'{API}/{cabinet.id}/members', json={**ADD, 'sms_code': 123456}, headers=head)
    assert fields(response) == {'sms_code': '«sms_code»: код из СМС — строка из 6 цифр.'}
    assert staff(client, cabinet, head) == before


def test_a_code_for_another_change_and_no_confirmation_are_refused(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet, head: dict[str, str]
) -> None:
    ask(client, cabinet, head, action='add', **ADD)
    code = notified_code(world.applicant)
    before = staff(client, cabinet, head)
    other = {**ADD, 'role': 'administrator', 'sms_code': code}
    response = client.post(f'{API}/{cabinet.id}/members', json=other, headers=head)
    assert response.status_code == 422
    assert fields(response) == {'sms_code': '«Код подтверждения»: код не запрашивался — запросите новый код.'}
    response = client.post(f'{API}/{cabinet.id}/members', json=ADD, headers=head)
    assert response.status_code == 422
    assert list(fields(response)) == ['confirmation']
    me = client.get(f'{API}/{cabinet.id}', headers=head).get_json()['me']
    second = client.post(f'{API}/{cabinet.id}/members', json={**ADD, 'sms_code': code}, headers=head)
    assert second.status_code == 201  # the code still confirms its own change
    member = second.get_json()['id']
    response = client.delete(f'{API}/{cabinet.id}/members/{member}', headers=head)
    assert (response.status_code, list(fields(response))) == (422, ['confirmation'])
    response = client.patch(f'{API}/{cabinet.id}/members/{me["id"]}', json={'rights': ['view']}, headers=head)
    assert response.status_code == 409  # the last administrator, before any confirmation
    added = (second.get_json()['user']['id'], 'lawyer', ['view', 'edit', 'send'])
    assert staff(client, cabinet, head)[0] == [*before[0], added]


def test_a_typed_phone_is_refused_as_an_unknown_field(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet, head: dict[str, str]
) -> None:
    me = client.get(f'{API}/{cabinet.id}', headers=head).get_json()['me']
    for change in (
        {'action': 'add', **ADD},
        {'action': 'change', 'member_id': me['id'], 'rights': ['view', 'edit']},
        {'action': 'remove', 'member_id': me['id']},
    ):
        response = ask(client, cabinet, head, **change, phone='+7 900 000-00-01')
        assert response.status_code == 422
        assert set(fields(response)) == {'phone'}, change
        assert fields(response)['phone'] == 'Неизвестное поле «phone».'
    response = ask(client, cabinet, head, action='fly')
    assert set(fields(response)) == {'action'}
    response = ask(client, cabinet, head, action='remove')
    assert set(fields(response)) == {'member_id'}
    assert db.session.query(ConfirmationCode).count() == 0


def test_without_a_confirmed_phone_the_code_is_refused_saying_what_to_do(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet, head: dict[str, str]
) -> None:
    with atomic():
        world.applicant.phone, world.applicant.phone_confirmed_at = None, None
    response = ask(client, cabinet, head, action='add', **ADD)
    assert response.status_code == 422
    error = response.get_json()['error']
    assert error['code'] == 'no_confirmed_phone'
    assert error['fields'] == {
        'sms_code': '«Код подтверждения»: у вашей учётной записи нет подтверждённого номера мобильного телефона — '
        'подтвердите номер на странице «Мой телефон» или подтвердите изменение квалифицированной электронной подписью.'
    }
    assert db.session.query(ConfirmationCode).count() == 0


def test_the_code_goes_to_the_confirmed_phone(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet, head: dict[str, str]
) -> None:
    give_phone(world.applicant, '+79001112233')
    sent = ask(client, cabinet, head, action='add', **ADD)
    assert sent.status_code == 202
    assert sent.get_json()['phone'] == '+7 900 ***-**-33'
    assert [row.phone for row in db.session.query(ConfirmationCode)] == ['+79001112233']


def add_signed(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet, head: dict[str, str], trusted: TestPki
) -> tuple[dict[str, Any], bytes, dict[str, Any]]:
    """The head, holding the test PKI's RSA certificate, adds ADD confirmed by his КЭП in JSON: the change's text,
    the CMS and the new member."""
    with atomic():
        world.applicant.snils = trusted.users['rsa'].profile['snils']
    described = text_of(client, cabinet, head, action='add', **ADD)
    cms = sign(trusted, described['text'])
    response = client.post(f'{API}/{cabinet.id}/members', json={**ADD, 'signature': b64(cms)}, headers=head)
    assert response.status_code == 201, response.get_json()
    return described, cms, response.get_json()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode('ascii')


def test_the_administrators_signature_confirms_in_json_and_in_multipart(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet, head: dict[str, str], trusted: TestPki
) -> None:
    described, _, added = add_signed(client, world, cabinet, head, trusted)
    member = added['id']
    confirmation = client.get(f'{API}/{cabinet.id}/journal', headers=head).get_json()['items'][0]['data'][
        'confirmation'
    ]
    assert (confirmation['method'], confirmation['change']) == ('kep', described['sha256'])
    described = text_of(client, cabinet, head, action='change', member_id=member, rights=['view'])
    assert 'Роль: lawyer (Юрист) -> lawyer (Юрист)' in described['text']
    upload = {'rights': 'view', 'signature': (io.BytesIO(sign(trusted, described['text'])), 'change.sig')}
    response = client.patch(f'{API}/{cabinet.id}/members/{member}', data=upload, headers=head)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()['rights'] == ['view']
    described = text_of(client, cabinet, head, action='remove', member_id=member)
    body = {'signature': b64(sign(trusted, described['text']))}
    assert client.delete(f'{API}/{cabinet.id}/members/{member}', json=body, headers=head).status_code == 204


def test_the_signed_text_and_the_signature_download_for_members_only(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet, head: dict[str, str], trusted: TestPki
) -> None:
    described, cms, _ = add_signed(client, world, cabinet, head, trusted)
    journal = client.get(f'{API}/{cabinet.id}/journal', headers=head).get_json()['items']
    url = f'{API}/{cabinet.id}/staff-signatures/{journal[0]["data"]["confirmation"]["signature_id"]}'
    text = client.get(f'{url}/text', headers=head)
    assert (text.status_code, text.mimetype, text.data) == (200, 'text/plain', described['text'].encode('utf-8'))
    signature = client.get(f'{url}/signature', headers=head)
    assert (signature.status_code, signature.mimetype, signature.data) == (200, 'application/pkcs7-signature', cms)
    assert 'attachment; filename=staff-change-' in signature.headers['Content-Disposition']
    assert client.get(f'{url}/other', headers=head).status_code == 404
    assert client.get(f'{url}x/text', headers=head).status_code == 404
    assert client.get(f'{API}/{cabinet.id}/staff-signatures/999/text', headers=head).status_code == 404
    for stranger in (world.other_applicant, world.ministry_executor):
        assert client.get(f'{url}/signature', headers=headers(stranger)).status_code == 404
    # The head of two cabinets asks for this cabinet's signature under the other one.
    other = second_cabinet(world, cabinet)
    foreign = url.replace(f'{API}/{cabinet.id}/', f'{API}/{other.id}/')
    assert client.get(f'{foreign}/signature', headers=head).status_code == 404
    with atomic():  # a member without «Просмотр»
        next(row for row in cabinet.members if row.user_id == world.applicant.id).set_rights(frozenset())
    assert client.get(f'{url}/text', headers=head).status_code == 403


def second_cabinet(world: World, cabinet: LegalEntityCabinet) -> LegalEntityCabinet:
    """Another legal entity's cabinet with the head as its administrator too."""
    with atomic():
        other = LegalEntityCabinet(
            ogrn=ogrn('103770099887'),
            inn=inn10('770708389'),
            name='ООО «Другое»',
            legal_form='ООО',
            legal_address='Москва',
            application_id=cabinet.application_id,
        )
        member = LegalCabinetMember(user_id=world.applicant.id, role='administrator', added_at=utcnow())
        member.set_rights(frozenset(LegalCabinetRight))
        other.members.append(member)
        db.session.add(other)
    return other


def test_another_persons_or_a_broken_signature_is_refused(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet, head: dict[str, str], trusted: TestPki
) -> None:
    with atomic():
        world.applicant.snils = trusted.users['rsa'].profile['snils']
    described = text_of(client, cabinet, head, action='add', **ADD)
    before = staff(client, cabinet, head)
    cms = base64.b64encode(sign(trusted, described['text'], 'ec')).decode('ascii')
    response = client.post(f'{API}/{cabinet.id}/members', json={**ADD, 'signature': cms}, headers=head)
    assert response.status_code == 422
    assert 'не совпадает со СНИЛС вашей учётной записи' in fields(response)['signature']
    response = client.post(f'{API}/{cabinet.id}/members', json={**ADD, 'signature': 'не base64'}, headers=head)
    assert fields(response) == {'signature': '«signature»: отсоединённая подпись CMS в кодировке Base64.'}
    untrusted = base64.b64encode(sign(trusted, described['text'], 'untrusted')).decode('ascii')
    response = client.post(f'{API}/{cabinet.id}/members', json={**ADD, 'signature': untrusted}, headers=head)
    assert 'подпись недействительна' in fields(response)['signature']
    assert staff(client, cabinet, head) == before


def test_a_stranger_gets_404_from_the_confirmation_routes(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet
) -> None:
    for stranger in (world.other_applicant, world.ministry_executor):
        give_phone(stranger)
        token = headers(stranger)
        response = client.post(f'{API}/{cabinet.id}/staff-changes/text', json={'action': 'add', **ADD}, headers=token)
        assert response.status_code == 404
        assert ask(client, cabinet, token, action='add', **ADD).status_code == 404
        response = client.post(f'{API}/{cabinet.id}/members', json={**ADD, 'sms_code': '123456'}, headers=token)
        assert response.status_code == 404
    assert db.session.query(ConfirmationCode).count() == 0


def test_openapi_describes_the_confirmation(client: FlaskClient) -> None:
    document = client.get('/api/v1/openapi.json').get_json()
    paths = document['paths']
    assert 'post' in paths['/legal-cabinets/{cabinet_id}/staff-changes/text']
    assert '429' in paths['/legal-cabinets/{cabinet_id}/staff-changes/sms-code']['post']['responses']
    schemas = document['components']['schemas']
    for name in ('LegalCabinetMemberInput', 'LegalCabinetMemberPatch', 'LegalCabinetMemberRemoval'):
        assert {'sms_code', 'signature'} <= set(schemas[name]['properties'])
    removal = paths['/legal-cabinets/{cabinet_id}/members/{member_id}']['delete']['requestBody']['content']
    assert set(removal) == {'application/json', 'multipart/form-data'}
    code_input = schemas['LegalCabinetStaffChangeCode']
    assert 'phone' not in code_input['properties']
    assert code_input['additionalProperties'] is False


def test_codes_asked_too_often_are_a_429_with_retry_after(
    client: FlaskClient, cabinet: LegalEntityCabinet, head: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr('edms.auth.confirmation_codes.RESEND_SECONDS', 60)
    assert ask(client, cabinet, head, action='add', **ADD).status_code == 202
    again = ask(client, cabinet, head, action='add', **ADD)
    assert again.status_code == 429
    assert 50 <= int(again.headers['Retry-After']) <= 61
    assert again.get_json()['error']['code'] == 'too_many_codes'
