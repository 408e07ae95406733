"""The applicant's КЭП-signed XML upload page: linked from the service choice, offers the service's XSD, files a valid
XML with its detached signature from the test PKI (channel xml_upload), and lists every problem of a wrong upload at
once, naming the files to choose again; the MFC operator may not use it."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from flask.testing import FlaskClient

from edms.citizen_services.catalogue.definition import CHANNEL_LABELS, Channel
from edms.citizen_services.catalogue.registry import get_service
from edms.citizen_services.models import Application
from edms.core.db import db
from edms.signatures.crypto.cms import sign_detached
from edms.signatures.crypto.keys import load_private_key
from scripts.make_test_pki import TestPki
from tests.citizen_services import conftest as services
from tests.citizen_services import samples
from tests.citizen_services.conftest import World, count
from tests.factories import login, page_text
from tests.signatures import conftest as signatures

URL = '/applications/xml?service=taxpayer_cabinet'
#: The citizen-services fixtures and the session's test PKI, shared.
world, test_pki, trusted = services.world, signatures.test_pki, services.trusted


def sign(pki: TestPki, data: bytes) -> bytes:
    key = load_private_key(pki.users['rsa'].key_der.read_bytes())
    return sign_detached(data, key, pki.user_der('rsa'), pki.chain_ders('rsa'), signing_time=datetime.now(UTC))


def taxpayer_xml(**changes: str) -> bytes:
    data = samples.taxpayer_cabinet()
    for path, value in changes.items():
        data = samples.with_value(data, path, value)
    return samples.to_xml(get_service('taxpayer_cabinet'), data)


def test_choice_page_links_the_upload_and_the_page_offers_the_xsd(client: FlaskClient, world: World) -> None:
    login(client, world.applicant)
    choice = client.get('/applications/new').get_data(as_text=True)
    assert 'href="/applications/xml?service=taxpayer_cabinet"' in choice
    assert 'href="/applications/xml?service=legal_entity_cabinet"' in choice
    page = client.get(URL).get_data(as_text=True)
    assert 'name="xml"' in page
    assert 'name="signature"' in page
    schema = client.get('/applications/xml/schemas/taxpayer_cabinet.xsd')
    assert schema.status_code == 200
    assert b'targetNamespace="urn:edms:citizen-services:taxpayer_cabinet"' in schema.data
    assert client.get('/applications/xml/schemas/types.xsd').status_code == 200
    assert client.get('/applications/xml/schemas/medo.xsd').status_code == 404


def test_valid_signed_xml_files_an_application(client: FlaskClient, world: World, trusted: TestPki) -> None:
    login(client, world.applicant)
    xml = taxpayer_xml()
    form = {'xml': (io.BytesIO(xml), 'заявление.xml'), 'signature': (io.BytesIO(sign(trusted, xml)), 'заявление.sig')}
    response = client.post(URL, data=form, content_type='multipart/form-data')
    assert response.status_code == 302, page_text(response.get_data(as_text=True))[:2000]
    db.session.expire_all()
    [application] = db.session.query(Application).all()
    assert (application.channel, application.applicant_user_id) == (Channel.xml_upload, world.applicant.id)
    assert response.headers['Location'].endswith(f'/applications/{application.id}')
    shown = page_text(client.get(f'/applications/{application.id}').get_data(as_text=True))
    assert f'Заявление № {application.number}' in shown
    assert CHANNEL_LABELS[Channel.xml_upload] in shown


def test_invalid_upload_lists_every_problem_and_the_files_to_choose_again(
    client: FlaskClient, world: World, trusted: TestPki
) -> None:
    login(client, world.applicant)
    xml = taxpayer_xml(inn='500100732258', birth_date='01.01.2090')
    form = {'xml': (io.BytesIO(xml), 'заявление.xml'), 'signature': (io.BytesIO(sign(trusted, xml)), 'заявление.sig')}
    response = client.post(URL, data=form, content_type='multipart/form-data')
    assert response.status_code == 422
    shown = page_text(response.get_data(as_text=True))
    assert 'Заявление не принято. Исправьте ошибки (3)' in shown
    assert '«ИНН»' in shown
    assert '«Дата рождения»' in shown
    assert 'выберите их снова перед повторной отправкой. Были выбраны: заявление.xml, заявление.sig.' in shown
    assert count(Application) == 0


def test_missing_files_and_a_broken_xml_are_named(client: FlaskClient, world: World) -> None:
    login(client, world.applicant)
    response = client.post(URL, data={}, content_type='multipart/form-data')
    assert response.status_code == 422
    shown = page_text(response.get_data(as_text=True))
    assert '«XML-файл заявления»: выберите файл.' in shown
    assert '«Файл подписи XML-файла (.sig)»: выберите файл открепленной подписи XML-файла.' in shown
    form = {'xml': (io.BytesIO(b'<application>'), 'a.xml'), 'signature': (io.BytesIO(b'x'), 'a.sig')}
    shown = page_text(client.post(URL, data=form, content_type='multipart/form-data').get_data(as_text=True))
    assert 'не разбирается как XML' in shown
    assert count(Application) == 0


def test_mfc_operator_may_not_upload(client: FlaskClient, world: World) -> None:
    login(client, world.operator)
    assert client.get(URL).status_code == 403
