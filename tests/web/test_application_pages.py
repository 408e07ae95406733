"""The applicant's and the MFC operator's application pages: the form generated from the service, filing with files
and the owner's signed consent, the list with its filters, every problem of a bad application listed at once with
the form back filled, the clarification and the corrected application, the result download, another applicant's
404, the MFC's «одно окно» on a visitor's behalf with its printable receipt, the taxpayer cabinet confirmed by an
SMS code, and the layout at phone width."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from edms.citizen_services.catalogue.definition import Channel
from edms.citizen_services.models import Application
from edms.citizen_services.operations import approve, request_clarification
from edms.citizen_services.rules.fields import flatten
from edms.core.clock import local_today
from edms.core.db import db
from edms.core.tx import atomic
from edms.signatures.crypto.cms import sign_detached
from edms.signatures.crypto.keys import load_private_key
from scripts.make_test_pki import TestPki
from tests.auth.sms_gateway import notified_code
from tests.citizen_services import conftest as services
from tests.citizen_services import samples
from tests.citizen_services.conftest import PDF_BYTES, World, count
from tests.factories import login, make_user, page_text
from tests.signatures import conftest as signatures
from tests.signatures.pdf_helpers import pdftotext

JPEG_BYTES = b'\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00' + b'\x00' * 64 + b'\xff\xd9'
CONSENT = PDF_BYTES + b'% owner consent'
NEW = '/applications/new?service=temporary_registration'
#: The citizen-services fixtures (the agencies, the portal, the MFC) and the session's test PKI, shared.
world, test_pki, trusted = services.world, signatures.test_pki, services.trusted


def signed_consent(pki: TestPki) -> bytes:
    key = load_private_key(pki.users['rsa'].key_der.read_bytes())
    return sign_detached(CONSENT, key, pki.user_der('rsa'), pki.chain_ders('rsa'), signing_time=datetime.now(UTC))


def temporary_form(pki: TestPki | None, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """The posted form of a valid temporary registration: fields by path, files by slot, the consent's signature."""
    form: dict[str, Any] = dict(flatten(data or samples.temporary_registration()))
    form['files.identity_document'] = (io.BytesIO(JPEG_BYTES), 'паспорт.jpg')
    form['files.residence_right'] = (io.BytesIO(PDF_BYTES + b'% lease'), 'договор.pdf')
    form['files.owner_consent'] = (io.BytesIO(CONSENT), 'согласие.pdf')
    if pki is not None:
        form['signatures.owner_consent'] = (io.BytesIO(signed_consent(pki)), 'согласие.pdf.sig')
    return form


def only_application() -> Application:
    db.session.expire_all()
    [application] = db.session.query(Application).all()
    return application


def test_applicant_files_with_attachments_and_sees_it_in_the_list(
    client: FlaskClient, world: World, trusted: TestPki
) -> None:
    login(client, world.applicant)
    page = client.get(NEW).get_data(as_text=True)
    assert 'name="csrf_token"' in page
    assert 'Паспорт гражданина Российской Федерации' in page  # a group's label as a section
    assert 'name="applicant.passport.series"' in page
    assert 'placeholder="ДД.ММ.ГГГГ"' in page
    assert 'name="files.owner_consent"' in page

    response = client.post(NEW, data=temporary_form(trusted), content_type='multipart/form-data')

    assert response.status_code == 302, page_text(response.get_data(as_text=True))[:2000]
    application = only_application()
    assert (application.channel, application.applicant_user_id) == (Channel.portal, world.applicant.id)
    assert response.headers['Location'].endswith(f'/applications/{application.id}')
    shown = page_text(client.get(f'/applications/{application.id}').get_data(as_text=True))
    assert f'Заявление № {application.number}' in shown
    assert 'В обработке' in shown
    assert application.deadline_explanation in shown
    assert 'паспорт.jpg' in shown
    assert 'согласие.pdf' in shown
    assert 'Пётр' in shown
    assert 'работа' in shown
    listed = page_text(client.get('/applications').get_data(as_text=True))
    assert application.number in listed
    assert 'Регистрация по месту пребывания' in listed
    assert application.expected_date.strftime('%d.%m.%Y') in listed


