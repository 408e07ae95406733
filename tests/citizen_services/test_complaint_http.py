"""Complaint files and complaints without an application over HTTP. API: a multipart complaint with files (201, the
files listed, their content downloadable by the applicant and the agency, 404 for another applicant and another
organization's official), a bad file a 422 naming `files` with nothing stored, a JSON complaint without an
application to a provider (201) and to another agency (422 naming `organization_id`), the agencies of a service.
Browser: the form with files (the complaint page and the card page list them, the download for whoever sees the
complaint, 404 for anyone else), a refused form comes back filled with the message and the reminder to choose the
files again, the form without an application (the service first, then only its providers; the MFC names the
visitor)."""

from __future__ import annotations

import io
import os

from sqlalchemy import select

from edms.auth.models import User
from edms.citizen_services.models.complaints import Complaint, ComplaintFile
from edms.core.db import db
from edms.core.tx import atomic
from tests.citizen_services.conftest import PDF_BYTES, World, blob_count, count, world  # noqa: F401
from tests.factories import api_token, login

API = '/api/v1'
TEXT = 'Потребовали документы, которых нет в регламенте.'
PNG_BYTES = b'\x89PNG\r\n\x1a\n' + b'\x00' * 32


def headers(user: User) -> dict[str, str]:
    with atomic():
        return {'Authorization': f'Bearer {api_token(user)}'}


def pdf(name: str = 'отказ.pdf') -> tuple[io.BytesIO, str]:
    return io.BytesIO(PDF_BYTES + os.urandom(8)), name


def downloaded(client, url: str) -> int:
    response = client.get(url)
    response.close()
    return response.status_code


def test_api_complaint_with_files_and_who_downloads_them(client, world: World) -> None:  # noqa: F811
    application = world.file()
    receipt = PNG_BYTES + os.urandom(8)
    data = {'kind': 'extra_documents', 'text': TEXT, 'files': [pdf(), (io.BytesIO(receipt), 'квитанция.png')]}
    response = client.post(
        f'{API}/applications/{application.id}/complaints', data=data, headers=headers(world.applicant)
    )
    assert response.status_code == 201, response.get_json()
    complaint = response.get_json()
    assert complaint['service']['code'] == 'temporary_registration'
    assert [(item['filename'], item['content_type']) for item in complaint['files']] == [
        ('отказ.pdf', 'application/pdf'),
        ('квитанция.png', 'image/png'),
    ]
    url = complaint['files'][1]['url']
    assert url == f'{API}/complaints/{complaint["id"]}/files/{complaint["files"][1]["id"]}/content'
    for reader in (world.applicant, world.executor, world.clerk):
        download = client.get(url, headers=headers(reader))
        assert download.status_code == 200
        assert download.data == receipt
        download.close()
    for stranger in (world.other_applicant, world.tax_executor, world.operator, world.bank_user):
        assert client.get(url, headers=headers(stranger)).status_code == 404
    other = client.get(f'{API}/complaints/{complaint["id"]}/files/{10**6}/content', headers=headers(world.applicant))
    assert other.status_code == 404


def test_api_bad_files_are_a_422_naming_the_field_and_nothing_is_stored(client, world: World) -> None:  # noqa: F811
    application = world.file()
    before = blob_count(), count(Complaint), count(ComplaintFile)
    url = f'{API}/applications/{application.id}/complaints'
    data = {'kind': 'extra_fee', 'text': TEXT, 'files': [pdf(), (io.BytesIO(b'GIF89a' + b'\x00' * 8), 'a.pdf')]}
    response = client.post(url, data=data, headers=headers(world.applicant))
    assert response.status_code == 422
    assert response.get_json()['error']['fields'] == {
        'files': '«Файлы жалобы» (файл «a.pdf»): недопустимый тип файла, допустимы JPG, PDF, PNG.'
    }
    many = {'kind': 'extra_fee', 'text': TEXT, 'files': [pdf(f'{number}.pdf') for number in range(11)]}
    response = client.post(url, data=many, headers=headers(world.applicant))
    assert response.get_json()['error']['fields'] == {'files': '«Файлы жалобы»: не более 10 файлов (приложено 11).'}
    unknown = client.post(
        url, data={'kind': 'extra_fee', 'text': TEXT, 'scan': pdf()}, headers=headers(world.applicant)
    )
    assert unknown.get_json()['error']['fields'] == {'scan': 'Неизвестное поле «scan».'}
    assert (blob_count(), count(Complaint), count(ComplaintFile)) == before


