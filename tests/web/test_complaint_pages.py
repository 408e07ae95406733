"""Complaint pages: the application pages of both sides show the missed deadlines (or that none were found) and the
complaints; «Подать жалобу» suggests the kind of the missed term, a refused form comes back filled with the messages,
a filed complaint shows its term; «Мои жалобы», the agency's «Жалобы» with the overdue marked, «Нарушены сроки», the
decision form; another applicant's or agency's application or complaint is a 404."""

from __future__ import annotations

from datetime import date, timedelta

from flask import render_template_string
from sqlalchemy import select, update

from edms.citizen_services.models import Application
from edms.citizen_services.models.complaints import Complaint, ComplaintStatus
from edms.citizen_services.operations.complaints import file_complaint
from edms.core.db import db
from edms.core.tx import atomic
from edms.registry.models import Card
from tests.citizen_services.conftest import World, world  # noqa: F401  (the workflow tests' fixture)
from tests.factories import login

TEXT = 'Решение по заявлению не принято в срок.'


def overdue(application: Application) -> None:
    with atomic():
        db.session.execute(
            update(Application)
            .where(Application.id == application.id)
            .values(deadline=application.deadline - timedelta(days=60))
        )
    db.session.expire_all()


def filed(world: World, application: Application, kind: str = 'service_term') -> Complaint:  # noqa: F811
    with atomic():
        return file_complaint(world.applicant, application, {'kind': kind, 'text': TEXT})


def test_the_applicants_page_shows_no_violation_and_the_complaint_button(client, world: World) -> None:  # noqa: F811
    application = world.file()
    login(client, world.applicant)
    html = client.get(f'/applications/{application.id}').get_data(as_text=True)
    assert 'id="no-missed-deadlines"' in html
    assert f'/applications/{application.id}/complaint' in html


def test_a_missed_term_is_shown_on_both_sides_and_suggested(client, world: World) -> None:  # noqa: F811
    application = world.file()
    overdue(application)
    login(client, world.applicant)
    html = client.get(f'/applications/{application.id}').get_data(as_text=True)
    assert 'Нарушен срок предоставления услуги' in html
    form = client.get(f'/applications/{application.id}/complaint').get_data(as_text=True)
    assert 'id="kind-service_term" value="service_term"\n             checked' in form
    assert 'выявлено нарушение' in form
    client.post('/logout')
    login(client, world.executor)
    agency = client.get(f'/agency/applications/{application.id}').get_data(as_text=True)
    assert 'Нарушен срок предоставления услуги' in agency
    assert 'id="file-complaint"' not in agency
    missed = client.get('/agency/missed-deadlines').get_data(as_text=True)
    assert application.number in missed


def test_a_refused_complaint_comes_back_filled(client, world: World) -> None:  # noqa: F811
    application = world.file()
    login(client, world.applicant)
    response = client.post(f'/applications/{application.id}/complaint', data={'kind': 'extra_fee', 'text': ''})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '«Текст жалобы»: обязательное поле.' in html
    assert 'id="kind-extra_fee" value="extra_fee"\n             checked' in html
    response = client.post(f'/applications/{application.id}/complaint', data={'kind': 'nonsense', 'text': TEXT})
    assert response.status_code == 422
    assert TEXT in response.get_data(as_text=True)
    assert db.session.execute(select(Complaint)).first() is None


def test_filing_shows_the_complaint_with_its_term(client, world: World) -> None:  # noqa: F811
    application = world.file()
    login(client, world.applicant)
    response = client.post(
        f'/applications/{application.id}/complaint', data={'kind': 'typos_not_corrected', 'text': TEXT}
    )
    assert response.status_code == 302
    complaint = db.session.execute(select(Complaint)).scalar_one()
    html = client.get(response.headers['Location']).get_data(as_text=True)
    assert f'Жалоба № {complaint.number} зарегистрирована' in html
    assert 'в течение 5 рабочих дней' in html
    assert 'id="complaint-card"' not in html  # the card is the agency's
    assert complaint.number in client.get('/complaints').get_data(as_text=True)
    assert complaint.number in client.get(f'/applications/{application.id}').get_data(as_text=True)


