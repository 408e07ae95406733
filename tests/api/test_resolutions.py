"""Resolutions over the JSON API with the tokens of the manager, the assistant, the executors and the controller:
the whole life cycle, the drafts' detours, sub-resolutions and extensions, bad input with Russian messages, 403 for
someone else's step, 404 for another organization, report files up and down; answers match the OpenAPI schemas."""

from __future__ import annotations

from io import BytesIO

import pytest
from werkzeug.datastructures import FileStorage

from edms.core.tx import atomic
from edms.directory.models import Organization
from tests.api.conftest import PDF_BYTES, api_user
from tests.api.resolution_team import Team, build_team, call, issued, ok, part, upload_report
from tests.api.schema_check import SchemaChecker
from tests.factories import executor_item, make_organization, resolution_data, working_day


@pytest.fixture
def team(org: Organization) -> Team:
    return build_team(org)


def test_assistant_drafts_and_the_manager_approves_it_from_the_cabinet(client, team):
    check = SchemaChecker(client)
    data = resolution_data(team.responsible.user, team.co_executor.user, author_id=team.manager.user.id)
    data.update(draft=True, is_controlled=True, controller_id=team.controller.user.id)
    response = call(client, team.assistant, f'/api/v1/cards/{team.card_id}/resolutions', data)
    draft = ok(response, 201)
    check.check(draft, 'ResolutionNode')
    assert response.headers['Location'] == f'/api/v1/resolutions/{draft["id"]}' == draft['url']
    assert (draft['status'], draft['signature'], draft['actions']) == ('draft', None, ['update_draft'])
    assert (draft['author']['id'], draft['prepared_by']['id']) == (team.manager.user.id, team.assistant.user.id)
    assert call(client, team.responsible, draft['url'], method='GET').status_code == 404
    assert ok(call(client, team.responsible, '/api/v1/assignments', method='GET'))['items'] == []

    cabinet = ok(call(client, team.manager, '/api/v1/cabinet', method='GET'))
    check.check(cabinet, 'Cabinet')
    counts = {folder['key']: folder['count'] for folder in cabinet['folders']}
    assert (counts['review'], counts['sign'], counts['control']) == (1, 1, 0)
    folder = ok(call(client, team.manager, '/api/v1/cabinet/review', method='GET'))
    check.check(folder, 'FolderPage')
    assert [item['resolution']['id'] for item in folder['items']] == [draft['id']]
    assert folder['items'][0]['card']['id'] == team.card_id

    approved = ok(call(client, team.manager, f'{draft["url"]}/approve'))
    check.check(approved, 'ResolutionNode')
    assert approved['status'] == 'approved'
    assert approved['signature'] | {'signed_at': None, 'digest': None} == {
        'method': 'simple',
        'signed_by_id': team.manager.user.id,
        'signed_at': None,
        'digest': None,
        'valid': True,
    }
    main = part(approved, team.responsible)
    assert (main['status'], main['is_responsible'], main['reports']) == ('in_work', True, [])
    assert 'Срок установлен автором резолюции датой' in main['deadline_explanation']
    mine = ok(call(client, team.responsible, '/api/v1/assignments', method='GET'))
    check.check(mine, 'MyAssignments')
    assert [item['id'] for item in mine['items']] == [main['id']]
    assert (mine['counts']['open'], mine['items'][0]['card']['id']) == (1, team.card_id)
    assert ok(call(client, team.manager, '/api/v1/cabinet/control', method='GET'))['total'] == 1


