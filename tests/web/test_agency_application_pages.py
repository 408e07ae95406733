"""The agency's application pages: «Заявления» with filters and the overdue ones highlighted, the application page
(values grouped, files, history, the deadline with its explanation, the linked card and the card's link back), the
official's «Одобрить и подписать» (the applicant downloads the signed certificate, valid for pdfsig), a wrong
password keeping the application in progress with the form filled, «Запросить уточнение», «Отказать» with several
reasons; another agency's application and an applicant's own are not found here."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from edms.citizen_services.models import Application
from edms.core.db import db
from edms.core.tx import atomic
from scripts.make_test_pki import TestPki
from tests.citizen_services.conftest import World, world  # noqa: F401  (the workflow tests' fixture)
from tests.citizen_services.test_results import PASSWORD, Official, bind_official, content
from tests.factories import api_token, login
from tests.signatures.conftest import test_pki  # noqa: F401  (the session fixture of the generated PKI)
from tests.signatures.pdf_helpers import nss_database, pdfsig


@pytest.fixture(scope='module')
def nssdb(test_pki: TestPki, tmp_path_factory: pytest.TempPathFactory) -> str:  # noqa: F811
    return nss_database(tmp_path_factory.mktemp('nss'), test_pki.cas['root'].cert_pem)


@pytest.fixture
def official(world: World, test_pki: TestPki) -> Official:  # noqa: F811
    return bind_official(world, test_pki)


def stored(application_id: int) -> Application:
    db.session.expire_all()
    return db.session.get(Application, application_id)


def page(client, application: Application) -> str:
    response = client.get(f'/agency/applications/{application.id}')
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_list_filters_by_service_and_status_and_highlights_the_overdue(client, world: World) -> None:  # noqa: F811
    late, fresh = world.file(), world.file()
    world.file('taxpayer_cabinet')  # the tax agency's: never in the migration agency's list
    with atomic():
        db.session.execute(
            update(Application).where(Application.id == late.id).values(deadline=late.deadline - timedelta(days=30))
        )
    login(client, world.executor)
    html = client.get('/agency/applications/').get_data(as_text=True)
    assert late.number in html
    assert fresh.number in html
    assert 'Подключение к личному кабинету налогоплательщика' not in html.split('<tbody>')[1]
    rows = html.split('<tbody>')[1].split('</tr>')
    overdue = [row for row in rows if 'application-overdue' in row]
    assert len(overdue) == 1
    assert late.number in overdue[0]
    assert 'Просрочено' in overdue[0]
    filtered = client.get('/agency/applications/?service=temporary_registration&status=done').get_data(as_text=True)
    assert 'Заявления не найдены' in filtered
    wrong = client.get('/agency/applications/?status=lost&date_from=31.02.2026')
    assert wrong.status_code == 422
    assert '«Статус»' in wrong.get_data(as_text=True)


def test_the_application_page_shows_values_files_history_deadline_and_the_card(client, world: World) -> None:  # noqa: F811
    application = world.file()
    login(client, world.executor)
    html = page(client, application)
    assert f'Заявление № {application.number}' in html
    assert 'Паспорт гражданина Российской Федерации' in html
    assert '4510' in html
    assert 'Адрес пребывания' in html
    assert 'ул. Мясницкая' in html
    assert 'Согласие собственника помещения' in html
    assert 'owner_consent.pdf' in html
    assert application.deadline_explanation in html
    assert f'/cards/{application.card_id}' in html
    assert 'История' in html
    assert 'В обработке' in html
    card_html = client.get(f'/cards/{application.card_id}').get_data(as_text=True)
    assert f'/agency/applications/{application.id}' in card_html
    file_id = application.files[0].id
    with client.get(f'/agency/applications/{application.id}/files/{file_id}') as response:
        assert response.data.startswith(b'%PDF')


def test_approve_and_sign_gives_the_applicant_a_pdf_valid_for_pdfsig(
    client,
    world: World,  # noqa: F811
    official: Official,
    nssdb: str,
    tmp_path: Path,
) -> None:
    application = world.file()
    login(client, official.user)
    form = {'form': 'approve', 'certificate_id': str(official.certificate_id), 'password': PASSWORD}
    response = client.post(f'/agency/applications/{application.id}/approve', data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert stored(application.id).status == 'done'
    assert 'подписан и направлен заявителю' in page(client, application)
    with atomic():
        token = api_token(world.applicant)
    headers = {'Authorization': f'Bearer {token}'}
    with client.get(f'/api/v1/applications/{application.id}/result', headers=headers) as download:
        assert download.status_code == 200, download.get_data(as_text=True)[:500]
        data = download.data
    assert data == content(stored(application.id).result_attachment_id)
    [found] = pdfsig(data, tmp_path, nssdb)
    assert found['Signature Validation'] == 'Signature is Valid.'
    applicant = client.application.test_client()  # the applicant's own browser: the cabinet's download
    login(applicant, world.applicant)
    with applicant.get(f'/applications/{application.id}/result') as download:
        assert download.data == data


def test_a_wrong_password_keeps_the_application_in_progress_and_the_form_filled(
    client,
    world: World,  # noqa: F811
    official: Official,
) -> None:
    application = world.file()
    login(client, official.user)
    form = {
        'form': 'approve',
        'certificate_id': str(official.certificate_id),
        'password': 'не тот',
        'comment': 'Проверено',
    }
    response = client.post(f'/agency/applications/{application.id}/approve', data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '«Пароль к контейнеру ключа»' in html
    assert 'Проверено' in html
    assert 'не тот' not in html
    assert (stored(application.id).status, stored(application.id).result_attachment_id) == ('in_progress', None)


def test_clarification_from_the_page(client, world: World) -> None:  # noqa: F811
    application = world.file()
    login(client, world.executor)
    empty = client.post(f'/agency/applications/{application.id}/clarification', data={'form': 'clarify', 'text': ''})
    assert empty.status_code == 422
    assert '«Что нужно уточнить»' in empty.get_data(as_text=True)
    text = 'Приложите договор аренды целиком.'
    response = client.post(
        f'/agency/applications/{application.id}/clarification', data={'form': 'clarify', 'text': text}
    )
    assert response.status_code == 302
    assert (stored(application.id).status, stored(application.id).clarification_text) == (
        'clarification_required',
        text,
    )
    assert 'Срок приостановлен до получения исправленного заявления' in page(client, application)


def test_refusal_with_several_reasons_from_the_page(client, world: World) -> None:  # noqa: F811
    application = world.file()
    login(client, world.manager)
    none = client.post(f'/agency/applications/{application.id}/refuse', data={'form': 'refuse', 'comment': 'Нет'})
    assert none.status_code == 422
    assert '«Причины отказа»' in none.get_data(as_text=True)
    form = {
        'form': 'refuse',
        'reasons': ['address_mismatch', 'no_owner_consent'],
        'comment': 'Повторная подача возможна.',
    }
    response = client.post(f'/agency/applications/{application.id}/refuse', data=form)
    assert response.status_code == 302
    assert stored(application.id).refusal_reasons == ['address_mismatch', 'no_owner_consent']
    html = page(client, application)
    assert 'Собственник помещения не дал согласия на регистрацию' in html
    assert 'Повторная подача возможна.' in html


def test_another_agencys_application_is_not_found(client, world: World) -> None:  # noqa: F811
    application = world.file()
    login(client, world.tax_executor)
    assert client.get(f'/agency/applications/{application.id}').status_code == 404
    refused = client.post(f'/agency/applications/{application.id}/refuse', data={'reasons': ['personal_data']})
    assert refused.status_code == 404
    assert stored(application.id).status == 'in_progress'
    assert application.number not in client.get('/agency/applications/').get_data(as_text=True)


def test_the_applicant_does_not_reach_the_agency_pages(client, world: World) -> None:  # noqa: F811
    application = world.file()
    login(client, world.applicant)
    assert client.get(f'/agency/applications/{application.id}').status_code == 404
    assert client.get('/agency/applications/').status_code == 403
