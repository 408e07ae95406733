"""The stay registration's life in the browser: the applicant's section (period, days left, «Продлить регистрацию»,
«Снять с учёта досрочно»), the extension form (filed, or back filled with the messages next to their fields), the
request to end early, the agency's section and annulment form (signed with the official's certificate; without one
the form is not offered); another organization's or applicant's application is not found on these routes."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from edms.citizen_services.models import Application
from edms.citizen_services.operations import approve, file_application
from edms.citizen_services.operations.stay import annul
from edms.core.clock import local_today
from edms.core.db import db
from edms.core.tx import atomic
from scripts.make_test_pki import TestPki
from tests.citizen_services import annulment_signer, samples
from tests.citizen_services import conftest as services
from tests.citizen_services.annulment_signer import PASSWORD, Signer
from tests.citizen_services.conftest import PDF_BYTES, TEMPORARY_FILES, World, pdf
from tests.citizen_services.test_stay_lifecycle import DURING, END, approved, on_day
from tests.factories import login
from tests.signatures import conftest as signatures
from tests.web.test_application_pages import CONSENT, signed_consent

#: The citizen-services fixtures (the agencies, the portal, the MFC) and the session's test PKI, shared.
world, test_pki, trusted = services.world, signatures.test_pki, services.trusted
signer = annulment_signer.signer  # the executor with a certificate for the annulment's notice


def stored(application_id: int) -> Application:
    db.session.expire_all()
    application = db.session.get(Application, application_id)
    assert application is not None
    return application


def test_the_applicants_section_shows_the_period_days_left_and_the_actions(
    client,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    application = approved(world)
    on_day(monkeypatch, END - timedelta(days=2))
    login(client, world.applicant)
    html = client.get(f'/applications/{application.id}').get_data(as_text=True)
    assert 'Срок регистрации' in html
    assert 'с 10.03.2026 по 07.06.2026' in html
    assert 'осталось 3 дня' in html
    assert 'Продлить регистрацию' in html
    assert 'Снять с учёта досрочно' in html


def test_an_expired_registration_offers_the_extension_only(
    client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    application = approved(world)
    on_day(monkeypatch, END + timedelta(days=1))
    login(client, world.applicant)
    html = client.get(f'/applications/{application.id}').get_data(as_text=True)
    assert 'Срок действия истёк' in html
    assert 'Продлить регистрацию' in html
    assert 'Снять с учёта досрочно' not in html
    form = client.get(f'/stay/applications/{application.id}/extend')
    assert form.status_code == 200
    assert 'Новый срок начнётся со дня подачи заявления' in form.get_data(as_text=True)


def test_an_annulled_registration_offers_nothing(
    client, world: World, monkeypatch: pytest.MonkeyPatch, signer: Signer
) -> None:
    application = approved(world)
    on_day(monkeypatch, DURING)
    with atomic():
        annul(signer.user, application, 'owner_withdrawal', **signer.credentials)
    login(client, world.applicant)
    assert 'Продлить регистрацию' not in client.get(f'/applications/{application.id}').get_data(as_text=True)
    refused = client.get(f'/stay/applications/{application.id}/extend')
    assert refused.status_code == 409
    assert 'Продлить регистрацию нельзя: регистрация аннулирована.' in refused.get_data(as_text=True)


def test_the_extension_form_comes_back_filled_and_then_files(
    client,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    application = approved(world)
    on_day(monkeypatch, DURING)
    login(client, world.applicant)
    assert 'Новая дата окончания' in client.get(f'/stay/applications/{application.id}/extend').get_data(as_text=True)
    wrong = client.post(f'/stay/applications/{application.id}/extend', data={'end_date': '31.12.2026'})
    assert wrong.status_code == 422
    html = wrong.get_data(as_text=True)
    assert 'value="31.12.2026"' in html
    assert '«Дата окончания регистрации»: срок пребывания не более 90 дней' in html
    assert '«Согласие собственника помещения»' in html
    consent = (io.BytesIO(PDF_BYTES + b'consent'), 'consent.pdf')
    form = {'end_date': '01.08.2026', 'attachments.owner_consent': consent}
    response = client.post(f'/stay/applications/{application.id}/extend', data=form)
    # The browser has no qualified signature of the owner here: the form names the missing signature, filled.
    assert response.status_code == 422
    assert '«Подпись собственника под согласием»' in response.get_data(as_text=True)
    assert 'value="01.08.2026"' in response.get_data(as_text=True)


def test_the_early_end_request_and_its_repetition(client, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    application = approved(world)
    on_day(monkeypatch, DURING)
    login(client, world.applicant)
    long = client.post(f'/stay/applications/{application.id}/early-end', data={'comment': 'я' * 5000})
    assert long.status_code == 422
    assert '«Комментарий»' in long.get_data(as_text=True)
    response = client.post(f'/stay/applications/{application.id}/early-end', data={'comment': 'Уезжаю'})
    assert response.status_code == 302
    assert stored(application.id).early_end_comment == 'Уезжаю'
    again = client.post(f'/stay/applications/{application.id}/early-end', data={'comment': ''})
    assert again.status_code == 409
    assert 'уже подано' in again.get_data(as_text=True)


def test_the_agency_annuls_with_a_reason_and_the_applicant_sees_it(
    client,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    signer: Signer,
) -> None:
    application = approved(world)
    on_day(monkeypatch, DURING)
    login(client, signer.user)
    html = client.get(f'/agency/applications/{application.id}').get_data(as_text=True)
    assert 'Срок действия результата' in html
    assert 'Причина аннулирования' in html
    assert 'Пароль к контейнеру ключа' in html
    credentials = {'certificate_id': str(signer.certificate_id), 'password': PASSWORD}
    empty = client.post(f'/stay/agency/{application.id}/annul', data={'reason': '', 'comment': 'Суд', **credentials})
    assert empty.status_code == 422
    assert '«Причина аннулирования»: выберите причину из перечня' in empty.get_data(as_text=True)
    assert 'Суд</textarea>' in empty.get_data(as_text=True)
    no_password = client.post(f'/stay/agency/{application.id}/annul', data={'reason': 'court_decision'})
    assert no_password.status_code == 422
    assert '«Пароль к контейнеру ключа»: введите пароль.' in no_password.get_data(as_text=True)
    assert stored(application.id).result_state == 'valid'
    data = {'reason': 'court_decision', 'comment': 'Суд', **credentials}
    done = client.post(f'/stay/agency/{application.id}/annul', data=data)
    assert done.status_code == 302
    assert stored(application.id).result_state == 'annulled'
    login(client, world.applicant)
    html = client.get(f'/applications/{application.id}').get_data(as_text=True)
    assert 'Аннулировано с 02.06.2026 по причине: вступившее в законную силу решение суда. Суд' in html
    assert 'Уведомление об аннулировании' in html
    assert 'Продлить регистрацию' not in html


def test_without_a_certificate_the_annulment_form_says_where_to_add_one(
    client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    application = approved(world)
    on_day(monkeypatch, DURING)
    login(client, world.executor)
    for url in (f'/agency/applications/{application.id}', f'/stay/agency/{application.id}/annul'):
        html = client.get(url).get_data(as_text=True)
        assert 'id="annul-no-certificate"' in html
        assert 'id="annul-form"' not in html


def test_another_organization_or_applicant_gets_404(client, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    application = approved(world)
    on_day(monkeypatch, DURING)
    login(client, world.tax_executor)
    assert client.post(f'/stay/agency/{application.id}/annul', data={'reason': 'court_decision'}).status_code == 404
    assert client.get(f'/stay/agency/{application.id}/annul').status_code == 404
    login(client, world.other_applicant)
    assert client.get(f'/stay/applications/{application.id}/extend').status_code == 404
    assert client.post(f'/stay/applications/{application.id}/early-end', data={}).status_code == 404
    login(client, world.applicant)
    assert client.get(f'/stay/agency/{application.id}/annul').status_code == 404
    assert stored(application.id).result_state == 'valid'


def test_the_applicant_extends_with_the_owners_signed_consent(client, world: World, trusted: TestPki) -> None:
    """A registration ending in 5 days of the real clock, extended with a consent signed now by the test PKI."""
    today = local_today()
    start, end = today - timedelta(days=60), today + timedelta(days=5)
    data = samples.with_value(samples.temporary_registration(), 'stay.start_date', samples.ru(start))
    data = samples.with_value(data, 'stay.end_date', samples.ru(end))
    facts = [samples.qualified('owner_consent', signed=start - timedelta(days=3), sent=start - timedelta(days=3))]
    files = [pdf(kind) for kind in TEMPORARY_FILES]
    with atomic():
        previous = file_application(
            world.applicant, 'temporary_registration', data, files, channel='portal', signatures=facts
        )
    with atomic():
        approve(world.executor, previous, PDF_BYTES + b'certificate')
    login(client, world.applicant)
    new_end = samples.ru(end + timedelta(days=60))
    form = {
        'end_date': new_end,
        'attachments.owner_consent': (io.BytesIO(CONSENT), 'согласие.pdf'),
        'signatures.owner_consent': (io.BytesIO(signed_consent(trusted)), 'согласие.pdf.sig'),
    }
    response = client.post(f'/stay/applications/{previous.id}/extend', data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    extension = stored(int(response.headers['Location'].rsplit('/', 1)[1]))
    assert extension.extends_id == previous.id
    assert extension.values['stay']['end_date'] == (end + timedelta(days=60)).isoformat()
    html = client.get(f'/applications/{previous.id}').get_data(as_text=True)
    assert f'подано заявление № {extension.number}, ожидает решения' in html
    assert 'Продлить регистрацию' not in html
