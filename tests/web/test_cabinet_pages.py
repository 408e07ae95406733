"""The manager's cabinet and «Мои поручения» in the browser: folders with counts, approving a draft from the folder,
deadlines labelled in colour and words, the inline report form coming back filled, the decisions waiting for the
user, the navbar links, and the CSRF token of the forms."""

from __future__ import annotations

import io
import re

from edms.core.tx import atomic
from edms.resolutions.models import Assignment, AssignmentStatus, Resolution, ResolutionStatus
from edms.resolutions.operations import request_extension
from tests.factories import PASSWORD, executor_item, login, working_day
from tests.web.resolution_helpers import PDF, draft, issue, make_overdue, reload, team

__all__ = ['team']

# --- the cabinet --------------------------------------------------------------------------------------------------


def test_cabinet_shows_the_folders_with_counts_and_approves_a_draft_from_the_folder(client, team):
    resolution = draft(team)
    login(client, team.manager)
    page = client.get('/cabinet/').get_data(as_text=True)
    titles = re.findall(r'data-folder="(\w+)"', page)
    assert titles == ['review', 'sign', 'control', 'overdue', 'mine', 'executed']
    assert 'На рассмотрение' in page
    assert 'количество: 1' in page
    assert 'Проект ответа' in page
    assert 'О согласовании регламента' in page
    response = client.post(f'/cabinet/approve/{resolution.id}', data={'folder': 'review', 'page': '1'})
    assert response.status_code == 302
    assert response.headers['Location'].endswith('/cabinet/review')
    assert reload(Resolution, resolution.id).status == ResolutionStatus.approved
    page = client.get('/cabinet/review').get_data(as_text=True)
    assert 'утверждена и подписана простой ЭП' in page
    assert 'В папке ничего нет.' in page


def test_cabinet_flashes_why_a_draft_cannot_be_approved_as_is(client, team):
    resolution = draft(team)
    make_overdue(resolution.responsible)
    login(client, team.manager)
    response = client.post(f'/cabinet/approve/{resolution.id}', data={'folder': 'sign'}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert 'Проект нельзя утвердить как есть' in page
    assert 'уже прошла' in page
    assert reload(Resolution, resolution.id).status == ResolutionStatus.draft


def test_cabinet_unknown_folder_is_404_and_a_bad_page_number_is_the_first_page(client, team):
    login(client, team.manager)
    assert client.get('/cabinet/nonsense').status_code == 404
    assert client.get('/cabinet/overdue?page=-5').status_code == 200
    assert client.get('/cabinet/mine?page=99999999999999999999').status_code == 200


# --- «Мои поручения» -------------------------------------------------------------------------------------------


def test_my_assignments_label_overdue_and_due_soon_in_colour_and_words(client, team):
    soon, later = working_day(1), working_day(15)
    late = issue(team, executors=[executor_item(team.responsible, responsible=True)])
    issue(team, executors=[executor_item(team.responsible, responsible=True, deadline=soon)])
    issue(team, executors=[executor_item(team.responsible, responsible=True, deadline=later)])
    make_overdue(late.responsible)
    login(client, team.responsible)
    page = client.get('/assignments/').get_data(as_text=True)
    assert page.count('list-group-item-danger') == 1
    assert 'Просрочено' in page
    assert page.count('list-group-item-warning') == 1
    assert 'Скоро срок' in page
    assert page.count('Отчитаться об исполнении') == 3
    assert f'/cards/{team.card.id}?tab=files' in page
    overdue = client.get('/assignments/?filter=overdue').get_data(as_text=True)
    assert overdue.count('id="my-assignment-') == 1
    assert client.get('/assignments/?filter=bogus&page=x').status_code == 200


def test_report_from_my_assignments_comes_back_filled_then_goes(client, team):
    resolution = issue(team)
    part = resolution.responsible
    login(client, team.responsible)
    url = f'/assignments/{part.id}/report'
    too_long = 'я' * 4001
    response = client.post(url, data={'text': too_long, 'filter': 'open'})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '«Текст отчёта»: не более 4000 символов (введено 4001).' in page
    assert too_long in page
    refused = {'text': 'Готово', 'files': (io.BytesIO(b'MZ\x90\x00binary'), 'a.exe')}
    page = client.post(url, data=refused, content_type='multipart/form-data').get_data(as_text=True)
    assert 'тип файла «a.exe» не разрешён' in page
    data = {'text': 'Готово', 'files': (io.BytesIO(PDF), 'ответ.pdf'), 'filter': 'due_soon'}
    response = client.post(url, data=data, content_type='multipart/form-data')
    assert response.status_code == 302
    assert response.headers['Location'].endswith('/assignments/?filter=due_soon')
    assert reload(Assignment, part.id).status == AssignmentStatus.reported
    assert 'Отчёт об исполнении направлен' in client.get('/assignments/').get_data(as_text=True)


def test_decisions_waiting_for_the_user_are_listed_with_links(client, team):
    resolution = issue(team)
    with atomic():
        request_extension(
            team.responsible, resolution.responsible, {'reason': 'Нужно время', 'deadline': working_day(20).isoformat()}
        )
    login(client, team.manager)
    page = client.get('/assignments/').get_data(as_text=True)
    assert 'Ждут вашего решения' in page
    assert 'Продление срока' in page
    assert f'/cards/{team.card.id}?tab=resolutions#extension-' in page


def test_navbar_links(client, team):
    login(client, team.manager)
    page = client.get('/assignments/').get_data(as_text=True)
    assert 'Кабинет руководителя' in page
    assert 'Мои поручения' in page
    login(client, team.clerk)
    page = client.get('/assignments/').get_data(as_text=True)
    assert 'Кабинет руководителя' not in page
    assert 'Мои поручения' in page


# --- CSRF ----------------------------------------------------------------------------------------------------------


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_approve_and_report_forms_need_their_csrf_token(client, team, app, monkeypatch):
    resolution = draft(team)
    monkeypatch.setitem(app.config, 'WTF_CSRF_ENABLED', True)
    credentials = {'organization_id': str(team.manager.organization_id), 'login': team.manager.login}
    client.post(
        '/login',
        data={
            **credentials,
            'password': PASSWORD,
            'csrf_token': _csrf(client.get('/login').get_data(as_text=True)),
        },
    )
    url = f'/cabinet/approve/{resolution.id}'
    assert client.post(url, data={'folder': 'review'}).status_code == 400
    assert reload(Resolution, resolution.id).status == ResolutionStatus.draft
    token = _csrf(client.get('/cabinet/review').get_data(as_text=True))
    assert client.post(url, data={'folder': 'review', 'csrf_token': token}).status_code == 302
    assert reload(Resolution, resolution.id).status == ResolutionStatus.approved
