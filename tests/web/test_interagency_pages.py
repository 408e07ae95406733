"""Interagency requests in the browser: the «Межведомственные запросы» section of the agency's application page (the
ЕГРЮЛ request with its due date and explanation, the answer and every mismatch), sending a request from it (a
refused form comes back filled with the messages naming the fields), the responder's incoming list and page (the
request as its XML says, answer and rejection forms), the outgoing list filtered by overdue, and another
organization's request or XML being not found."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from edms.citizen_services.jobs import interagency as jobs
from edms.citizen_services.models.interagency import InteragencyRequest, RequestStatus
from edms.core.db import db
from edms.core.tx import atomic
from tests.citizen_services.conftest import World, world  # noqa: F401
from tests.citizen_services.test_interagency import MANUAL, file_legal_entity, ia, send_manual  # noqa: F401
from tests.factories import login


def only_request(application_id: int) -> InteragencyRequest:
    db.session.expire_all()
    return db.session.execute(
        select(InteragencyRequest).where(InteragencyRequest.application_id == application_id)
    ).scalar_one()


def test_the_application_page_shows_the_egrul_request_and_each_mismatch(client, ia: World) -> None:  # noqa: F811
    application = file_legal_entity(ia, {'organization.name': 'ООО «Лютик»', 'head.last_name': 'Сидоров'})
    jobs.send_needed(application.id)
    request = only_request(application.id)
    login(client, ia.ministry_executor)
    html = client.get(f'/agency/applications/{application.id}').get_data(as_text=True)
    section = html.split('id="interagency"')[1]
    assert 'Межведомственные запросы' in html
    assert 'Получен ответ' in section
    assert f'{request.due_date:%d.%m.%Y}' in section
    assert '210-ФЗ' in section
    mismatches = section.split('interagency-mismatches')[1].split('</table>')[0]
    assert 'Расхождения со сведениями заявления (2)' in mismatches
    assert 'Полное наименование организации' in mismatches
    assert 'ООО «Лютик»' in mismatches
    assert 'Сидоров' in mismatches


def test_an_official_sends_a_request_from_the_application_page(client, ia: World) -> None:  # noqa: F811
    application = file_legal_entity(ia)
    login(client, ia.ministry_executor)
    response = client.post(f'/interagency/applications/{application.id}/requests', data=MANUAL)
    assert response.status_code == 302
    request = only_request(application.id)
    assert request.data_kind == 'passport'
    assert request.responding_organization_id == ia.migration.id
    html = client.get(response.headers['Location']).get_data(as_text=True)
    assert 'направлен; ответ — до' in html
    assert MANUAL['requested_data'] in html


def test_a_refused_request_form_comes_back_filled_with_messages(client, ia: World) -> None:  # noqa: F811
    application = file_legal_entity(ia)
    login(client, ia.ministry_executor)
    data = {'data_kind': 'egrn', 'requested_data': 'Выписка о квартире', 'legal_basis': ''}
    response = client.post(f'/interagency/applications/{application.id}/requests', data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '«Правовое основание запроса»: обязательное поле.' in html
    assert 'Выписка о квартире</textarea>' in html
    assert '<option value="egrn" selected>' in html


def test_the_responder_answers_from_the_incoming_page(client, ia: World) -> None:  # noqa: F811
    request = send_manual(ia, file_legal_entity(ia))
    login(client, ia.executor)
    listing = client.get('/interagency/incoming').get_data(as_text=True)
    assert f'/interagency/incoming/{request.id}' in listing
    page = client.get(f'/interagency/incoming/{request.id}').get_data(as_text=True)
    assert MANUAL['requested_data'] in page
    assert ia.ministry_executor.full_name in page
    refused = client.post(
        f'/interagency/incoming/{request.id}/answer', data={'text': '', 'data': 'Статус действителен'}
    )
    assert refused.status_code == 422
    assert '«Ответ»: обязательное поле.' in refused.get_data(as_text=True)
    assert 'Статус действителен</textarea>' in refused.get_data(as_text=True)
    answered = client.post(f'/interagency/incoming/{request.id}/answer', data={'text': 'Паспорт действителен.'})
    assert answered.status_code == 302
    assert only_request(request.application_id).status == RequestStatus.answered


def test_the_responder_rejects_with_a_reason_of_the_smev_list(client, ia: World) -> None:  # noqa: F811
    request = send_manual(ia, file_legal_entity(ia))
    login(client, ia.executor)
    response = client.post(f'/interagency/incoming/{request.id}/reject', data={'code': 'NO_DATA', 'reason': 'Нет.'})
    assert response.status_code == 302
    assert only_request(request.application_id).rejection_code == 'NO_DATA'


def test_the_outgoing_list_filters_overdue_requests(client, ia: World) -> None:  # noqa: F811
    late = send_manual(ia, file_legal_entity(ia))
    fresh = send_manual(ia, file_legal_entity(ia, register=False))
    with atomic():
        db.session.get(InteragencyRequest, late.id).due_date -= timedelta(days=30)
    login(client, ia.ministry_executor)
    html = client.get('/interagency/outgoing?overdue=1').get_data(as_text=True)
    rows = html.split('<tbody>')[1]
    assert late.application.number in rows
    assert fresh.application.number not in rows
    assert 'Просрочен' in rows
    assert client.get('/interagency/outgoing?status=whatever').status_code == 422


def test_another_organizations_request_and_its_xml_are_not_found(client, ia: World) -> None:  # noqa: F811
    request = send_manual(ia, file_legal_entity(ia))
    login(client, ia.tax_executor)
    assert client.get(f'/interagency/incoming/{request.id}').status_code == 404
    assert client.post(f'/interagency/incoming/{request.id}/answer', data={'text': 'Да'}).status_code == 404
    assert client.get(f'/interagency/outgoing/{request.id}/request.xml').status_code == 404
    assert client.get(f'/interagency/incoming/{request.id}/request.xml').status_code == 404


def test_each_side_downloads_the_smev_request(client, ia: World) -> None:  # noqa: F811
    request = send_manual(ia, file_legal_entity(ia))
    login(client, ia.ministry_executor)
    response = client.get(f'/interagency/outgoing/{request.id}/request.xml')
    assert response.status_code == 200
    assert b'SendRequestRequest' in response.data
    assert client.get(f'/interagency/incoming/{request.id}/request.xml').status_code == 404


def test_the_official_sends_the_declared_requests_the_filing_left_unsent(client, ia: World) -> None:  # noqa: F811
    application = file_legal_entity(ia)
    login(client, ia.ministry_executor)
    page = client.get(f'/agency/applications/{application.id}').get_data(as_text=True)
    assert 'Направить предусмотренные запросы' in page
    assert '«Сведения о юридическом лице из ЕГРЮЛ»' in page
    response = client.post(f'/interagency/applications/{application.id}/declared')
    assert response.status_code == 302
    request = only_request(application.id)
    assert request.official_id == ia.ministry_executor.id
    assert request.status == RequestStatus.answered
    page = client.get(response.headers['Location']).get_data(as_text=True)
    assert 'Направлено межведомственных запросов: 1.' in page
    assert 'Направить предусмотренные запросы' not in page
    again = client.post(f'/interagency/applications/{application.id}/declared')
    assert 'уже направлены' in client.get(again.headers['Location']).get_data(as_text=True)