def test_list_filters_by_service_status_and_date(client: FlaskClient, world: World) -> None:
    registration, taxpayer = world.file(), world.file('taxpayer_cabinet')
    login(client, world.applicant)

    def numbers(query: str) -> list[str]:
        response = client.get(f'/applications?{query}')
        assert response.status_code == 200
        return re.findall(r'З-\d{4}-\d{6}', response.get_data(as_text=True))

    assert set(numbers('')) == {registration.number, taxpayer.number}
    assert numbers('service=taxpayer_cabinet') == [taxpayer.number]
    assert numbers('status=done') == []
    assert set(numbers('status=in_progress')) == {registration.number, taxpayer.number}
    tomorrow = (local_today() + timedelta(days=1)).strftime('%d.%m.%Y')
    assert numbers(f'date_from={tomorrow}') == []
    assert len(numbers(f'date_to={tomorrow}&per_page=1')) == 1
    assert 'rel="next"' in client.get('/applications?per_page=1').get_data(as_text=True)
    wrong = client.get('/applications?date_from=31.02.2026')
    assert wrong.status_code == 422
    assert '«Дата подачи с»' in wrong.get_data(as_text=True)


def test_bad_application_names_every_problem_and_comes_back_filled(client: FlaskClient, world: World) -> None:
    login(client, world.applicant)
    data = samples.with_value(samples.temporary_registration(), 'applicant.snils', '112-233-445 00')
    data = samples.with_value(data, 'contacts.phone', '12345')
    data = samples.with_value(data, 'applicant.passport.series', None)
    form = dict(flatten(data))
    form['files.identity_document'] = (io.BytesIO(b'not a pdf'), 'скан.txt')

    response = client.post(NEW, data=form, content_type='multipart/form-data')

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    top = html[html.index('id="problems"') : html.index('</div>', html.index('id="problems"'))]
    for expected in (
        '«Серия паспорта»: обязательное поле',
        '«СНИЛС»',
        '«Телефон»: номер в формате +7 XXX XXX-XX-XX.',
        'недопустимый тип файла',
        '«Документ о праве пользования помещением',
        '«Согласие собственника помещения»: приложите файл',
        '«Подпись собственника под согласием»: требуется',
        'выберите их снова',
    ):
        assert expected in top, expected
    assert html.count('class="invalid-feedback"') >= 6  # each message next to its input too
    assert 'value="Петров"' in html
    assert 'value="12345"' in html
    assert 'value="112-233-445 00"' in html
    assert re.search(r'<option value="work"\s+selected>', html)
    assert count(Application) == 0


def test_another_applicant_gets_404_everywhere(client: FlaskClient, world: World) -> None:
    application = world.file()
    file_id = application.files[0].id
    login(client, world.other_applicant)
    base = f'/applications/{application.id}'
    for url in (base, f'{base}/receipt', f'{base}/pdf', f'{base}/files/{file_id}', f'{base}/result'):
        assert client.get(url).status_code == 404, url
    assert client.post(f'{base}/resubmit', data={}).status_code == 404
    assert application.number not in client.get('/applications').get_data(as_text=True)