def test_api_complaint_without_an_application(client, world: World) -> None:  # noqa: F811
    auth = headers(world.applicant)
    agencies = client.get(
        f'{API}/complaints/agencies', query_string={'service': 'temporary_registration'}, headers=auth
    )
    assert [item['id'] for item in agencies.get_json()['items']] == [world.migration.id]
    unknown = client.get(f'{API}/complaints/agencies', query_string={'service': 'nope'}, headers=auth)
    assert unknown.status_code == 422
    body = {
        'service': 'temporary_registration',
        'organization_id': world.tax.id,
        'kind': 'documents_refused',
        'text': TEXT,
    }
    refused = client.post(f'{API}/complaints', json=body, headers=auth)
    assert refused.status_code == 422
    assert set(refused.get_json()['error']['fields']) == {'organization_id'}
    response = client.post(f'{API}/complaints', json={**body, 'organization_id': world.migration.id}, headers=auth)
    assert response.status_code == 201
    complaint = response.get_json()
    assert response.headers['Location'].endswith(f'/complaints/{complaint["id"]}')
    assert (complaint['application'], complaint['organization']['id']) == (None, world.migration.id)
    assert 'в течение 5 рабочих дней' in complaint['deadline_explanation']
    official = client.get(f'{API}/complaints/{complaint["id"]}', headers=headers(world.executor)).get_json()
    assert official['card_id'] is not None
    visitor = '{"name": "Петров Пётр Петрович"}'
    data = {**body, 'organization_id': str(world.migration.id), 'on_behalf': visitor, 'files': [pdf()]}
    by_mfc = client.post(f'{API}/complaints', data=data, headers=headers(world.operator))
    assert by_mfc.status_code == 201, by_mfc.get_json()
    assert by_mfc.get_json()['applicant_name'] == 'Петров Пётр Петрович'
    assert len(by_mfc.get_json()['files']) == 1
    assert client.post(f'{API}/complaints', json=body, headers=headers(world.bank_user)).status_code == 403


def test_web_complaint_with_files_on_both_sides(client, world: World) -> None:  # noqa: F811
    application = world.file()
    login(client, world.applicant)
    data = {'kind': 'extra_fee', 'text': TEXT, 'files': [pdf('квитанция.pdf')]}
    response = client.post(f'/applications/{application.id}/complaint', data=data)
    assert response.status_code == 302
    complaint = db.session.execute(select(Complaint)).scalar_one()
    [row] = complaint.files
    page = client.get(f'/complaints/{complaint.id}').get_data(as_text=True)
    download = f'/complaints/{complaint.id}/files/{row.id}'
    assert 'id="complaint-files"' in page
    assert download in page
    assert downloaded(client, download) == 200
    client.post('/logout')
    login(client, world.executor)
    assert downloaded(client, download) == 200
    assert 'квитанция.pdf' in client.get(f'/cards/{complaint.card_id}').get_data(as_text=True)
    for stranger in (world.tax_executor, world.other_applicant):
        client.post('/logout')
        login(client, stranger)
        assert client.get(download).status_code == 404
        assert client.get(f'/complaints/{complaint.id}').status_code == 404


def test_web_a_bad_file_comes_back_with_the_form_filled(client, world: World) -> None:  # noqa: F811
    application = world.file()
    login(client, world.applicant)
    data = {'kind': 'extra_fee', 'text': TEXT, 'files': [(io.BytesIO(b'MZ\x90\x00'), 'программа.exe')]}
    before = blob_count(), count(Complaint)
    response = client.post(f'/applications/{application.id}/complaint', data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '«Файлы жалобы» (файл «программа.exe»): недопустимый тип файла, допустимы JPG, PDF, PNG.' in html
    assert TEXT in html
    assert 'id="kind-extra_fee" value="extra_fee"\n             checked' in html
    assert 'id="files-again"' in html
    assert (blob_count(), count(Complaint)) == before


def test_web_complaint_without_an_application(client, world: World) -> None:  # noqa: F811
    login(client, world.applicant)
    assert 'id="complaint-without-application"' in client.get('/complaints').get_data(as_text=True)
    first = client.get('/complaints/new').get_data(as_text=True)
    assert 'name="organization_id"' not in first
    form = client.get('/complaints/new', query_string={'service': 'temporary_registration'}).get_data(as_text=True)
    assert f'<option value="{world.migration.id}"' in form
    assert f'<option value="{world.tax.id}"' not in form
    assert 'on_behalf.name' not in form
    values = {'service': 'temporary_registration', 'kind': 'documents_refused', 'text': TEXT}
    response = client.post('/complaints/new', data={**values, 'organization_id': str(world.tax.id)})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '«Ведомство»: не предоставляет услугу «Регистрация по месту пребывания»' in html
    assert TEXT in html
    assert count(Complaint) == 0
    data = {**values, 'organization_id': str(world.migration.id), 'files': [pdf()]}
    response = client.post('/complaints/new', data=data)
    assert response.status_code == 302
    complaint = db.session.execute(select(Complaint)).scalar_one()
    assert (complaint.application_id, len(complaint.files)) == (None, 1)
    page = client.get(f'/complaints/{complaint.id}').get_data(as_text=True)
    assert 'id="no-application"' in page
    assert 'Регистрация по месту пребывания' in page


def test_web_the_mfc_names_the_visitor_and_others_may_not_file(client, world: World) -> None:  # noqa: F811
    login(client, world.operator)
    form = client.get('/complaints/new', query_string={'service': 'temporary_registration'}).get_data(as_text=True)
    assert 'name="on_behalf.name"' in form
    values = {
        'service': 'temporary_registration',
        'organization_id': str(world.migration.id),
        'kind': 'documents_refused',
        'text': TEXT,
    }
    response = client.post('/complaints/new', data=values)
    assert response.status_code == 422
    assert '«Заявитель: ФИО или наименование»: обязательное поле.' in response.get_data(as_text=True)
    response = client.post('/complaints/new', data={**values, 'on_behalf.name': 'Петров Пётр Петрович'})
    assert response.status_code == 302
    assert db.session.execute(select(Complaint.applicant_name)).scalar_one() == 'Петров Пётр Петрович'
    client.post('/logout')
    login(client, world.executor)
    assert client.get('/complaints/new').status_code == 403
    assert client.post('/complaints/new', data=values).status_code == 403