def test_reports_with_files_are_decided_and_the_controller_files_the_card(client, team):
    check = SchemaChecker(client)
    node = issued(client, team, is_controlled=True, controller_id=team.controller.user.id)
    main, co = part(node, team.responsible), part(node, team.co_executor)
    files = [FileStorage(BytesIO(PDF_BYTES), 'справка.pdf'), FileStorage(BytesIO(b'plain text\n'), 'note.txt')]
    response = upload_report(client, team.co_executor, co['id'], {'text': 'Сведения подготовлены', 'files': files})
    report = ok(response, 201)
    check.check(report, 'Report')
    assert response.headers['Location'] == report['url']
    assert (report['addressed_to'], report['addressee']['id']) == ('responsible', team.responsible.user.id)
    assert [(f['filename'], f['content_type']) for f in report['files']] == [
        ('справка.pdf', 'application/pdf'),
        ('note.txt', 'text/plain'),
    ]
    with client.get(report['files'][0]['download_url'], headers=team.responsible.headers) as download:
        assert (download.status_code, download.data, download.mimetype) == (200, PDF_BYTES, 'application/pdf')
        assert download.headers['Content-Disposition'].startswith('attachment')
        assert (
            "filename*=UTF-8''%D1%81%D0%BF%D1%80%D0%B0%D0%B2%D0%BA%D0%B0.pdf" in download.headers['Content-Disposition']
        )
    assert ok(call(client, team.responsible, f'{report["url"]}/accept'))['status'] == 'accepted'
    assert ok(call(client, team.co_executor, co['url'], method='GET'))['status'] == 'executed'

    first = ok(
        call(client, team.responsible, f'/api/v1/assignments/{main["id"]}/reports', {'text': 'Ответ готов'}), 201
    )
    assert (first['addressed_to'], first['actions']) == ('controller', [])
    returned = ok(call(client, team.controller, f'{first["url"]}/return', {'comment': 'Приложите ответ'}))
    assert (returned['status'], returned['decision_comment']) == ('returned', 'Приложите ответ')
    assert ok(call(client, team.responsible, main['url'], method='GET'))['status'] == 'in_work'
    second = ok(
        call(client, team.responsible, f'/api/v1/assignments/{main["id"]}/reports', {'text': 'Ответ № 15'}), 201
    )
    assert ok(call(client, team.controller, f'{second["url"]}/accept', {'comment': 'Принято'}))['status'] == 'accepted'

    mark = {'execution_mark': 'Исполнено, ответ № 15', 'case_file_id': team.case_file_id}
    closed = ok(call(client, team.controller, f'{node["url"]}/close-control', mark))
    assert (closed['status'], closed['execution_mark']) == ('executed', 'Исполнено, ответ № 15')
    assert closed['control_closed_by_id'] == team.controller.user.id
    card = ok(call(client, team.clerk, f'/api/v1/cards/{team.card_id}', method='GET'))
    assert (card['status'], card['case_file_id']) == ('filed', team.case_file_id)
    tree = ok(call(client, team.manager, f'/api/v1/cards/{team.card_id}/resolutions', method='GET'))
    check.check(tree, 'ResolutionTree')
    assert [item['status'] for item in tree['items']] == ['executed']
    work = ok(call(client, team.responsible, main['url'], method='GET'))
    check.check(work, 'AssignmentWork')
    assert [item['status'] for item in work['reports']] == ['returned', 'accepted']
    assert (work['resolution']['id'], work['card']['id']) == (node['id'], team.card_id)


def test_returned_draft_is_resubmitted_and_approved_with_the_managers_edits(client, team):
    data = resolution_data(team.responsible.user, author_id=team.manager.user.id)
    draft = ok(call(client, team.assistant, f'/api/v1/cards/{team.card_id}/resolutions', {**data, 'draft': True}), 201)
    returned = ok(call(client, team.manager, f'{draft["url"]}/return', {'comment': 'Укажите срок в рабочих днях'}))
    assert (returned['status'], returned['return_comment']) == ('returned', 'Укажите срок в рабочих днях')
    refused = call(client, team.manager, f'{draft["url"]}/approve')
    assert (refused.status_code, refused.get_json()['error']['code']) == (409, 'resolution_state_conflict')

    data['executors'] = [executor_item(team.responsible.user, responsible=True, days=10)]
    resubmitted = ok(call(client, team.assistant, f'{draft["url"]}/resubmit', data))
    assert (resubmitted['status'], resubmitted['return_comment']) == ('draft', None)
    assert 'рабочих дн' in resubmitted['assignments'][0]['deadline_explanation']

    edited = resolution_data(team.co_executor.user, team.responsible.user, text='Подготовить ответ, доложить')
    approved = ok(call(client, team.manager, f'{draft["url"]}/approve', {**edited, 'signature': {'method': 'simple'}}))
    assert (approved['status'], approved['text']) == ('approved', 'Подготовить ответ, доложить')
    assert part(approved, team.co_executor)['is_responsible'] is True


