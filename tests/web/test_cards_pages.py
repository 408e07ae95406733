"""The card pages in the browser: list with filters, registration and edit forms, card page, attachments, actions."""

from __future__ import annotations

import io
import re
import uuid
from urllib.parse import unquote

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from edms.audit.models import AuditEntry
from edms.core.blobs import BlobStore
from edms.core.clock import local_today
from edms.core.db import db
from edms.core.tx import atomic
from edms.registry.models import Attachment, Card, CardStatus
from edms.web.views.card_forms import SCALAR_FIELDS, card_values
from tests.factories import PASSWORD, card_data, login, make_card, make_case_file, make_organization, make_user


@pytest.fixture
def clerk(app_ctx):
    with atomic():
        organization = make_organization()
        user = make_user(organization, 'clerk')
    return user


def _form(**overrides: object) -> dict[str, object]:
    data = {key: str(value) for key, value in card_data().items()}
    data['action'] = 'register'
    data.update(overrides)
    return data


def _pdf(text: str = '') -> bytes:
    return b'%PDF-1.4\n% ' + (text or uuid.uuid4().hex).encode() + b'\n%%EOF\n'


def _count(model: type) -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _upload(client, card_id: int, data: bytes, name: str = 'Письмо №1.pdf'):
    return client.post(
        f'/cards/{card_id}/attachments',
        data={'file': (io.BytesIO(data), name), 'description': 'Скан'},
        content_type='multipart/form-data',
    )


@pytest.mark.smoke
def test_list_shows_a_registered_card(client, clerk):
    with atomic():
        card = make_card(clerk, summary='О проведении совещания')
    login(client, clerk)
    page = client.get('/cards/').get_data(as_text=True)
    assert card.reg_number in page
    assert 'О проведении совещания' in page
    assert f'/cards/{card.id}' in page


def test_list_filters_by_kind_number_and_words(client, clerk):
    with atomic():
        incoming = make_card(clerk, summary='О предоставлении сведений')
        outgoing = make_card(clerk, kind='outgoing', summary='Об отчёте за квартал', correspondent_name='')
    login(client, clerk)
    by_kind = client.get('/cards/?kind=outgoing').get_data(as_text=True)
    assert outgoing.reg_number in by_kind
    assert incoming.reg_number not in by_kind
    by_number = client.get('/cards/', query_string={'number': 'Вх-'}).get_data(as_text=True)
    assert incoming.reg_number in by_number
    assert outgoing.reg_number not in by_number
    by_words = client.get('/cards/', query_string={'q': 'сведения'}).get_data(as_text=True)
    assert incoming.reg_number in by_words
    assert outgoing.reg_number not in by_words
    assert 'value="сведения"' in by_words


def test_bad_filter_date_shows_the_message_next_to_the_filter(client, clerk):
    login(client, clerk)
    response = client.get('/cards/', query_string={'date_from': '31.02.2026'})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert '«Дата регистрации с»: дата в формате ДД.ММ.ГГГГ.' in page
    assert 'value="31.02.2026"' in page


def test_pagination_links_keep_the_filters(client, clerk):
    with atomic():
        first, second = make_card(clerk), make_card(clerk)
    login(client, clerk)
    page_one = client.get('/cards/', query_string={'kind': 'incoming', 'per_page': '1'}).get_data(as_text=True)
    assert second.reg_number in page_one
    assert first.reg_number not in page_one
    assert 'Найдено: 2' in page_one
    assert 'kind=incoming' in page_one
    assert 'page=2' in page_one
    page_two = client.get('/cards/?kind=incoming&per_page=1&page=2').get_data(as_text=True)
    assert first.reg_number in page_two
    assert 'page=1' in page_two


@pytest.mark.smoke
def test_registering_through_the_form_gives_the_number_and_opens_the_card(client, clerk):
    login(client, clerk)
    response = client.post('/cards/new', data=_form(summary='О направлении информации'))
    assert response.status_code == 302
    card = db.session.execute(select(Card)).scalar_one()
    assert response.headers['Location'].endswith(f'/cards/{card.id}')
    assert card.status == CardStatus.registered
    page = client.get(response.headers['Location']).get_data(as_text=True)
    assert f'Документ зарегистрирован: № {card.reg_number}' in page
    assert card.reg_number.startswith('Вх-00001/')


def test_registration_form_lists_choices_for_the_kind(client, clerk):
    login(client, clerk)
    page = client.get('/cards/new?kind=citizen_appeal').get_data(as_text=True)
    assert '<option value="citizen_appeal" selected>' in page
    assert '<option value="Служебная записка">' in page
    assert 'list="document-kinds"' in page


