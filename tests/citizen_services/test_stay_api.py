"""The stay registration's life over the API: the validity (matching its OpenAPI schema), the extension with the
owner's signed consent (multipart, 201 with the new application) or one 422 listing the problems, the request to
end early, the annulment with a reason of the list and the official's certificate (422 naming the field otherwise,
409 when already annulled; `test_stay_annulment_notice` checks the signed notice), and 404 for another applicant or
organization."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from edms.citizen_services.operations import approve, file_application
from edms.core.clock import local_today
from edms.core.tx import atomic
from scripts.make_test_pki import TestPki
from tests.api.schema_check import SchemaChecker
from tests.citizen_services import annulment_signer, samples
from tests.citizen_services.annulment_signer import Signer
from tests.citizen_services.conftest import PDF_BYTES, TEMPORARY_FILES, World, pdf
from tests.citizen_services.test_applications_api import consent_bytes, headers, sign
from tests.citizen_services.test_stay_lifecycle import DURING, approved, on_day

signer = annulment_signer.signer  # the fixture: the executor with a certificate for the annulment's notice


def test_validity_early_end_and_annulment(
    client: FlaskClient, world: World, monkeypatch: pytest.MonkeyPatch, signer: Signer
) -> None:
    application = approved(world)
    on_day(monkeypatch, DURING)
    url = f'/api/v1/applications/{application.id}'
    answer = client.get(f'{url}/validity', headers=headers(world.applicant))
    assert answer.status_code == 200
    body = answer.get_json()
    SchemaChecker(client).check(body, 'ResultValidity')
    assert (body['valid_until'], body['state']['code'], body['days_left']) == ('2026-06-07', 'valid', 6)
    early = client.post(f'{url}/early-end', json={'comment': 'Уезжаю'}, headers=headers(world.applicant))
    assert early.status_code == 200
    assert early.get_json()['early_end_requested_at'] is not None
    body = {'reason': 'whim', **signer.credentials}
    wrong = client.post(f'{url}/annulment', json=body, headers=headers(signer.user))
    assert wrong.status_code == 422
    assert '«Причина аннулирования»' in wrong.get_json()['error']['fields']['reason']
    body['reason'] = 'applicant_request'
    done = client.post(f'{url}/annulment', json=body, headers=headers(signer.user))
    assert done.status_code == 200
    SchemaChecker(client).check(done.get_json(), 'ResultValidity')
    assert done.get_json()['note'].startswith('Аннулировано с 02.06.2026 по причине: заявление гражданина')
    again = client.post(f'{url}/annulment', json=body, headers=headers(signer.user))
    assert again.status_code == 409


def test_another_applicant_or_agency_gets_404(
    client: FlaskClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    application = approved(world)
    on_day(monkeypatch, DURING)
    url = f'/api/v1/applications/{application.id}'
    assert client.get(f'{url}/validity', headers=headers(world.other_applicant)).status_code == 404
    body = {'reason': 'court_decision', 'certificate_id': 1, 'password': 'x'}
    annul = client.post(f'{url}/annulment', json=body, headers=headers(world.tax_executor))
    assert annul.status_code == 404
    extend = client.post(f'{url}/extension', json={'end_date': '01.08.2026'}, headers=headers(world.other_applicant))
    assert extend.status_code == 404
    taxpayer = world.file('taxpayer_cabinet')
    none = client.get(f'/api/v1/applications/{taxpayer.id}/validity', headers=headers(world.applicant))
    assert none.status_code == 404


def test_extension_over_the_api(client: FlaskClient, world: World, trusted: TestPki) -> None:
    """A registration ending in 5 days of the real clock, extended with a consent signed now by the test PKI."""
    today = local_today()
    start, end = today - timedelta(days=60), today + timedelta(days=5)
    data = samples.with_value(samples.temporary_registration(), 'stay.start_date', samples.ru(start))
    data = samples.with_value(data, 'stay.end_date', samples.ru(end))
    facts = [samples.qualified('owner_consent', signed=start - timedelta(days=3), sent=start - timedelta(days=3))]
    with atomic():
        files = [pdf(kind) for kind in TEMPORARY_FILES]
        previous = file_application(
            world.applicant, 'temporary_registration', data, files, channel='portal', signatures=facts
        )
    with atomic():
        approve(world.executor, previous, PDF_BYTES + b'certificate')
    url = f'/api/v1/applications/{previous.id}/extension'
    invalid = client.post(
        url, json={'end_date': samples.ru(end + timedelta(days=91))}, headers=headers(world.applicant)
    )
    assert invalid.status_code == 422
    fields = invalid.get_json()['error']['fields']
    assert '90 дней' in fields['end_date']
    assert 'attachments.owner_consent' in fields
    consent = consent_bytes()
    form = {
        'end_date': samples.ru(end + timedelta(days=30)),
        'files.owner_consent': (io.BytesIO(consent), 'согласие.pdf'),
        'signatures.owner_consent': (io.BytesIO(sign(trusted, consent)), 'согласие.pdf.sig'),
    }
    created = client.post(url, data=form, headers=headers(world.applicant), content_type='multipart/form-data')
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert created.headers['Location'].endswith(f'/applications/{body["id"]}')
    validity = client.get(f'/api/v1/applications/{previous.id}/validity', headers=headers(world.applicant)).get_json()
    assert validity['pending_extension']['id'] == body['id']
    assert validity['may_extend'] is False