def test_sub_resolution_goes_deeper_and_an_extension_moves_the_deadline(client, team):
    node = issued(client, team)
    main = part(node, team.responsible)
    sub_url = f'/api/v1/assignments/{main["id"]}/sub-resolutions'
    elsewhere = call(client, team.responsible, sub_url, resolution_data(team.outsider.user))
    assert '«Департамент» или в подчинённом' in elsewhere.get_json()['error']['fields']['executors.0.user_id']
    too_late = resolution_data(team.subordinate.user)
    too_late['executors'][0]['deadline'] = working_day(20).isoformat()
    refused = call(client, team.responsible, sub_url, too_late).get_json()['error']['fields']
    assert 'не позже срока вышестоящего поручения' in refused['executors.0.deadline']
    sub = resolution_data(team.subordinate.user)
    sub['executors'][0]['deadline'] = working_day(5).isoformat()
    response = call(client, team.responsible, sub_url, sub)
    child = ok(response, 201)
    assert (child['parent_assignment_id'], child['author']['id']) == (main['id'], team.responsible.user.id)
    tree = ok(call(client, team.manager, f'/api/v1/cards/{team.card_id}/resolutions', method='GET'))
    [below] = part(tree['items'][0], team.responsible)['sub_resolutions']
    assert (below['id'], below['depth']) == (child['id'], 1)

    later = working_day(15).isoformat()
    asked = call(
        client, team.responsible, f'/api/v1/assignments/{main["id"]}/extensions', {'reason': 'Ждём', 'deadline': later}
    )
    extension = ok(asked, 201)
    SchemaChecker(client).check(extension, 'Extension')
    assert asked.headers['Location'] == extension['url']
    assert call(client, team.manager, extension['url'], method='GET').get_json()['actions'] == ['grant', 'refuse']
    decided = ok(call(client, team.manager, f'{extension["url"]}/decide', {'decision': 'grant', 'comment': ''}))
    assert (decided['status'], decided['decided_by_id']) == ('granted', team.manager.user.id)
    work = ok(call(client, team.responsible, main['url'], method='GET'))
    assert (work['deadline'], work['initial_deadline']) == (later, main['deadline'])
    assert [item['status'] for item in work['extensions']] == ['granted']
    assert [item['id'] for item in work['sub_resolutions']] == [child['id']]


def test_the_author_cancels_and_the_executors_lists_empty(client, team):
    node = issued(client, team)
    cancelled = ok(call(client, team.manager, f'{node["url"]}/cancel', {'reason': 'Ошибочная резолюция'}))
    assert (cancelled['status'], cancelled['cancel_reason']) == ('cancelled', 'Ошибочная резолюция')
    assert {item['status'] for item in cancelled['assignments']} == {'cancelled'}
    assert ok(call(client, team.responsible, '/api/v1/assignments', method='GET'))['items'] == []


BAD_RESOLUTIONS = [
    ({'color': 'red'}, 'color', 'Неизвестное поле «color»'),
    ({'text': ''}, 'text', '«Текст резолюции»: обязательное поле'),
    ({'executors': []}, 'executors', 'укажите хотя бы одного исполнителя'),
    ({'executors': 'все'}, 'executors', 'ожидается список исполнителей'),
    ({'executors': [{'user_id': 'x', 'responsible': True, 'deadline': '2030-01-01'}]}, 'executors.0.user_id', 'целое'),
    ({'executors': [{'user_id': 1, 'responsible': True}]}, 'executors.0.deadline', 'обязательное поле'),
    ({'author_id': 1}, 'author_id', 'Неизвестное поле «author_id»'),
    ({'controller_id': 1}, 'controller_id', 'только для резолюции на контроле'),
]


@pytest.mark.parametrize(('overrides', 'field', 'message'), BAD_RESOLUTIONS)
def test_bad_resolution_input_is_422_naming_the_field(client, team, overrides, field, message):
    data = {**resolution_data(team.responsible.user), **overrides}
    response = call(client, team.manager, f'/api/v1/cards/{team.card_id}/resolutions', data)
    assert response.status_code == 422
    assert message in response.get_json()['error']['fields'][field]


