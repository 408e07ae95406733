"""The result documents: the temporary-registration certificate carries its requisites (number, full name, date of
birth, identity document, address of stay, period, authority, official, date) as text poppler extracts; the other
services get the generic notice with their values grouped; the values are grouped and shown as the service names
them; the signed approval (PAdES with the visible mark, valid for pdfsig) is the result the applicant downloads, and
a wrong password changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from edms.auth.models import User
from edms.citizen_services.catalogue.registry import get_service
from edms.citizen_services.errors import ApplicationStateConflict
from edms.citizen_services.models import Application
from edms.citizen_services.operations.signed_results import approve_and_sign
from edms.citizen_services.queries import get_application
from edms.citizen_services.results import Issuer, grouped_values, render_result_pdf, result_document
from edms.core.blobs import blob_store
from edms.core.db import db
from edms.core.tx import atomic
from edms.registry.models import Attachment
from edms.signatures.crypto.errors import WrongPassword
from edms.signatures.operations import import_certificate
from scripts.make_test_pki import MINISTRY, TestPki
from tests.citizen_services import samples
from tests.citizen_services.conftest import World
from tests.factories import make_user
from tests.signatures.pdf_helpers import nss_database, pdfsig, pdftotext
from tests.signatures.store_setup import install_trust, p12

PASSWORD = 'test123'
ISSUER = Issuer('Главное управление по вопросам миграции МВД России', 'Иванов Иван Иванович', date(2026, 3, 5))


@dataclass(frozen=True)
class Official:
    user: User
    certificate_id: int


def bind_official(world: World, pki: TestPki, person: str = 'rsa') -> Official:
    """An executor of the migration agency holding the test PKI's qualified RSA certificate (the agency takes the
    ОГРН and ИНН ЮЛ the PKI's certificates carry), with the PKI's CAs trusted."""
    install_trust(pki)
    with atomic():
        world.migration.ogrn, world.migration.inn = MINISTRY['ogrn'], MINISTRY['inn_le']
        department_id = world.migration_department.id
        user = make_user(
            world.migration, 'executor', snils=pki.users[person].profile['snils'], department_id=department_id
        )
        certificate = import_certificate(user, user, p12(pki, person), PASSWORD)
    return Official(user, certificate.id)


def content(attachment_id: int) -> bytes:
    attachment = db.session.get(Attachment, attachment_id)
    with blob_store().open_verified(attachment.sha256) as file:
        return file.read()


@pytest.fixture(scope='module')
def nssdb(test_pki: TestPki, tmp_path_factory: pytest.TempPathFactory) -> str:
    return nss_database(tmp_path_factory.mktemp('nss'), test_pki.cas['root'].cert_pem)


@pytest.fixture
def official(world: World, test_pki: TestPki) -> Official:
    return bind_official(world, test_pki)


def test_the_certificate_of_temporary_registration_carries_its_requisites(world: World, tmp_path: Path) -> None:
    application = world.file()
    service = get_service('temporary_registration')
    pdf = render_result_pdf(result_document(service, application, ISSUER))
    assert pdf.startswith(b'%PDF')
    text = pdftotext(pdf, tmp_path)
    start, end = samples.ru(samples.START), samples.ru(samples.START + timedelta(days=89))
    for expected in (
        'СВИДЕТЕЛЬСТВО',
        'о регистрации по месту пребывания',
        f'№ {application.number}',
        'Выдано: Петров Пётр Петрович',
        'Дата рождения: 15.04.1990',
        'паспорт гражданина Российской Федерации, серия 4510 №',  # the label's second line splits the value here
        '123456, выдан 20.05.2010 ОВД «Тверской»',
        '101000, г. Москва, Москва, ул. Мясницкая, д. 10, кв. 5',
        f'Срок регистрации: с {start} по {end}',
        'Орган регистрационного учёта: Главное управление по вопросам миграции МВД России',
        'Дата выдачи: 05.03.2026',
        'Должностное лицо: Иванов Иван Иванович',
    ):
        assert expected in text, expected


@pytest.mark.parametrize(
    ('service', 'expected'),
    [
        ('taxpayer_cabinet', ['УВЕДОМЛЕНИЕ О ПОДКЛЮЧЕНИИ К ЛИЧНОМУ КАБИНЕТУ', 'ИНН: 500100732259']),
        ('legal_entity_cabinet', ['УВЕДОМЛЕНИЕ О РЕГИСТРАЦИИ КАБИНЕТА', 'ОГРН: 1027700132195']),
    ],
)
def test_the_other_services_get_the_generic_notice_with_their_values(
    world: World, tmp_path: Path, service: str, expected: list[str]
) -> None:
    actor = world.applicant
    application = world.file(service, actor=actor)
    definition = get_service(service)
    text = pdftotext(render_result_pdf(result_document(definition, application, ISSUER)), tmp_path)
    assert f'услуга «{definition.title}» предоставлена' in text
    for item in expected:
        assert item in text, item


def test_values_are_grouped_and_shown_as_the_service_names_them() -> None:
    service = get_service('temporary_registration')
    values = {
        'applicant': {
            'last_name': 'Петров',
            'birth_date': '1990-04-15',
            'citizenship': 'russian',
            'passport': {'series': '4510'},
        },
        'stay': {'reason': 'work', 'applicant_is_owner': False, 'address': {'house': '10'}},
        'filed_by': 'self',
    }
    groups = {group.title: dict(group.rows) for group in grouped_values(service, values)}
    assert groups['Сведения о заявителе'] == {
        'Фамилия': 'Петров',
        'Дата рождения': '15.04.1990',
        'Гражданство': 'гражданин Российской Федерации',
    }
    assert groups['Паспорт гражданина Российской Федерации'] == {'Серия паспорта': '4510'}
    assert groups['Адрес пребывания'] == {'Дом адреса пребывания': '10'}
    assert groups['Сведения о пребывании']['Причина временной регистрации'] == 'работа'
    assert groups['Сведения о пребывании']['Заявитель — собственник помещения'] == 'нет'
    assert groups['Сведения заявления'] == {'Кто подаёт заявление': 'заявитель лично'}


def test_approve_and_sign_gives_the_applicant_the_signed_certificate_valid_for_pdfsig(
    world: World, official: Official, nssdb: str, tmp_path: Path
) -> None:
    application = world.file()
    with atomic():
        approve_and_sign(official.user, application, official.certificate_id, PASSWORD, comment='Готово.')
    application = get_application(world.applicant, application.id)
    assert application.status == 'done'
    signed = db.session.get(Attachment, application.result_attachment_id)
    assert signed.filename == 'Свидетельство о регистрации по месту пребывания (подписан).pdf'
    assert signed.card_id == application.card_id
    data = content(signed.id)
    [found] = pdfsig(data, tmp_path, nssdb)
    assert found['Signature Validation'] == 'Signature is Valid.'
    assert found['Certificate Validation'] == 'Certificate is Trusted.'
    text = pdftotext(data, tmp_path)
    assert 'ПОДПИСАН' in text
    assert 'Выдано: Петров Пётр Петрович' in text


def test_a_wrong_password_leaves_the_application_in_progress_without_a_result(world: World, official: Official) -> None:
    application = world.file()
    files_before = db.session.execute(select(func.count()).select_from(Attachment)).scalar_one()
    with pytest.raises(WrongPassword), atomic():
        approve_and_sign(official.user, application, official.certificate_id, 'не тот')
    db.session.expire_all()
    stored = db.session.get(Application, application.id)
    assert (stored.status, stored.result_attachment_id, stored.decided_at) == ('in_progress', None, None)
    assert db.session.execute(select(func.count()).select_from(Attachment)).scalar_one() == files_before


def test_a_decided_application_is_not_signed_again(world: World, official: Official) -> None:
    application = world.file()
    with atomic():
        approve_and_sign(official.user, application, official.certificate_id, PASSWORD)
    with pytest.raises(ApplicationStateConflict), atomic():
        approve_and_sign(official.user, application, official.certificate_id, PASSWORD)