def test_validation_error_returns_the_typed_form_with_messages(client, clerk):
    login(client, clerk)
    summary = 'я' * 4001
    data = _form(summary=summary, correspondent_name='', sender_number='ABC-1', sender_date='2026-01-05')
    response = client.post('/cards/new', data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert '«Краткое содержание»: не более 4000 символов (введено 4001).' in page
    assert '«Корреспондент»: обязательное поле для входящих документов и обращений.' in page
    assert summary in page
    assert 'value="ABC-1"' in page
    assert 'value="2026-01-05"' in page
    assert _count(Card) == 0


def test_duplicate_warns_first_then_registers_after_confirmation(client, clerk):
    with atomic():
        existing = make_card(clerk, sender_number='77/ОТ', correspondent_name='ООО «Ромашка»')
    login(client, clerk)
    data = _form(sender_number='77/ОТ', correspondent_name='ООО «Ромашка»', summary='Повторное письмо')
    warned = client.post('/cards/new', data=data)
    assert warned.status_code == 409
    page = warned.get_data(as_text=True)
    assert 'Подтверждаю повторную регистрацию' in page
    assert f'/cards/{existing.id}' in page
    assert 'Повторное письмо' in page
    assert _count(Card) == 1
    confirmed = client.post('/cards/new', data={**data, 'confirm_duplicate': '1'})
    assert confirmed.status_code == 302
    assert _count(Card) == 2


def test_draft_saved_then_registered_from_the_card_page(client, clerk):
    login(client, clerk)
    response = client.post('/cards/new', data=_form(action='draft'))
    card = db.session.execute(select(Card)).scalar_one()
    assert card.status == CardStatus.draft
    assert card.reg_number is None
    assert 'Черновик карточки сохранён.' in client.get(response.headers['Location']).get_data(as_text=True)
    registered = client.post(f'/cards/{card.id}/register')
    assert registered.status_code == 302
    db.session.expire_all()
    assert card.status == CardStatus.registered
    assert card.reg_number


def test_link_by_registration_number_shows_on_both_cards(client, clerk):
    with atomic():
        target = make_card(clerk)
    login(client, clerk)
    data = _form(kind='outgoing', correspondent_name='', link_kind='reply_to', link_ref=target.reg_number)
    response = client.post('/cards/new', data=data)
    assert response.status_code == 302
    reply = db.session.execute(select(Card).where(Card.id != target.id)).scalar_one()
    assert [(link.kind.value, link.target_card_id) for link in reply.links] == [('reply_to', target.id)]
    target_page = client.get(f'/cards/{target.id}').get_data(as_text=True)
    assert reply.reg_number in target_page
    assert 'В ответ на' in target_page


def test_unknown_link_reference_is_a_message_of_the_links_field(client, clerk):
    login(client, clerk)
    response = client.post('/cards/new', data=_form(link_kind='related', link_ref='Нет-такого'))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert '«Связанные документы»: документ «Нет-такого» не найден.' in page
    assert 'value="Нет-такого"' in page
    assert _count(Card) == 0


def test_uploaded_file_downloads_back_byte_identical_under_its_name(client, clerk):
    with atomic():
        card = make_card(clerk)
    login(client, clerk)
    content = _pdf()
    assert _upload(client, card.id, content).status_code == 302
    attachment = db.session.execute(select(Attachment)).scalar_one()
    assert 'Письмо №1.pdf' in client.get(f'/cards/{card.id}?tab=files').get_data(as_text=True)
    response = client.get(f'/cards/{card.id}/attachments/{attachment.id}')
    body = response.data
    response.close()
    assert response.status_code == 200
    assert body == content
    assert response.mimetype == 'application/pdf'
    disposition = response.headers['Content-Disposition']
    assert disposition.startswith('attachment')
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == 'Письмо №1.pdf'


def test_file_sent_with_the_registration_form_is_attached(client, clerk):
    login(client, clerk)
    data = {**_form(), 'file': (io.BytesIO(_pdf()), 'scan.pdf'), 'file_description': 'Скан письма'}
    response = client.post('/cards/new', data=data, content_type='multipart/form-data')
    assert response.status_code == 302
    attachment = db.session.execute(select(Attachment)).scalar_one()
    assert attachment.filename == 'scan.pdf'
    assert attachment.description == 'Скан письма'


def test_disallowed_file_types_are_refused_with_the_message(client, clerk):
    with atomic():
        card = make_card(clerk)
    login(client, clerk)
    gif = _upload(client, card.id, b'GIF89a\x01\x00\x01\x00\x00\x00\x00;' + uuid.uuid4().hex.encode(), 'picture.gif')
    assert gif.status_code == 422
    assert '«Файл»: тип файла не разрешён.' in gif.get_data(as_text=True)
    data = {
        **_form(summary='Письмо с программой'),
        'file': (io.BytesIO(b'MZ\x90\x00\x03\x00' + uuid.uuid4().hex.encode()), 'a.exe'),
    }
    exe = client.post('/cards/new', data=data, content_type='multipart/form-data')
    assert exe.status_code == 422
    page = exe.get_data(as_text=True)
    assert '«Файл»: тип файла не разрешён.' in page
    assert 'Письмо с программой' in page
    assert _count(Attachment) == 0
    assert _count(Card) == 1


def test_oversize_upload_is_a_message_of_the_file_field_and_nothing_is_stored(client, clerk, app):
    with atomic():
        card = make_card(clerk)
    login(client, clerk)
    response = _upload(client, card.id, b'a' * (app.config['MAX_ATTACHMENT_SIZE'] + 1), 'big.txt')
    response.request.environ['wsgi.input'].close()  # the test client spools a big body to a file it never closes
    assert response.status_code == 413
    assert '«Файл»: Файл превышает допустимый размер 2 МБ.' in response.get_data(as_text=True)
    assert _count(Attachment) == 0


def test_corrupted_blob_is_refused_with_409_and_journaled(client, clerk, app):
    with atomic():
        card = make_card(clerk)
    login(client, clerk)
    _upload(client, card.id, _pdf())
    attachment = db.session.execute(select(Attachment)).scalar_one()
    with open(BlobStore(app.config['BLOB_DIR']).path_for(attachment.sha256), 'wb') as file:
        file.write(b'%PDF-1.4 tampered')
    response = client.get(f'/cards/{card.id}/attachments/{attachment.id}')
    assert response.status_code == 409
    assert b'tampered' not in response.data
    assert 'повреждён' in response.get_data(as_text=True)
    actions = db.session.execute(select(AuditEntry.action).where(AuditEntry.object_id == str(card.id))).scalars()
    assert 'attachment.corrupted' in list(actions)


def test_missing_blob_gives_410(client, clerk, app):
    with atomic():
        card = make_card(clerk)
    login(client, clerk)
    _upload(client, card.id, _pdf())
    attachment = db.session.execute(select(Attachment)).scalar_one()
    BlobStore(app.config['BLOB_DIR']).discard(attachment.sha256)
    assert client.get(f'/cards/{card.id}/attachments/{attachment.id}').status_code == 410


def test_removed_attachment_is_gone_from_the_card(client, clerk):
    with atomic():
        card = make_card(clerk)
    login(client, clerk)
    _upload(client, card.id, _pdf(), 'old.pdf')
    attachment = db.session.execute(select(Attachment)).scalar_one()
    assert client.post(f'/cards/{card.id}/attachments/{attachment.id}/remove').status_code == 302
    page = client.get(f'/cards/{card.id}?tab=files').get_data(as_text=True)
    assert f'/attachments/{attachment.id}"' not in page
    assert 'Файлов нет.' in page
    assert client.get(f'/cards/{card.id}/attachments/{attachment.id}').status_code == 404


def test_another_organizations_card_and_attachment_are_404(client, clerk, app):
    with atomic():
        card = make_card(clerk)
        stranger = make_user(make_organization('Агентство'), 'clerk', 'administrator')
    login(client, clerk)
    _upload(client, card.id, _pdf())
    attachment = db.session.execute(select(Attachment)).scalar_one()
    client.post('/logout')
    login(client, stranger)
    for url in (f'/cards/{card.id}', f'/cards/{card.id}/edit', f'/cards/{card.id}/attachments/{attachment.id}'):
        assert client.get(url).status_code == 404, url
    assert client.post(f'/cards/{card.id}/cancel', data={'reason': 'x'}).status_code == 404
    assert card.reg_number not in client.get('/cards/').get_data(as_text=True)


def test_restricted_card_is_404_for_an_executor_and_visible_to_its_author(client, clerk):
    with atomic():
        card = make_card(clerk, access_mark='restricted')
        executor = make_user(clerk.organization, 'executor')
    login(client, executor)
    assert client.get(f'/cards/{card.id}').status_code == 404
    assert card.reg_number not in client.get('/cards/').get_data(as_text=True)
    client.post('/logout')
    login(client, clerk)
    page = client.get(f'/cards/{card.id}')
    assert page.status_code == 200
    assert 'ДСП' in page.get_data(as_text=True)


def test_edit_records_before_and_after_in_the_history(client, clerk):
    with atomic():
        card = make_card(clerk, summary='Старое содержание')
    login(client, clerk)
    form = client.get(f'/cards/{card.id}/edit').get_data(as_text=True)
    assert 'Старое содержание' in form
    data = {
        **_form(summary='Новое содержание', sender_number=card.sender_number),
        'department_id': str(card.department_id),
    }
    assert client.post(f'/cards/{card.id}/edit', data=data).status_code == 302
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == 'card.update')).scalar_one()
    assert entry.data['changes']['summary'] == {'before': 'Старое содержание', 'after': 'Новое содержание'}
    history = client.get(f'/cards/{card.id}?tab=history').get_data(as_text=True)
    assert '<del>Старое содержание</del> → <ins>Новое содержание</ins>' in history
    assert clerk.full_name in history


