"""The signed notice of an annulment: the official's annulment renders «Уведомление об аннулировании регистрации по
месту пребывания» (the certificate's number and date, the applicant, the address, the day from which it is annulled,
the reason's label and the comment, the agency and the official), keeps it on the agency's card signed inside the PDF
by the official's certificate (PAdES, valid for pdfsig), journals its id with the annulment and tells the applicant
where to download it; a wrong password or an unusable certificate names its field and changes nothing. A card already
filed into a case takes no file: the notice goes on an outgoing card in reply to it. The notice is downloaded by the
applicant, the MFC it came through and the agency's staff, in the browser and over the API; anyone else gets a 404."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from edms.audit.models import AuditEntry
from edms.citizen_services.catalogue.registry import get_service
from edms.citizen_services.models import Application
from edms.citizen_services.operations.stay import NOTICE_URL, annul
from edms.citizen_services.results import Annulment, annulment_notice, render_result_pdf
from edms.core.clock import to_local
from edms.core.db import db
from edms.core.errors import ValidationFailed
from edms.core.tx import atomic
from edms.notifications.models import Notification
from edms.registry.models import Attachment, Card
from edms.registry.operations.cards import file_card
from scripts.make_test_pki import TestPki
from tests.citizen_services import annulment_signer, samples
from tests.citizen_services.annulment_signer import PASSWORD, Signer
from tests.citizen_services.conftest import World
from tests.citizen_services.test_applications_api import headers
from tests.citizen_services.test_results import ISSUER, content
from tests.citizen_services.test_stay_lifecycle import DURING, END, approved, on_day
from tests.factories import login, make_case_file
from tests.signatures.pdf_helpers import nss_database, pdfsig, pdftotext

COURT = 'вступившее в законную силу решение суда'
signer = annulment_signer.signer


@pytest.fixture(scope='module')
def nssdb(test_pki: TestPki, tmp_path_factory: pytest.TempPathFactory) -> str:
    return nss_database(tmp_path_factory.mktemp('nss'), test_pki.cas['root'].cert_pem)


def stored(application_id: int) -> Application:
    db.session.expire_all()
    application = db.session.get(Application, application_id)
    assert application is not None
    return application


def attachment_count() -> int:
    return db.session.execute(select(func.count()).select_from(Attachment)).scalar_one()


def annul_entry(application: Application) -> AuditEntry:
    query = select(AuditEntry).where(AuditEntry.action == 'application.annul')
    return db.session.execute(query.where(AuditEntry.object_id == str(application.id))).scalar_one()


def assert_unchanged(application_id: int, attachments_before: int) -> None:
    application = stored(application_id)
    assert (application.result_state, application.annulled_on) == ('valid', None)
    assert application.annulment_notice_attachment_id is None
    assert attachment_count() == attachments_before


def test_the_annulment_signs_the_notice_the_applicant_is_told_of(
    world: World, signer: Signer, nssdb: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    application = approved(world)
    on_day(monkeypatch, DURING)
    with atomic():
        annul(signer.user, application, 'court_decision', 'Решение суда № 2-123/2026', **signer.credentials)
    application = stored(application.id)
    notice = db.session.get(Attachment, application.annulment_notice_attachment_id)
    assert notice is not None
    assert notice.card_id == application.card_id
    assert notice.filename == 'Уведомление об аннулировании регистрации по месту пребывания (подписан).pdf'
    data = content(notice.id)
    [found] = pdfsig(data, tmp_path, nssdb)
    assert found['Signature Validation'] == 'Signature is Valid.'
    assert found['Certificate Validation'] == 'Certificate is Trusted.'
    text = pdftotext(data, tmp_path)
    issued = samples.ru(to_local(application.decided_at).date())  # type: ignore[arg-type]
    for expected in (
        'УВЕДОМЛЕНИЕ',
        'об аннулировании регистрации по месту пребывания',
        f'№ {application.number} от {issued}',
        'Заявитель: Петров Пётр Петрович',
        '101000, г. Москва, Москва, ул. Мясницкая, д. 10, кв. 5',
        'Аннулировано с: 02.06.2026',
        'Причина аннулирования: Вступившее в законную силу решение суда',
        'Комментарий: Решение суда № 2-123/2026',
        'Должностное лицо: Тестов Тест',
        'ПОДПИСАН',
    ):
        assert expected in text, expected
    assert annul_entry(application).data['notice_attachment_id'] == notice.id
    query = select(Notification).where(Notification.user_id == world.applicant.id).order_by(Notification.id.desc())
    told = db.session.execute(query.limit(1)).scalar_one()
    assert told.url == NOTICE_URL.format(id=application.id)
    assert f'по причине: {COURT}. Решение суда № 2-123/2026' in told.text
    assert 'Уведомление об аннулировании' in told.text


def test_a_service_without_its_own_notice_layout_names_its_result(world: World, tmp_path: Path) -> None:
    application = world.file('taxpayer_cabinet')
    service = get_service('taxpayer_cabinet')
    annulment = Annulment(DURING, 'Заявление гражданина', None)
    text = pdftotext(render_result_pdf(annulment_notice(service, application, ISSUER, annulment)), tmp_path)
    assert f'об аннулировании документа «{service.result.title}»' in text
    assert f'Заявитель: {application.applicant_name}' in text
    assert 'по причине: заявление гражданина.' in text
    assert 'Комментарий: —' in text


@pytest.mark.parametrize(
    ('credentials', 'field', 'message'),
    [
        ({'password': 'не тот'}, 'password', 'Неверный пароль'),
        ({'certificate_id': 999_999}, 'certificate_id', 'такого сертификата нет среди ваших'),
        ({'certificate_id': 'abc', 'password': ''}, 'certificate_id', 'целое число'),
    ],
)
def test_a_wrong_password_or_certificate_names_its_field_and_changes_nothing(
    world: World,
    signer: Signer,
    monkeypatch: pytest.MonkeyPatch,
    credentials: dict[str, object],
    field: str,
    message: str,
) -> None:
    application = approved(world)
    on_day(monkeypatch, DURING)
    before = attachment_count()
    with pytest.raises(ValidationFailed) as raised, atomic():
        annul(signer.user, application, 'court_decision', **{**signer.credentials, **credentials})
    assert message in raised.value.fields[field]
    assert_unchanged(application.id, before)


def test_a_certificate_of_another_official_is_not_usable(
    world: World, signer: Signer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Signing is personal: the agency's other official cannot sign with the executor's certificate."""
    application = approved(world)
    on_day(monkeypatch, DURING)
    before = attachment_count()
    with pytest.raises(ValidationFailed) as raised, atomic():
        annul(world.manager, application, 'court_decision', **signer.credentials)
    assert '«Сертификат»' in raised.value.fields['certificate_id']
    assert_unchanged(application.id, before)


