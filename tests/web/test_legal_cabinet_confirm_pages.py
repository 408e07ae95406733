"""The confirmation page of a staff change in «Кабинет организации»: the change in words, «Получить код» bringing the
same page back saying where the code went, the canonical text shown and downloadable with its exact bytes; a wrong
code back on its field (the attempt spent and committed), a code of another change refused, the administrator's КЭП
signature file applying the change (the journal saying how it was confirmed), someone else's or an untrusted
signature refused on the file's field; nothing changes on any refusal; a stranger gets 404s; without an SMS gateway
the code's field says to sign instead. The code goes only to the administrator's confirmed phone («Мой телефон»),
shown masked: the page has no phone to type, a typed one is ignored, and without a confirmed phone «Получить код»
says (with a link) to confirm one or to sign."""

from __future__ import annotations

import hashlib
import html as markup
import io
import re
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from edms.auth.confirmation import ConfirmationCode
from edms.citizen_services.models.legal_cabinets import LegalCabinetMember, LegalEntityCabinet
from edms.citizen_services.operations.legal_cabinets_staff import seed_legal_cabinet_member
from edms.citizen_services.queries.legal_cabinets import get_legal_cabinet
from edms.core.db import db
from edms.core.tx import atomic
from scripts.make_test_pki import TestPki
from tests.auth.sms_gateway import notified_code
from tests.citizen_services import conftest as services
from tests.citizen_services.conftest import World
from tests.citizen_services.legal_staff import MASKED, give_phone, quick_codes, sign
from tests.factories import login, make_user, page_text
from tests.signatures import conftest as signatures
from tests.signatures.test_cms import openssl_verify
from tests.web.test_legal_cabinet_pages import confirm_by_code, confirmation_form

world, test_pki, trusted = services.world, signatures.test_pki, services.trusted
__all__ = ['quick_codes', 'test_pki', 'trusted', 'world']
SNILS_B = '08765430300'


@pytest.fixture(autouse=True)
def _codes(quick_codes: None) -> None:
    """A code for every change of a test."""


@pytest.fixture
def phone(world: World) -> None:
    """The head has confirmed his phone on «Мой телефон»."""
    give_phone(world.applicant)


@pytest.fixture
def cabinet(world: World) -> LegalEntityCabinet:
    cabinet = world.open_legal_cabinet()
    with atomic():
        make_user(world.portal, 'applicant', snils=SNILS_B)
    return cabinet


def staff(cabinet: LegalEntityCabinet) -> list[tuple[int, str, bool]]:
    db.session.expire_all()
    rows = db.session.query(LegalCabinetMember).filter_by(cabinet_id=cabinet.id).order_by(LegalCabinetMember.id)
    return [(row.user_id, row.role.value, row.removed_at is not None) for row in rows]


def feedback(page: str, name: str) -> str:
    """The message shown under the input `name`."""
    match = re.search(rf'name="{re.escape(name)}"[^>]*>\s*<div class="invalid-feedback">([^<]*)</div>', page)
    assert match, f'no message under {name}'
    return match.group(1)


def start(client: FlaskClient, cabinet: LegalEntityCabinet, role: str = 'lawyer') -> Any:
    return client.post(f'/legal-cabinets/{cabinet.id}/members', data={'snils': SNILS_B, 'role': role})


def with_fields(fields: MultiDict[str, str], **more: Any) -> MultiDict[str, Any]:
    return MultiDict([*fields.items(multi=True), *more.items()])