def test_saving_the_edit_form_unchanged_records_no_change(client, clerk):
    with atomic():
        target = make_card(clerk)
        other = make_organization('Служба')
        card = make_card(
            clerk,
            kind='outgoing',
            correspondent_name='',
            addressees=['Иванов И. И.', {'name': '', 'organization_id': other.id}],
            links=[{'kind': 'reply_to', 'card_id': target.id}],
        )
    login(client, clerk)
    form = client.get(f'/cards/{card.id}/edit').get_data(as_text=True)
    assert f'<option value="{other.id}" selected>' in form
    assert f'value="{target.reg_number}"' in form
    values = card_values(clerk, card)
    data = MultiDict({name: values[name] for name in SCALAR_FIELDS if name != 'kind'})
    data.add('addressees', values['addressees'])
    for org_id in values['addressee_org_ids']:
        data.add('addressee_org_ids', org_id)
    for kind, ref in values['link_rows']:
        data.add('link_kind', kind)
        data.add('link_ref', ref)
    assert client.post(f'/cards/{card.id}/edit', data=data).status_code == 302
    updates = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == 'card.update')
    assert db.session.execute(updates).scalar_one() == 0


def test_edit_error_returns_422_with_the_typed_values(client, clerk):
    with atomic():
        card = make_card(clerk)
    login(client, clerk)
    response = client.post(f'/cards/{card.id}/edit', data=_form(pages='много', summary='Изменённое'))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert '«Количество листов»: ожидается целое число.' in page
    assert 'value="много"' in page
    assert 'Изменённое' in page