def test_clarification_resubmission_and_result_download(client: FlaskClient, world: World) -> None:
    application = world.file()
    with atomic():
        request_clarification(world.executor, application, 'Укажите другой телефон.')
    login(client, world.applicant)
    url = f'/applications/{application.id}'
    page = client.get(url).get_data(as_text=True)
    assert 'Требуется уточнение' in page
    assert 'Укажите другой телефон.' in page
    assert 'value="15.04.1990"' in page  # the accepted values back in the form, dates ДД.ММ.ГГГГ
    form = dict(flatten(samples.with_value(samples.temporary_registration(), 'contacts.phone', '+7 999 111-22-33')))

    response = client.post(f'{url}/resubmit', data=form, content_type='multipart/form-data')

    assert response.status_code == 302, page_text(response.get_data(as_text=True))[:2000]
    assert only_application().status == 'in_progress'
    with atomic():
        approve(world.executor, only_application(), PDF_BYTES + b'% certificate', comment='Готово.')
    page = page_text(client.get(url).get_data(as_text=True))
    assert 'Одобрено' in page
    assert 'Свидетельство о регистрации по месту пребывания' in page
    with client.get(f'{url}/result') as download:
        assert download.status_code == 200
        assert download.data.startswith(b'%PDF')


def test_mfc_operator_files_on_behalf_and_prints_the_receipt(
    client: FlaskClient, world: World, trusted: TestPki
) -> None:
    login(client, world.operator)
    choice = client.get('/mfc').get_data(as_text=True)
    assert '/mfc?service=temporary_registration' in choice
    form_page = client.get('/mfc?service=temporary_registration').get_data(as_text=True)
    assert 'name="on_behalf.snils"' in form_page
    assert 'name="csrf_token"' in form_page
    form = temporary_form(trusted)
    form.update({'on_behalf.name': 'Петров Пётр Петрович', 'on_behalf.snils': samples.SNILS})

    response = client.post('/mfc?service=temporary_registration', data=form, content_type='multipart/form-data')

    assert response.status_code == 302, page_text(response.get_data(as_text=True))[:2000]
    application = only_application()
    assert response.headers['Location'].endswith(f'/applications/{application.id}/receipt')
    assert (application.channel, application.filed_via_organization_id) == (Channel.mfc, world.mfc.id)
    receipt = client.get(f'/applications/{application.id}/receipt').get_data(as_text=True)
    assert '/static/applications-print.css' in receipt
    assert 'data-print' in receipt  # the button; the script is a same-origin file (CSP forbids inline ones)
    with client.get('/static/applications-print.css') as stylesheet:
        assert (stylesheet.status_code, stylesheet.mimetype) == (200, 'text/css')
        assert '@media print' in stylesheet.get_data(as_text=True)
    shown = page_text(receipt)
    assert application.number in shown
    assert 'Регистрация по месту пребывания' in shown
    assert application.expected_date.strftime('%d.%m.%Y') in shown
    assert 'паспорт.jpg' in shown
    assert 'договор.pdf' in shown
    assert 'согласие.pdf' in shown
    assert application.number in client.get('/applications').get_data(as_text=True)  # «Заявления МФЦ»
    client.post('/logout')
    login(client, world.applicant)  # the same СНИЛС: the application is in the applicant's cabinet
    assert application.number in client.get('/applications').get_data(as_text=True)
    # The applicant sees the receipt too, without the operator's button to the MFC's form (a 403 for them).
    own_receipt = client.get(f'/applications/{application.id}/receipt').get_data(as_text=True)
    assert application.number in page_text(own_receipt)
    assert 'Принять следующее заявление' not in own_receipt
    assert 'Принять следующее заявление' in receipt


@pytest.mark.parametrize('who', ['clerk', 'bank_user', 'mfc_clerk'])
def test_agency_pages_are_in_the_menu_only_of_those_who_may_open_them(
    client: FlaskClient, world: World, who: str
) -> None:
    """An agency's clerk sees «Заявления граждан», «Межведомственные запросы» and «Жалобы» in the menu and may open
    them; a clerk of a bank or an MFC (an organization filing for applicants) sees none of them: each is a 403."""
    agency_pages = ('/agency/applications/', '/interagency/outgoing', '/agency/complaints')
    if who == 'mfc_clerk':
        with atomic():
            user = make_user(world.mfc, 'clerk')
    else:
        user = getattr(world, who)
    login(client, user)
    menu = client.get('/cards/').get_data(as_text=True)
    for path in agency_pages:
        opened = client.get(path).status_code
        assert (f'href="{path}"' in menu, opened) == ((True, 200) if who == 'clerk' else (False, 403)), path