def test_the_page_shows_the_change_and_the_code_goes_to_the_confirmed_phone(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet, phone: None
) -> None:
    login(client, world.applicant)
    assert 'после подтверждения: кодом из СМС или квалифицированной электронной подписью' in page_text(
        client.get(f'/legal-cabinets/{cabinet.id}').get_data(as_text=True)
    )
    response = start(client, cabinet)
    page = response.get_data(as_text=True)
    shown = page_text(page)
    assert 'Действие: добавить сотрудника' in shown
    assert 'Роль и права: Юрист (Просмотр, Редактирование, Отправка)' in shown
    assert 'Получить код' in shown
    assert f'Код придёт на ваш подтверждённый номер {MASKED}' in shown
    assert 'name="sms_phone"' not in page
    assert 'Подтверждено' not in shown
    assert staff(cabinet) == [(world.applicant.id, 'administrator', False)]  # nothing changed yet
    action, fields, code_url = confirmation_form(response)
    text = re.search(r'<pre[^>]*id="staff-change-text">([^<]*)</pre>', page)
    assert text
    link = re.search(r'<a href="([^"]+)">скачайте его файлом</a>', page)
    assert link
    download = client.get(link.group(1).replace('&amp;', '&'))
    assert download.status_code == 200
    assert download.mimetype == 'text/plain'
    assert 'attachment' in download.headers['Content-Disposition']
    assert download.get_data(as_text=True) == markup.unescape(text.group(1))
    digest = hashlib.sha256(download.get_data()).hexdigest()
    assert download.headers['Content-Disposition'].endswith(f'-{digest[:16]}.txt"')
    sent = client.post(code_url, data=fields)
    assert sent.status_code == 200
    html = sent.get_data(as_text=True)
    assert f'Код отправлен на ваш подтверждённый номер {MASKED}' in html
    code = db.session.query(ConfirmationCode).one()
    assert code.purpose == f'legal_cabinet:{cabinet.id}:staff:{digest[:16]}'
    assert code.phone == '+79123456789'
    done = client.post(action, data=with_fields(fields, sms_code=notified_code(world.applicant)))
    assert done.status_code == 302
    assert staff(cabinet)[-1][1:] == ('lawyer', False)
    journal = page_text(client.get(f'/legal-cabinets/{cabinet.id}/journal').get_data(as_text=True))
    assert 'Подтверждено кодом из СМС на +7 912 ***-**-89' in journal


def test_a_wrong_code_comes_back_on_its_field_with_the_attempt_spent(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet, phone: None
) -> None:
    login(client, world.applicant)
    action, fields, code_url = confirmation_form(start(client, cabinet))
    client.post(code_url, data=fields)
    code = notified_code(world.applicant)
    before = staff(cabinet)
    wrong = '000000' if code != '000000' else '111111'
    response = client.post(action, data=with_fields(fields, sms_code=wrong))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert feedback(page, 'sms_code') == '«Код подтверждения»: неверный код, осталось 2 попытки.'
    assert 'Подтверждение изменения' in page  # the same page, filled
    db.session.expire_all()
    assert db.session.query(ConfirmationCode).one().attempts == 1
    assert staff(cabinet) == before


def test_a_code_of_another_change_is_refused(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet, phone: None
) -> None:
    login(client, world.applicant)
    _, fields, code_url = confirmation_form(start(client, cabinet, 'lawyer'))
    client.post(code_url, data=fields)
    code = notified_code(world.applicant)
    before = staff(cabinet)
    action, other, _ = confirmation_form(start(client, cabinet, 'administrator'))
    response = client.post(action, data=with_fields(other, sms_code=code))
    assert response.status_code == 422
    assert 'код не запрашивался' in feedback(response.get_data(as_text=True), 'sms_code')
    assert staff(cabinet) == before


def test_the_administrators_signature_file_applies_the_change_and_the_journal_keeps_it(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet, trusted: TestPki, tmp_path: Path
) -> None:
    with atomic():
        world.applicant.snils = trusted.users['rsa'].profile['snils']
    login(client, world.applicant)
    response = start(client, cabinet)
    action, fields, _ = confirmation_form(response)
    link = re.search(r'<a href="([^"]+)">скачайте его файлом</a>', response.get_data(as_text=True))
    assert link
    text = client.get(link.group(1).replace('&amp;', '&')).get_data(as_text=True)
    before = staff(cabinet)
    for signer in ('ec', 'untrusted'):
        upload = with_fields(fields, signature=(io.BytesIO(sign(trusted, text, signer)), 'change.sig'))
        refused = client.post(action, data=upload, content_type='multipart/form-data')
        assert refused.status_code == 422
        message = feedback(refused.get_data(as_text=True), 'signature')
        assert message.startswith('«Подпись администратора (КЭП)»: ')
    assert staff(cabinet) == before
    upload = with_fields(fields, signature=(io.BytesIO(sign(trusted, text)), 'change.sig'))
    done = client.post(action, data=upload, content_type='multipart/form-data')
    assert done.status_code == 302
    assert staff(cabinet)[-1][1:] == ('lawyer', False)
    html = client.get(f'/legal-cabinets/{cabinet.id}/journal').get_data(as_text=True)
    assert 'Подтверждено КЭП: Иванов' in page_text(html)
    links = dict(re.findall(r'<a href="([^"]+/staff-signatures/\d+/\w+)">([^<]+)</a>', html))
    assert sorted(links.values()) == ['подписанный текст', 'файл подписи']
    downloaded = {name: client.get(url) for url, name in links.items()}
    assert downloaded['подписанный текст'].get_data(as_text=True) == text
    kept = downloaded['файл подписи'].data
    assert openssl_verify(trusted, tmp_path, 'rsa', text.encode('utf-8'), kept) == 0
    with atomic():  # a member without «Просмотр»
        next(row for row in cabinet.members if row.user_id == world.applicant.id).set_rights(frozenset())
    assert [client.get(url).status_code for url in links] == [403, 403]
    login(client, world.other_applicant)
    assert [client.get(url).status_code for url in links] == [404, 404]


