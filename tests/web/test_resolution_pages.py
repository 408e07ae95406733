"""Resolutions on the card page: the «Резолюции» tab with the tree and the forms of each step, the resolution form
pages (issue, draft, edit and approve, rework, sub-resolution); refused input comes back filled with the Russian
message; someone else's assignment is 403, another organization's or another card's objects 404."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from urllib.parse import unquote

from sqlalchemy import select

from edms.core.calendar import business_calendar
from edms.core.clock import local_today
from edms.core.db import db
from edms.core.tx import atomic
from edms.registry.models import Card, CardStatus
from edms.resolutions.models import (
    Assignment,
    AssignmentStatus,
    DeadlineExtension,
    ExecutionReport,
    ExtensionStatus,
    ReportStatus,
    Resolution,
    ResolutionStatus,
)
from edms.resolutions.operations import submit_report
from tests.factories import login, make_card, make_case_file, working_day
from tests.web.resolution_helpers import PDF, count, draft, issue, posted_form, reload, tab, team

__all__ = ['team']

# --- the card's tab and the resolution form ----------------------------------------------------------------------


def test_card_tab_shows_the_tree_with_signature_executors_and_deadline_explanations(client, team):
    resolution = issue(team, team.co_executor, is_controlled=True, controller_id=team.controller.id)
    login(client, team.co_executor)
    page = tab(client, team.card)
    assert 'id="pane-resolutions"' in page
    assert 'show active' in page.split('id="pane-resolutions"')[0][-80:]
    assert f'id="resolution-{resolution.id}"' in page
    assert f'Подписано простой ЭП: {team.manager.full_name}' in page
    assert 'подпись верна' in page
    assert 'Ответственнов' in page
    assert 'Ответственный исполнитель' in page
    assert 'Соисполнитель' in page
    assert 'Как рассчитан срок' in page
    assert 'Срок установлен автором резолюции датой' in page
    assert 'На контроле: Контролёрова' in page
    # The co-executor may report on his own part only; nobody else's forms are shown to him.
    assert page.count('Отчитаться об исполнении') == 1
    assert f'/assignments/{resolution.responsible.id}/report' not in page
    assert 'Снять с контроля' not in page
    assert 'Вынести резолюцию' not in page


def test_manager_issues_a_resolution_with_a_date_and_working_days(client, team):
    login(client, team.manager)
    assert 'Вынести резолюцию' in tab(client, team.card)
    form = posted_form(row_0=(team.responsible, working_day(5)), row_3=(team.co_executor, 10))
    form['responsible'] = '0'
    response = client.post(f'/cards/{team.card.id}/resolutions/new', data=form)
    assert response.status_code == 302
    resolution = db.session.execute(select(Resolution)).scalar_one()
    assert response.headers['Location'].endswith(f'/cards/{team.card.id}?tab=resolutions#resolution-{resolution.id}')
    assert resolution.status == ResolutionStatus.approved
    parts = {item.executor_id: item for item in resolution.assignments}
    assert parts[team.responsible.id].is_responsible
    assert parts[team.responsible.id].deadline == working_day(5)
    assert parts[team.co_executor.id].deadline == business_calendar().add_working_days(team.card.reg_date, 10).date
    assert 'рабочих дней' in parts[team.co_executor.id].deadline_explanation


def test_refused_resolution_comes_back_filled_with_messages_next_to_the_rows(client, team):
    login(client, team.manager)
    yesterday = local_today() - timedelta(days=1)
    form = posted_form(row_1=(team.responsible, yesterday), row_4=(team.co_executor, working_day(3)))
    form['text'] = 'Текст, который нельзя потерять'
    response = client.post(f'/cards/{team.card.id}/resolutions/new', data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'Текст, который нельзя потерять' in page
    assert 'должен быть ровно один ответственный исполнитель (отмечено: 0)' in page
    # The filled rows are renumbered: rows 1 and 4 come back as rows 0 and 1, the radio follows its row.
    response = client.post(f'/cards/{team.card.id}/resolutions/new', data={**form, 'responsible': '1'})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'«Срок исполнения (1)»: дата {yesterday:%d.%m.%Y} уже прошла.' in page
    assert f'id="ex-0-deadline" name="executors-0-deadline" value="{yesterday.isoformat()}"' in page
    assert 'value="0" id="ex-0-responsible" checked' in page
    assert re.search(rf'<option value="{team.co_executor.id}"\s+selected>', page)
    assert count(Resolution) == 0


def test_only_a_manager_gets_the_issue_form_and_only_an_assistant_the_draftform(client, team):
    login(client, team.responsible)
    assert client.get(f'/cards/{team.card.id}/resolutions/new').status_code == 403
    assert client.get(f'/cards/{team.card.id}/resolutions/draft').status_code == 403
    page = tab(client, team.card)
    assert 'Вынести резолюцию' not in page
    assert 'Подготовить проект резолюции' not in page


def test_assistant_drafts_and_the_manager_approves_it_as_is_from_the_card(client, team):
    login(client, team.assistant)
    blank = client.get(f'/cards/{team.card.id}/resolutions/draft').get_data(as_text=True)
    assert re.search(rf'<option value="{team.manager.id}"\s+selected>', blank)  # the organization's only manager
    form = posted_form(row_0=(team.responsible, working_day(5)))
    form.update(responsible='0', author_id=str(team.manager.id))
    response = client.post(f'/cards/{team.card.id}/resolutions/draft', data=form)
    assert response.status_code == 302
    resolution = db.session.execute(select(Resolution)).scalar_one()
    assert resolution.status == ResolutionStatus.draft
    assert resolution.prepared_by_id == team.assistant.id
    login(client, team.responsible)
    assert f'id="resolution-{resolution.id}"' not in tab(client, team.card)
    login(client, team.manager)
    page = tab(client, team.card)
    assert 'Утвердить как есть и подписать' in page
    assert 'Изменить и утвердить' in page
    response = client.post(f'/cards/{team.card.id}/resolutions/{resolution.id}/approve', data={'form': 'x'})
    assert response.status_code == 302
    assert reload(Resolution, resolution.id).status == ResolutionStatus.approved
    assert 'Проект резолюции утверждён' in tab(client, team.card)


def test_draft_returned_without_a_comment_comes_back_then_the_assistant_resubmits(client, team):
    resolution = draft(team)
    login(client, team.manager)
    url = f'/cards/{team.card.id}/resolutions/{resolution.id}/return'
    response = client.post(url, data={'form': f'return-{resolution.id}', 'comment': ''})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '«Комментарий»: обязательное поле.' in page
    assert '<details class="mt-2" open>\n  <summary>Вернуть помощнику на доработку' in page
    assert client.post(url, data={'comment': 'Уточните срок'}).status_code == 302
    login(client, team.assistant)
    edit = client.get(f'/cards/{team.card.id}/resolutions/{resolution.id}/edit').get_data(as_text=True)
    assert 'Комментарий руководителя: Уточните срок' in edit
    assert 'Проект ответа' in edit
    form = posted_form(row_0=(team.responsible, working_day(7)))
    form.update(responsible='0', author_id=str(team.manager.id), text='Проект ответа, доработанный')
    response = client.post(f'/cards/{team.card.id}/resolutions/{resolution.id}/edit', data=form)
    assert response.status_code == 302
    resolution = reload(Resolution, resolution.id)
    assert (resolution.status, resolution.text) == (ResolutionStatus.draft, 'Проект ответа, доработанный')
    assert [item.executor_id for item in resolution.assignments] == [team.responsible.id]


def test_manager_edits_and_approves_a_draft_from_the_prefilledform(client, team):
    resolution = draft(team)
    login(client, team.manager)
    url = f'/cards/{team.card.id}/resolutions/{resolution.id}/edit'
    page = client.get(url).get_data(as_text=True)
    assert 'Проект ответа' in page
    assert re.search(rf'<option value="{team.co_executor.id}"\s+selected>', page)
    assert 'value="0" id="ex-0-responsible" checked' in page
    form = posted_form(row_0=(team.responsible, working_day(4)))
    form.update(responsible='0', text='Ответ подготовить к сроку', is_controlled='1')
    assert client.post(url, data=form).status_code == 302
    resolution = reload(Resolution, resolution.id)
    assert resolution.status == ResolutionStatus.approved
    assert resolution.text == 'Ответ подготовить к сроку'
    assert resolution.is_controlled
    assert resolution.controller_id == team.manager.id
    login(client, team.assistant)
    assert client.get(url).status_code == 403


def test_sub_resolution_by_the_executor_of_an_assignment(client, team):
    resolution = issue(team)
    part = resolution.responsible
    login(client, team.responsible)
    url = f'/cards/{team.card.id}/assignments/{part.id}/sub-resolution'
    assert 'Вынести подчинённую резолюцию' in tab(client, team.card)
    late = posted_form(row_0=(team.subordinate, part.deadline + timedelta(days=7)))
    late['responsible'] = '0'
    page = client.post(url, data=late).get_data(as_text=True)
    assert f'не позже срока вышестоящего поручения ({part.deadline:%d.%m.%Y})' in page
    form = posted_form(row_0=(team.subordinate, part.deadline))
    form['responsible'] = '0'
    assert client.post(url, data=form).status_code == 302
    child = db.session.execute(select(Resolution).where(Resolution.parent_assignment_id == part.id)).scalar_one()
    assert child.author_id == team.responsible.id
    assert 'Подчинённая резолюция' in tab(client, team.card)
    login(client, team.co_executor)
    assert client.get(url).status_code == 403


# --- reports, extensions, control, cancel ------------------------------------------------------------------------


def test_co_executor_reports_with_a_file_and_the_responsible_accepts_it(client, team):
    resolution = issue(team, team.co_executor)
    co_part = next(item for item in resolution.assignments if not item.is_responsible)
    login(client, team.co_executor)
    url = f'/cards/{team.card.id}/assignments/{co_part.id}/report'
    empty = client.post(url, data={'form': f'report-{co_part.id}', 'text': ''})
    assert empty.status_code == 422
    assert '«Текст отчёта»: обязательное поле.' in empty.get_data(as_text=True)
    data = {'text': 'Справка подготовлена', 'files': (io.BytesIO(PDF), 'справка.pdf')}
    assert client.post(url, data=data, content_type='multipart/form-data').status_code == 302
    report = db.session.execute(select(ExecutionReport)).scalar_one()
    login(client, team.responsible)
    page = tab(client, team.card)
    assert 'Принять отчёт' in page
    assert 'справка.pdf' in page
    [file] = report.files
    download = client.get(f'/cards/{team.card.id}/reports/{report.id}/files/{file.id}')
    assert download.status_code == 200
    assert download.data == PDF
    assert 'справка.pdf' in unquote(download.headers['Content-Disposition'])
    download.close()
    assert client.post(f'/cards/{team.card.id}/reports/{report.id}/accept', data={}).status_code == 302
    assert reload(ExecutionReport, report.id).status == ReportStatus.accepted
    assert reload(Assignment, co_part.id).status == AssignmentStatus.executed


def test_returning_a_report_needs_a_comment(client, team):
    resolution = issue(team)
    with atomic():
        report = submit_report(team.responsible, resolution.responsible, {'text': 'Готово'})
    login(client, team.manager)
    url = f'/cards/{team.card.id}/reports/{report.id}/return'
    response = client.post(url, data={'form': f'decide-report-{report.id}', 'comment': ''})
    assert response.status_code == 422
    assert '«Комментарий»: обязательное поле.' in response.get_data(as_text=True)
    assert client.post(url, data={'comment': 'Приложите справку'}).status_code == 302
    assert reload(ExecutionReport, report.id).status == ReportStatus.returned


def test_executor_asks_for_an_extension_and_the_author_grants_it(client, team):
    resolution = issue(team)
    part = resolution.responsible
    login(client, team.responsible)
    url = f'/cards/{team.card.id}/assignments/{part.id}/extension'
    early = client.post(url, data={'form': f'extension-{part.id}', 'reason': 'Нужно время', 'deadline': ''})
    assert early.status_code == 422
    assert '«Новый срок»: обязательное поле.' in early.get_data(as_text=True)
    new_deadline = working_day(20)
    data = {'reason': 'Ждём ответа ведомства', 'deadline': new_deadline.isoformat()}
    assert client.post(url, data=data).status_code == 302
    extension = db.session.execute(select(DeadlineExtension)).scalar_one()
    login(client, team.manager)
    page = tab(client, team.card)
    assert 'Ждём ответа ведомства' in page
    assert 'Продлить срок' in page
    decide = f'/cards/{team.card.id}/extensions/{extension.id}/decide'
    refused = client.post(decide, data={'form': f'decide-extension-{extension.id}', 'decision': 'refuse'})
    assert refused.status_code == 422
    assert '«Комментарий»: обязательное поле.' in refused.get_data(as_text=True)
    assert client.post(decide, data={'decision': 'grant', 'comment': ''}).status_code == 302
    assert reload(DeadlineExtension, extension.id).status == ExtensionStatus.granted
    assert reload(Assignment, part.id).deadline == new_deadline


def test_controller_removes_from_control_into_a_case_and_the_card_is_executed(client, team):
    with atomic():
        case_file = make_case_file(team.card.organization)
    resolution = issue(team, is_controlled=True, controller_id=team.controller.id)
    with atomic():
        submit_report(team.responsible, resolution.responsible, {'text': 'Исполнено'})
    login(client, team.controller)
    report = db.session.execute(select(ExecutionReport)).scalar_one()
    assert client.post(f'/cards/{team.card.id}/reports/{report.id}/accept', data={}).status_code == 302
    url = f'/cards/{team.card.id}/resolutions/{resolution.id}/close-control'
    refused = client.post(url, data={'form': f'close-{resolution.id}', 'execution_mark': '', 'case_file_id': 'x'})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert '«Отметка об исполнении»: обязательное поле.' in page
    assert '«Дело»: ожидается целое число.' in page
    data = {'execution_mark': 'Ответ направлен', 'case_file_id': str(case_file.id)}
    assert client.post(url, data=data).status_code == 302
    assert reload(Resolution, resolution.id).status == ResolutionStatus.executed
    assert reload(Card, team.card.id).status == CardStatus.filed
    page = tab(client, team.card)
    assert 'Исполнено' in page
    assert 'Отметка об исполнении: Ответ направлен' in page


def test_author_cancels_a_resolution_with_a_reason(client, team):
    resolution = issue(team)
    login(client, team.manager)
    url = f'/cards/{team.card.id}/resolutions/{resolution.id}/cancel'
    assert client.post(url, data={'form': f'cancel-{resolution.id}', 'reason': ''}).status_code == 422
    assert client.post(url, data={'reason': 'Ошибочная резолюция'}).status_code == 302
    assert reload(Resolution, resolution.id).status == ResolutionStatus.cancelled
    assert 'Отменена' in tab(client, team.card)


# --- access ------------------------------------------------------------------------------------------------------


def test_someone_elses_assignment_is_403_and_another_organizations_is_404(client, team):
    resolution = issue(team, team.co_executor)
    part = resolution.responsible
    login(client, team.co_executor)
    assert client.post(f'/assignments/{part.id}/report', data={'text': 'Чужой отчёт'}).status_code == 403
    on_card = f'/cards/{team.card.id}/assignments/{part.id}/report'
    assert client.post(on_card, data={'text': 'Чужой отчёт'}).status_code == 403
    assert client.post(f'/cards/{team.card.id}/resolutions/{resolution.id}/approve').status_code == 403
    login(client, team.stranger)
    assert client.post(f'/assignments/{part.id}/report', data={'text': 'x'}).status_code == 404
    assert client.post(on_card, data={'text': 'x'}).status_code == 404
    assert client.post(f'/cabinet/approve/{resolution.id}').status_code == 404
    # Another card of the stranger's own organization does not open this card's objects either.
    wrong_card = f'/cards/{team.stranger_card.id}/assignments/{part.id}/report'
    assert client.post(wrong_card, data={'text': 'x'}).status_code == 404
    assert count(ExecutionReport) == 0


def test_objects_of_another_card_are_not_found_under_this_card(client, team):
    resolution = issue(team)
    with atomic():
        other_card = make_card(team.clerk)
    login(client, team.manager)
    response = client.post(f'/cards/{other_card.id}/resolutions/{resolution.id}/cancel', data={'reason': 'x'})
    assert response.status_code == 404
    assert reload(Resolution, resolution.id).status == ResolutionStatus.approved