def test_mfc_form_requires_the_applicant_and_only_operators_open_it(client: FlaskClient, world: World) -> None:
    login(client, world.operator)
    form = dict(flatten(samples.with_value(samples.taxpayer_cabinet(), 'email', 'нет')))
    response = client.post('/mfc?service=taxpayer_cabinet', data=form, content_type='multipart/form-data')
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '«Заявитель»: укажите ФИО' in html
    assert '«Адрес электронной почты»' in html
    assert 'value="нет"' in html
    assert count(Application) == 0
    client.post('/logout')
    login(client, world.applicant)
    assert client.get('/mfc').status_code == 403
    assert client.get('/applications/new?service=nope').status_code == 404


def test_taxpayer_cabinet_confirmed_by_an_sms_code(client: FlaskClient, world: World) -> None:
    login(client, world.applicant)
    url = '/applications/new?service=taxpayer_cabinet'
    form = dict(flatten(samples.taxpayer_cabinet()))
    refused = client.post(url, data=form, content_type='multipart/form-data')
    assert refused.status_code == 422
    assert '«Подтверждение заявления»: требуется' in refused.get_data(as_text=True)

    sent = client.post(
        '/applications/new/sms-code?service=taxpayer_cabinet',
        data={**form, 'sms.phone': '+7 912 345-67-89'},
        content_type='multipart/form-data',
    )
    assert 'Код отправлен на +7 912 345-67-89' in sent.get_data(as_text=True)
    code = notified_code(world.applicant)  # the development delivery: no SMS gateway in the tests' app
    accepted = client.post(url, data={**form, 'sms.code': code}, content_type='multipart/form-data')

    assert accepted.status_code == 302, page_text(accepted.get_data(as_text=True))[:2000]
    assert only_application().signatures[0]['method'] == 'sms'


def test_pages_fit_a_phone_screen(client: FlaskClient, world: World) -> None:
    world.file()
    login(client, world.applicant)
    listed = client.get('/applications').get_data(as_text=True)
    assert 'name="viewport" content="width=device-width' in listed
    assert re.search(r'<div class="table-responsive">\s*<table[^>]*id="applications"', listed)
    form = client.get(NEW).get_data(as_text=True)
    assert 'class="col-12 col-md-6 col-xl-4 mb-3"' in form  # one field per row on a phone
    assert 'style="width' not in form
    assert 'style="width' not in listed


def test_forms_refuse_a_post_without_the_csrf_token(
    client: FlaskClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    application = world.file()
    login(client, world.applicant)
    monkeypatch.setitem(client.application.config, 'WTF_CSRF_ENABLED', True)
    form = dict(flatten(samples.taxpayer_cabinet()))
    form['sms.code'] = '123456'
    assert client.post('/applications/new?service=taxpayer_cabinet', data=form).status_code == 400
    assert client.post(f'/applications/{application.id}/resubmit', data=form).status_code == 400
    assert count(Application) == 1


def test_application_exported_to_pdf(client: FlaskClient, world: World, tmp_path: Path) -> None:
    application = world.file()
    with atomic():
        request_clarification(world.executor, application, 'Приложите договор аренды целиком.')
    login(client, world.applicant)

    response = client.get(f'/applications/{application.id}/pdf')

    assert (response.status_code, response.mimetype) == (200, 'application/pdf')
    content = pdftotext(response.data, tmp_path)
    assert f'Заявление № {application.number}' in content
    assert 'Регистрация по месту пребывания' in content
    assert 'Требуется уточнение' in content
    assert 'Приложите договор аренды целиком.' in content
    assert 'Серия паспорта' in content
    assert '4510' in content
    assert 'Согласие собственника помещения' in content