def test_cancel_needs_a_reason_then_cancels(client, clerk):
    with atomic():
        card = make_card(clerk)
    login(client, clerk)
    refused = client.post(f'/cards/{card.id}/cancel', data={'reason': ' '})
    assert refused.status_code == 422
    assert '«Причина аннулирования»: обязательное поле' in refused.get_data(as_text=True)
    done = client.post(f'/cards/{card.id}/cancel', data={'reason': 'Ошибочная регистрация'})
    assert done.status_code == 302
    db.session.expire_all()
    assert card.status == CardStatus.cancelled
    assert 'Ошибочная регистрация' in client.get(f'/cards/{card.id}').get_data(as_text=True)


def test_filing_into_a_case_sets_the_case(client, clerk):
    with atomic():
        card = make_card(clerk)
        case_file = make_case_file(clerk.organization, '02-07')
    login(client, clerk)
    assert client.post(f'/cards/{card.id}/file', data={'case_file_id': ''}).status_code == 422
    assert client.post(f'/cards/{card.id}/file', data={'case_file_id': str(case_file.id)}).status_code == 302
    db.session.expire_all()
    assert card.status == CardStatus.filed
    assert card.case_file_id == case_file.id
    page = client.get(f'/cards/{card.id}').get_data(as_text=True)
    assert '02-07 Переписка' in page
    assert 'В деле' in page


@pytest.mark.smoke
def test_user_without_clerk_role_gets_403_on_registration(client, clerk):
    with atomic():
        executor = make_user(clerk.organization, 'executor')
    login(client, executor)
    assert client.get('/cards/new').status_code == 403
    assert client.post('/cards/new', data=_form()).status_code == 403
    assert _count(Card) == 0


def test_unknown_card_is_404(client, clerk):
    login(client, clerk)
    assert client.get('/cards/999999').status_code == 404
    assert client.post('/cards/999999/register').status_code == 404
    assert local_today()  # the clock is configured for the pages' dates


def test_registration_needs_the_csrf_token_of_the_form(client, clerk, app, monkeypatch):
    monkeypatch.setitem(app.config, 'WTF_CSRF_ENABLED', True)
    login_page = client.get('/login').get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login_page).group(1)
    client.post(
        '/login',
        data={
            'organization_id': clerk.organization_id,
            'login': clerk.login,
            'password': PASSWORD,
            'csrf_token': token,
        },
    )
    assert client.post('/cards/new', data=_form()).status_code == 400
    assert _count(Card) == 0
    form = client.get('/cards/new').get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    assert client.post('/cards/new', data={**_form(), 'csrf_token': token}).status_code == 302
    assert _count(Card) == 1