def test_rules_needing_the_database_are_422_and_nothing_is_half_saved(client, team):
    stranger = api_user(make_foreign_org(), 'executor')
    cases = [
        (resolution_data(team.responsible.user, team.co_executor.user), 1, 'executors', 'ровно один'),
        (resolution_data(stranger.user), 0, 'executors.0.user_id', 'пользователь не найден в организации'),
        (resolution_data(team.responsible.user), 0, 'executors.0.deadline', 'уже прошла'),
    ]
    cases[0][0]['executors'][1]['responsible'] = True
    cases[2][0]['executors'][0]['deadline'] = '2020-01-09'
    for data, _, field, message in cases:
        response = call(client, team.manager, f'/api/v1/cards/{team.card_id}/resolutions', data)
        assert response.status_code == 422, response.get_json()
        assert message in response.get_json()['error']['fields'][field], (field, response.get_json())
    tree = ok(call(client, team.manager, f'/api/v1/cards/{team.card_id}/resolutions', method='GET'))
    assert tree['items'] == []
    card = ok(call(client, team.clerk, f'/api/v1/cards/{team.card_id}', method='GET'))
    assert card['status'] == 'registered'


def make_foreign_org() -> Organization:
    with atomic():
        return make_organization('Другое ведомство')


def test_request_level_mistakes_have_their_own_answers(client, team):
    url = f'/api/v1/cards/{team.card_id}/resolutions'
    data = resolution_data(team.responsible.user, author_id=team.manager.user.id)
    signed_draft = call(client, team.assistant, url, {**data, 'draft': True, 'signature': {'method': 'simple'}})
    assert 'не подписывается' in signed_draft.get_json()['error']['fields']['signature']
    bad_signature = call(client, team.manager, url, {**resolution_data(team.responsible.user), 'signature': 'ЭП'})
    assert 'signature' in bad_signature.get_json()['error']['fields']
    qualified = call(
        client, team.manager, url, {**resolution_data(team.responsible.user), 'signature': {'method': 'qualified'}}
    )
    assert (qualified.status_code, qualified.get_json()['error']['code']) == (422, 'validation_failed')
    assert set(qualified.get_json()['error']['fields']) == {'certificate_id', 'password'}
    not_json = client.post(url, data='text=1', headers=team.manager.headers, content_type='text/plain')
    assert (not_json.status_code, not_json.get_json()['error']['code']) == (415, 'unsupported_media_type')
    bad_filter = call(client, team.responsible, '/api/v1/assignments?filter=завтра', method='GET')
    assert 'допустимо: open, due_soon' in bad_filter.get_json()['error']['fields']['filter']
    bad_page = call(client, team.manager, '/api/v1/cabinet/review?page=0&sort=id', method='GET')
    assert set(bad_page.get_json()['error']['fields']) == {'page', 'sort'}
    huge = call(client, team.manager, '/api/v1/resolutions/99999999999999999999', method='GET')
    assert (huge.status_code, huge.get_json()['error']['code']) == (404, 'not_found')  # beyond any id: no route
    folder = call(client, team.manager, '/api/v1/cabinet/inbox', method='GET')
    assert (folder.status_code, folder.get_json()['error']['code']) == (404, 'folder_not_found')
    assert ok(call(client, team.manager, url, method='GET'))['items'] == []


def test_someone_elses_step_is_403_with_a_russian_message(client, team):
    data = resolution_data(team.responsible.user, team.co_executor.user, author_id=team.manager.user.id)
    draft = ok(call(client, team.assistant, f'/api/v1/cards/{team.card_id}/resolutions', {**data, 'draft': True}), 201)
    node = issued(client, team)
    main, co = part(node, team.responsible), part(node, team.co_executor)
    report = ok(call(client, team.co_executor, f'/api/v1/assignments/{co["id"]}/reports', {'text': 'Готово'}), 201)
    attempts = [
        (team.other_manager, f'{draft["url"]}/approve', None, 'адресован другому руководителю'),
        (
            team.assistant,
            f'/api/v1/cards/{team.card_id}/resolutions',
            resolution_data(team.responsible.user),
            'руководитель',
        ),
        (team.co_executor, f'/api/v1/assignments/{main["id"]}/reports', {'text': 'Чужой отчёт'}, 'другого исполнителя'),
        (team.co_executor, f'{report["url"]}/accept', None, 'адресат отчёта'),
        (team.responsible, f'{node["url"]}/cancel', {'reason': 'x'}, 'только её автор'),
        (team.controller, f'{node["url"]}/close-control', {'execution_mark': 'x'}, 'только её контролёр'),
        (team.manager, f'{draft["url"]}/resubmit', data, 'помощник, который его подготовил'),
    ]
    for who, url, body, message in attempts:
        response = call(client, who, url, body)
        assert response.status_code == 403, (url, response.get_json())
        assert message in response.get_json()['error']['message'], url
    assert ok(call(client, team.responsible, report['url'], method='GET'))['status'] == 'submitted'


