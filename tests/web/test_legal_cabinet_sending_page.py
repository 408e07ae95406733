"""The «send» right on the portal's XML upload: a legal entity's registration signed by its head, uploaded for an
organization that has a cabinet, comes back refused naming the organization (nothing filed) to an account outside
the cabinet, and is filed for a member holding «send»."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from edms.auth.models import User
from edms.citizen_services.catalogue.registry import get_service
from edms.citizen_services.models import Application
from edms.citizen_services.models.legal_cabinets import LegalEntityCabinet
from edms.citizen_services.operations.legal_cabinets_staff import add_legal_cabinet_member
from edms.core.db import db
from edms.core.tx import atomic
from edms.signatures.crypto.cms import sign_detached
from edms.signatures.crypto.keys import load_private_key
from scripts.make_test_pki import TestPki
from tests.citizen_services import conftest as services
from tests.citizen_services import samples
from tests.citizen_services.conftest import World, count
from tests.citizen_services.legal_staff import confirmed
from tests.factories import login, make_user, page_text
from tests.signatures import conftest as signatures

#: The citizen-services fixtures and the session's test PKI, shared.
world, test_pki, trusted = services.world, signatures.test_pki, services.trusted
URL = '/applications/xml?service=legal_entity_cabinet'
SNILS_B = '08765430300'


def upload(pki: TestPki) -> dict[str, Any]:
    """The registration signed by the test PKI's «rsa», whose certificate names the organization and the head."""
    profile = pki.users['rsa'].profile
    data = samples.with_value(samples.legal_entity_cabinet(), 'head.inn', profile['inn'])
    xml = samples.to_xml(get_service('legal_entity_cabinet'), samples.with_value(data, 'head.snils', profile['snils']))
    key = load_private_key(pki.users['rsa'].key_der.read_bytes())
    cms = sign_detached(xml, key, pki.user_der('rsa'), pki.chain_ders('rsa'), signing_time=datetime.now(UTC))
    return {'xml': (io.BytesIO(xml), 'заявление.xml'), 'signature': (io.BytesIO(cms), 'заявление.sig')}


def employee(world: World, cabinet: LegalEntityCabinet, rights: list[str]) -> User:
    with atomic():
        user = make_user(world.portal, 'applicant', snils=SNILS_B)
    raw = {'snils': SNILS_B, 'role': 'accountant', 'rights': rights}
    confirmed(world.applicant, cabinet, add_legal_cabinet_member, raw)
    return user


def test_an_account_without_send_is_refused_naming_the_organization(
    client: FlaskClient, world: World, trusted: TestPki
) -> None:
    cabinet = world.open_legal_cabinet()
    login(client, employee(world, cabinet, ['view']))
    before = count(Application)
    response = client.post(URL, data=upload(trusted), content_type='multipart/form-data')
    assert response.status_code == 422
    shown = page_text(response.get_data(as_text=True))
    assert 'у организации «Общество с ограниченной ответственностью «Ромашка»» (ИНН 7707083893) есть кабинет' in shown
    assert 'с правом «Отправка»' in shown
    assert count(Application) == before


def test_a_member_holding_send_files_the_upload(client: FlaskClient, world: World, trusted: TestPki) -> None:
    cabinet = world.open_legal_cabinet()
    accountant = employee(world, cabinet, ['view', 'send'])
    login(client, accountant)
    response = client.post(URL, data=upload(trusted), content_type='multipart/form-data')
    assert response.status_code == 302, page_text(response.get_data(as_text=True))[:2000]
    db.session.expire_all()
    filed = db.session.execute(select(Application).where(Application.filed_by_id == accountant.id)).scalar_one()
    assert (filed.applicant_inn, filed.applicant_user_id) == (cabinet.inn, accountant.id)