def test_a_card_filed_into_a_case_gets_the_notice_on_an_outgoing_card_in_reply(
    world: World, signer: Signer, nssdb: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The registry adds no file to a card «в деле»: the notice goes on a new outgoing card to the applicant, «в ответ
    на» the application's card, registered in the agency's outgoing journal; the filed card keeps its files."""
    application = approved(world)
    with atomic():
        card = db.session.get(Card, application.card_id)
        file_card(world.clerk, card, make_case_file(world.migration).id)  # type: ignore[arg-type]
        filed_files = len(card.attachments)  # type: ignore[union-attr]
    on_day(monkeypatch, DURING)
    with atomic():
        annul(signer.user, stored(application.id), 'court_decision', **signer.credentials)
    application = stored(application.id)
    notice = db.session.get(Attachment, application.annulment_notice_attachment_id)
    assert notice is not None
    reply = db.session.get(Card, notice.card_id)
    assert reply is not None
    assert reply.id != application.card_id
    assert (reply.kind.value, reply.status.value, reply.document_kind) == ('outgoing', 'registered', 'Уведомление')
    assert reply.reg_number
    assert reply.organization_id == world.migration.id
    assert [(link.kind.value, link.target_card_id) for link in reply.links] == [('reply_to', application.card_id)]
    assert [addressee.name for addressee in reply.addressees] == ['Петров Пётр Петрович']
    assert application.number in reply.summary
    assert len(db.session.get(Card, application.card_id).attachments) == filed_files  # type: ignore[union-attr]
    [found] = pdfsig(content(notice.id), tmp_path, nssdb)
    assert found['Signature Validation'] == 'Signature is Valid.'
    assert application.result_state == 'annulled'


def test_the_browser_annulment_signs_and_each_side_downloads_the_notice(
    client: FlaskClient, world: World, signer: Signer, monkeypatch: pytest.MonkeyPatch
) -> None:
    application = approved(world)
    on_day(monkeypatch, DURING)
    login(client, signer.user)
    page = client.get(f'/agency/applications/{application.id}').get_data(as_text=True)
    assert 'id="annul-certificate_id"' in page
    assert 'id="annul-password"' in page
    url = f'/stay/agency/{application.id}/annul'
    form = {'reason': 'court_decision', 'comment': 'Суд', 'certificate_id': str(signer.certificate_id)}
    before = attachment_count()
    wrong = client.post(url, data={**form, 'password': 'не тот'})
    assert wrong.status_code == 422
    html = wrong.get_data(as_text=True)
    assert '«Пароль к контейнеру ключа»: Неверный пароль' in html
    assert 'Суд</textarea>' in html
    assert 'не тот' not in html
    assert_unchanged(application.id, before)
    done = client.post(url, data={**form, 'password': PASSWORD})
    assert done.status_code == 302
    notice_url = f'/stay/applications/{application.id}/annulment-notice'
    assert notice_url in client.get(f'/agency/applications/{application.id}').get_data(as_text=True)
    with client.get(notice_url) as download:  # the agency's staff
        assert download.status_code == 200
    login(client, world.applicant)
    assert notice_url in client.get(f'/applications/{application.id}').get_data(as_text=True)
    with client.get(notice_url) as download:
        assert download.status_code == 200
        assert download.mimetype == 'application/pdf'
        assert download.data == content(stored(application.id).annulment_notice_attachment_id)  # type: ignore[arg-type]
    for stranger in (world.other_applicant, world.operator, world.tax_executor):
        login(client, stranger)
        assert client.get(notice_url).status_code == 404


def test_the_mfc_an_application_came_through_downloads_its_notice(
    client: FlaskClient, world: World, signer: Signer, monkeypatch: pytest.MonkeyPatch
) -> None:
    application = approved(world, actor=world.operator, channel='mfc', on_behalf={'snils': samples.SNILS})
    on_day(monkeypatch, DURING)
    with atomic():
        annul(signer.user, stored(application.id), 'applicant_request', **signer.credentials)
    query = select(Notification.url).where(Notification.user_id == world.operator.id).order_by(Notification.id.desc())
    assert db.session.execute(query.limit(1)).scalar_one() == NOTICE_URL.format(id=application.id)
    login(client, world.operator)
    with client.get(NOTICE_URL.format(id=application.id)) as download:
        assert download.status_code == 200
        assert download.data.startswith(b'%PDF')


def test_a_valid_result_has_no_notice_to_download(client: FlaskClient, world: World) -> None:
    application = approved(world)
    login(client, world.applicant)
    assert client.get(f'/stay/applications/{application.id}/annulment-notice').status_code == 404
    answer = client.get(f'/api/v1/applications/{application.id}/annulment-notice', headers=headers(world.applicant))
    assert answer.status_code == 404


def test_the_api_annulment_signs_and_links_the_notice(
    client: FlaskClient, world: World, signer: Signer, monkeypatch: pytest.MonkeyPatch
) -> None:
    application = approved(world)
    on_day(monkeypatch, DURING)
    url = f'/api/v1/applications/{application.id}'
    body = {'reason': 'owner_withdrawal', 'comment': 'Отзыв согласия', **signer.credentials}
    before = attachment_count()
    missing = client.post(f'{url}/annulment', json={'reason': 'owner_withdrawal'}, headers=headers(signer.user))
    assert missing.status_code == 422
    assert set(missing.get_json()['error']['fields']) == {'certificate_id', 'password'}
    wrong = client.post(f'{url}/annulment', json={**body, 'password': 'не тот'}, headers=headers(signer.user))
    assert wrong.status_code == 422
    assert 'Неверный пароль' in wrong.get_json()['error']['fields']['password']
    assert_unchanged(application.id, before)
    done = client.post(f'{url}/annulment', json=body, headers=headers(signer.user))
    assert done.status_code == 200
    notice_url = f'{url}/annulment-notice'
    assert done.get_json()['annulment']['notice_url'] == notice_url
    assert client.get(url, headers=headers(world.applicant)).get_json()['annulment_notice_url'] == notice_url
    with client.get(notice_url, headers=headers(world.applicant)) as download:
        assert download.status_code == 200
        assert download.mimetype == 'application/pdf'
        assert download.data == content(stored(application.id).annulment_notice_attachment_id)  # type: ignore[arg-type]
    for stranger in (world.other_applicant, world.tax_executor):
        assert client.get(notice_url, headers=headers(stranger)).status_code == 404
    on_day(monkeypatch, END)
    again = client.post(f'{url}/annulment', json=body, headers=headers(signer.user))
    assert again.status_code == 409