def test_another_organization_gets_404_for_every_resolution_object(client, team):
    node = issued(client, team)
    main = part(node, team.responsible)
    files = [FileStorage(BytesIO(PDF_BYTES), 'a.pdf')]
    report = ok(upload_report(client, team.responsible, main['id'], {'text': 'Готово', 'files': files}), 201)
    later = working_day(15).isoformat()
    extension = ok(
        call(
            client,
            team.co_executor,
            f'/api/v1/assignments/{part(node, team.co_executor)["id"]}/extensions',
            {'reason': 'x', 'deadline': later},
        ),
        201,
    )
    stranger = api_user(
        make_foreign_org(), 'manager', 'executor', 'controller', 'assistant', can_access_restricted=True
    )
    urls = [
        ('GET', node['url']),
        ('GET', f'/api/v1/cards/{team.card_id}/resolutions'),
        ('POST', f'{node["url"]}/cancel'),
        ('GET', main['url']),
        ('POST', f'/api/v1/assignments/{main["id"]}/sub-resolutions'),
        ('GET', report['url']),
        ('POST', f'{report["url"]}/accept'),
        ('GET', report['files'][0]['download_url']),
        ('GET', extension['url']),
        ('POST', f'{extension["url"]}/decide'),
    ]
    for method, url in urls:
        response = call(client, stranger, url, {'reason': 'x', 'decision': 'grant'}, method=method)
        assert response.status_code == 404, (method, url, response.get_json())
    assert ok(call(client, stranger, '/api/v1/assignments?filter=all', method='GET'))['items'] == []
    folders = ok(call(client, stranger, '/api/v1/cabinet', method='GET'))['folders']
    assert {folder['count'] for folder in folders} == {0}


def test_refused_report_files_and_fields_store_nothing(client, team):
    main = part(issued(client, team), team.responsible)
    executable = [FileStorage(BytesIO(b'MZ\x90\x00' + bytes(64)), 'setup.exe')]
    refused = upload_report(client, team.responsible, main['id'], {'text': 'Отчёт', 'files': executable})
    assert refused.status_code == 422
    assert 'тип файла «setup.exe» не разрешён' in refused.get_json()['error']['fields']['files']
    unknown = upload_report(client, team.responsible, main['id'], {'text': 'Отчёт', 'file': executable[0]})
    assert 'Неизвестное поле «file»' in unknown.get_json()['error']['fields']['file']
    empty = upload_report(client, team.responsible, main['id'], {'files': [FileStorage(BytesIO(PDF_BYTES), 'a.pdf')]})
    assert '«Текст отчёта»: обязательное поле' in empty.get_json()['error']['fields']['text']
    assert ok(call(client, team.responsible, main['url'], method='GET'))['reports'] == []
    missing = call(client, team.responsible, '/api/v1/reports/999999/files/1', method='GET')
    assert (missing.status_code, missing.get_json()['error']['code']) == (404, 'report_not_found')


def test_state_conflicts_are_409(client, team):
    node = issued(client, team)
    co = part(node, team.co_executor)
    report = ok(call(client, team.co_executor, f'/api/v1/assignments/{co["id"]}/reports', {'text': 'Готово'}), 201)
    again = call(client, team.co_executor, f'/api/v1/assignments/{co["id"]}/reports', {'text': 'Ещё'})
    assert (again.status_code, 'уже направлен' in again.get_json()['error']['message']) == (409, True)
    ok(call(client, team.responsible, f'{report["url"]}/accept'))
    closed = call(client, team.co_executor, f'/api/v1/assignments/{co["id"]}/reports', {'text': 'Ещё'})
    assert (closed.status_code, closed.get_json()['error']['code']) == (409, 'assignment_closed')
    twice = call(client, team.responsible, f'{report["url"]}/return', {'comment': 'Нет'})
    assert twice.status_code == 409
    approve_issued = call(client, team.manager, f'{node["url"]}/approve')
    assert approve_issued.status_code == 409