def test_the_agency_lists_marks_the_overdue_and_decides(client, world: World) -> None:  # noqa: F811
    complaint = filed(world, world.file())
    late = filed(world, world.file())
    with atomic():
        db.session.execute(update(Complaint).where(Complaint.id == late.id).values(deadline=date(2026, 1, 12)))
    login(client, world.executor)
    html = client.get('/agency/complaints').get_data(as_text=True)
    rows = html.split('<tbody>')[1].split('</tr>')
    assert [late.number in row for row in rows if 'complaint-overdue' in row] == [True]
    assert complaint.number in html
    page = client.get(f'/complaints/{complaint.id}').get_data(as_text=True)
    assert 'id="complaint-card"' in page
    refused = client.post(f'/complaints/{complaint.id}/decision', data={'decision': 'rejected', 'text': ''})
    assert refused.status_code == 422
    assert '«Причины отказа»: обязательное поле.' in refused.get_data(as_text=True)
    done = client.post(f'/complaints/{complaint.id}/decision', data={'decision': 'upheld', 'text': 'Услуга оказана.'})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Complaint, complaint.id).status == ComplaintStatus.upheld
    again = client.post(f'/complaints/{complaint.id}/decision', data={'decision': 'rejected', 'text': 'Нет.'})
    assert again.status_code == 409


def test_other_peoples_applications_and_complaints_are_not_found(client, world: World) -> None:  # noqa: F811
    application = world.file()
    complaint = filed(world, application)
    login(client, world.other_applicant)
    assert client.get(f'/applications/{application.id}/complaint').status_code == 404
    response = client.post(f'/applications/{application.id}/complaint', data={'kind': 'extra_fee', 'text': TEXT})
    assert response.status_code == 404
    assert client.get(f'/complaints/{complaint.id}').status_code == 404
    client.post('/logout')
    login(client, world.tax_executor)
    assert client.get(f'/complaints/{complaint.id}').status_code == 404
    decided = client.post(f'/complaints/{complaint.id}/decision', data={'decision': 'upheld', 'text': 'Да.'})
    assert decided.status_code == 404
    assert complaint.number not in client.get('/agency/complaints').get_data(as_text=True)
    assert application.number not in client.get('/agency/missed-deadlines').get_data(as_text=True)


def test_the_applicant_has_no_agency_lists(client, world: World) -> None:  # noqa: F811
    login(client, world.applicant)
    assert client.get('/agency/complaints').status_code == 403
    assert client.get('/agency/missed-deadlines').status_code == 403
    assert client.get('/agency/missed-deadlines?page=x').status_code == 403


def test_the_card_page_block_shows_the_complaints_own_term(app, world: World) -> None:  # noqa: F811
    complaint = filed(world, world.file(), 'documents_refused')
    card = db.session.get(Card, complaint.card_id)
    with app.test_request_context('/'):
        html = render_template_string("{% include 'complaints/_card_complaint.html' %}", card=card)
        application_card = db.session.get(Card, complaint.application.card_id)
        other = render_template_string("{% include 'complaints/_card_complaint.html' %}", card=application_card)
    assert f'№ {complaint.number}' in html
    assert f'Срок рассмотрения — <strong>{complaint.deadline:%d.%m.%Y}</strong>' in html
    assert 'в течение 5 рабочих дней' in html
    assert other.strip() == ''


def test_the_complaints_card_shows_its_own_term_instead_of_59_fz(client, world: World) -> None:  # noqa: F811
    complaint = filed(world, world.file(), 'documents_refused')
    login(client, world.clerk)
    html = client.get(f'/cards/{complaint.card_id}').get_data(as_text=True)
    assert 'id="card-complaint"' in html
    assert f'Срок рассмотрения — <strong>{complaint.deadline:%d.%m.%Y}</strong>' in html
    assert 'id="appeal-deadlines"' not in html