def test_removal_and_a_change_of_rights_go_through_the_same_page(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet
) -> None:
    login(client, world.applicant)
    assert confirm_by_code(client, world.applicant, start(client, cabinet)).status_code == 302
    query = db.session.query(LegalCabinetMember).filter_by(cabinet_id=cabinet.id)
    member = query.order_by(LegalCabinetMember.id.desc()).first()
    assert member is not None
    url = f'/legal-cabinets/{cabinet.id}/members/{member.id}'
    page = page_text(client.post(url, data={'role': 'operator', 'rights': ['view']}).get_data(as_text=True))
    assert 'Роль и права: Юрист (Просмотр, Редактирование, Отправка) → Оператор (Просмотр)' in page
    page = page_text(client.post(f'{url}/remove').get_data(as_text=True))
    assert 'Действие: исключить сотрудника' in page
    assert staff(cabinet)[-1][1:] == ('lawyer', False)


def test_a_stranger_gets_404(client: FlaskClient, world: World, cabinet: LegalEntityCabinet) -> None:
    login(client, world.other_applicant)
    base = f'/legal-cabinets/{cabinet.id}'
    give_phone(world.other_applicant)
    data = {'action': 'add', 'snils': SNILS_B, 'role': 'lawyer'}
    assert client.post(f'{base}/staff-change/sms-code', data=data).status_code == 404
    assert client.get(f'{base}/staff-change.txt?action=add&snils={SNILS_B}&role=lawyer').status_code == 404
    assert client.post(f'{base}/members', data={**data, 'sms_code': '123456'}).status_code == 404
    assert db.session.query(ConfirmationCode).count() == 0


def test_without_an_sms_gateway_the_code_says_to_sign(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet, monkeypatch: pytest.MonkeyPatch, phone: None
) -> None:
    monkeypatch.setitem(client.application.config, 'SMS_DEVELOPMENT_DELIVERY', False)
    login(client, world.applicant)
    _, fields, code_url = confirmation_form(start(client, cabinet))
    response = client.post(code_url, data=fields)
    assert response.status_code == 409
    assert 'подтвердите изменение электронной подписью' in feedback(response.get_data(as_text=True), 'sms_code')


def test_without_a_confirmed_phone_the_code_field_says_to_confirm_one_or_to_sign(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet
) -> None:
    login(client, world.applicant)
    response = start(client, cabinet)
    assert 'нет подтверждённого номера мобильного телефона' in page_text(response.get_data(as_text=True))
    _, fields, code_url = confirmation_form(response)
    refused = client.post(code_url, data=fields)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    message = re.search(r'name="sms_code"[^>]*>\s*<div class="invalid-feedback">(.*?)</div>', page, re.S)
    assert message
    assert message.group(1).startswith(
        '«Код подтверждения»: у вашей учётной записи нет подтверждённого номера мобильного телефона — подтвердите '
        'номер на странице «Мой телефон» или подтвердите изменение квалифицированной электронной подписью.'
    )
    assert '<a href="/me/phone">' in message.group(1)
    assert 'Подтверждение изменения' in page  # the same page, filled
    assert db.session.query(ConfirmationCode).count() == 0


def test_a_typed_phone_is_ignored_the_code_goes_to_the_confirmed_one(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet, phone: None
) -> None:
    login(client, world.applicant)
    _, fields, code_url = confirmation_form(start(client, cabinet))
    sent = client.post(code_url, data=with_fields(fields, sms_phone='+7 900 000-00-01', phone='+7 900 000-00-01'))
    assert sent.status_code == 200
    assert f'Код отправлен на ваш подтверждённый номер {MASKED}' in sent.get_data(as_text=True)
    assert [row.phone for row in db.session.query(ConfirmationCode)] == ['+79123456789']


def test_the_journal_says_a_seeded_member_was_added_by_the_system_without_a_confirmation(
    client: FlaskClient, world: World, cabinet: LegalEntityCabinet
) -> None:
    with atomic():
        locked, me = get_legal_cabinet(world.applicant, cabinet.id, lock=True)
        seed_legal_cabinet_member(world.applicant, locked, me, {'snils': SNILS_B, 'role': 'accountant'})
    login(client, world.applicant)
    journal = page_text(client.get(f'/legal-cabinets/{cabinet.id}/journal').get_data(as_text=True))
    assert 'Внесено при начальном заполнении данных системой, без подтверждения' in journal
