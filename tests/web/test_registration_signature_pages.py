"""Signing in the browser beyond files: the registration data on the «Реквизиты» tab (simple by default, qualified
with a stored container, «содержание не изменялось» / «изменено после подписания», the report page and its PDF),
«Подписать PDF со штампом» on the «Файлы» tab (a new file beside the original, GOST refused), a signed PDF alone on
«Проверка подписи» going through the operations, and «Утвердить и подписать КЭП» in the manager's cabinet."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from edms.audit.models import AuditEntry
from edms.core.db import db
from edms.core.tx import atomic
from edms.registry.models import Attachment, Card
from edms.registry.operations import add_attachment
from edms.resolutions.models import Resolution, ResolutionStatus
from edms.resolutions.operations import draft_resolution
from edms.signatures.models import RegistrationSignature, VerificationRecord
from edms.signatures.operations import import_certificate, sign_pdf_attachment
from edms.signatures.operations.common import attachment_bytes
from edms.signatures.operations.registrations import sign_registration
from scripts.make_test_pki import TestPki
from tests.factories import login, make_organization, make_user, resolution_data
from tests.signatures.conftest import test_pki  # noqa: F401  (the session fixture of the generated PKI)
from tests.signatures.openssl_tools import requires_engine
from tests.signatures.pdf_helpers import make_pdf
from tests.signatures.store_setup import Ministry, install_trust, make_ministry, p12

PASSWORD = 'test123'
KEY = 'sign-registration'


@pytest.fixture
def ministry(app_ctx, test_pki: TestPki) -> Ministry:  # noqa: F811
    ministry = make_ministry(test_pki)
    install_trust(test_pki)
    return ministry


def bind(ministry: Ministry, person: str = 'rsa') -> int:
    user = ministry.person(person)
    with atomic():
        return import_certificate(user, user, p12(ministry.pki, person), PASSWORD).id


def details(client, ministry: Ministry) -> str:
    return client.get(f'/cards/{ministry.card.id}').get_data(as_text=True)


def sign_url(ministry: Ministry) -> str:
    return f'/cards/{ministry.card.id}/registration-signatures'


def only_row() -> RegistrationSignature:
    db.session.expire_all()
    return db.session.execute(select(RegistrationSignature)).scalar_one()


def test_the_registration_is_signed_with_the_simple_signature_by_default(client, ministry):
    login(client, ministry.clerk)
    page = details(client, ministry)
    assert 'Подписи регистрации' in page
    assert 'Регистрационные данные не подписаны.' in page
    assert f'id="{KEY}-signature_method"' not in page  # no container: nothing but the simple signature
    response = client.post(sign_url(ministry), data={'form': KEY}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert 'Регистрационные данные подписаны: простая электронная подпись.' in page
    row = only_row()
    assert row.method == 'simple'
    assert re.search(rf'data-registration-signature="{row.id}" data-unchanged="true"', page)
    assert 'содержание не изменялось' in page
    assert ministry.clerk.full_name in page
    assert 'Подписать регистрационные данные</button>' not in page  # signed and unchanged: nothing more to sign
    again = client.post(sign_url(ministry), data={'form': KEY})
    assert again.status_code == 409
    assert 'уже подписали' in again.get_data(as_text=True)


def test_the_qualified_signature_of_the_registration_has_a_report_and_a_change_is_shown(client, ministry):
    certificate_id = bind(ministry)
    user = ministry.person('rsa')
    login(client, user)
    assert f'id="{KEY}-signature_method"' in details(client, ministry)
    form = {'form': KEY, 'signature_method': 'qualified', 'certificate_id': str(certificate_id)}
    refused = client.post(sign_url(ministry), data={**form, 'password': 'wrong-secret'})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'Неверный пароль' in text
    assert 'wrong-secret' not in text
    signed = client.post(sign_url(ministry), data={**form, 'password': PASSWORD}, follow_redirects=True)
    assert 'квалифицированная электронная подпись' in signed.get_data(as_text=True)
    row = only_row()
    report_url = f'/cards/{ministry.card.id}/registration-signatures/{row.id}'
    assert report_url in signed.get_data(as_text=True)
    report = client.get(report_url).get_data(as_text=True)
    assert 'data-verdict="valid"' in report
    assert 'data-unchanged="true"' in report
    pdf = client.get(f'{report_url}/pdf')
    assert pdf.mimetype == 'application/pdf'
    assert pdf.data.startswith(b'%PDF-')
    with atomic():
        db.session.get(Card, ministry.card.id).summary = 'Другое содержание'
    changed = details(client, ministry)
    assert 'изменено после подписания' in changed
    assert 'Подписать регистрационные данные</button>' in changed  # the signer may sign the corrected data again
    report = client.get(report_url).get_data(as_text=True)
    assert 'data-verdict="invalid"' in report
    assert 'data-unchanged="false"' in report


def test_registration_signature_pages_are_not_found_for_another_organization(client, ministry):
    with atomic():
        row_id = sign_registration(ministry.clerk, ministry.card).id
        stranger = make_user(make_organization('Чужое ведомство'), 'clerk', 'manager')
    login(client, stranger)
    url = f'/cards/{ministry.card.id}/registration-signatures'
    assert client.post(url, data={'form': KEY}).status_code == 404
    assert client.get(f'{url}/{row_id}').status_code == 404
    assert client.get(f'{url}/{row_id}/pdf').status_code == 404


def add_pdf(ministry: Ministry) -> Attachment:
    with atomic():
        return add_attachment(ministry.clerk, ministry.card, io.BytesIO(make_pdf()), 'постановление.pdf')


def test_a_pdf_is_signed_with_the_stamp_from_the_files_tab_and_kept_beside_the_original(client, ministry):
    pdf = add_pdf(ministry)
    with atomic():
        text = add_attachment(ministry.clerk, ministry.card, io.BytesIO(b'plain'), 'note.txt')
    certificate_id = bind(ministry, 'ec')
    login(client, ministry.person('ec'))
    tab = client.get(f'/cards/{ministry.card.id}?tab=files').get_data(as_text=True)
    assert f'/attachments/{pdf.id}/pades' in tab
    assert 'Подписать PDF со штампом' in tab
    assert f'/attachments/{text.id}/pades' not in tab
    url = f'/cards/{ministry.card.id}/attachments/{pdf.id}/pades'
    form = {'form': f'pades-{pdf.id}', 'certificate_id': str(certificate_id)}
    refused = client.post(url, data={**form, 'password': 'nope-nope'})
    assert refused.status_code == 422
    assert 'nope-nope' not in refused.get_data(as_text=True)
    response = client.post(url, data={**form, 'password': PASSWORD}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert 'постановление (подписан).pdf' in page
    assert 'исходный файл сохранён' in page
    db.session.expire_all()
    names = [item.filename for item in db.session.get(Card, ministry.card.id).attachments]
    assert names[-3:] == ['постановление.pdf', 'note.txt', 'постановление (подписан).pdf']
    record = db.session.execute(
        select(VerificationRecord).where(VerificationRecord.file_sha256 == VerificationRecord.signature_sha256)
    ).scalar_one()
    assert f'/signatures/verifications/{record.id}' in page
    report = client.get(f'/signatures/verifications/{record.id}').get_data(as_text=True)
    assert 'data-verdict="valid"' in report
    assert 'внутри документа PDF' in report


@requires_engine
def test_a_gost_certificate_is_not_offered_for_the_stamp_and_refused_with_its_message(client, ministry):
    pdf = add_pdf(ministry)
    certificate_id = bind(ministry, 'gost256')
    login(client, ministry.person('gost256'))
    tab = client.get(f'/cards/{ministry.card.id}?tab=files').get_data(as_text=True)
    assert f'/attachments/{pdf.id}/pades"' not in tab
    assert 'для ключа ГОСТ Р 34.10-2012 подпишите файл откреплённой подписью' in tab
    url = f'/cards/{ministry.card.id}/attachments/{pdf.id}/pades'
    refused = client.post(url, data={'form': f'pades-{pdf.id}', 'certificate_id': certificate_id, 'password': 'x'})
    assert refused.status_code == 422
    assert 'откреплённой подписью ГОСТ' in refused.get_data(as_text=True)


def test_a_signed_pdf_alone_is_checked_on_the_verify_page_through_the_operations(client, ministry):
    pdf = add_pdf(ministry)
    certificate_id = bind(ministry)
    with atomic():
        signed = sign_pdf_attachment(ministry.person('rsa'), pdf, certificate_id, PASSWORD)
    data = attachment_bytes(signed)
    login(client, ministry.clerk)
    response = client.post('/signatures/verify', data={'file': FileStorage(io.BytesIO(data), 'проверка.pdf')})
    assert response.status_code == 302
    page = client.get(response.headers['Location']).get_data(as_text=True)
    assert 'data-verdict="valid"' in page
    entry = (
        db.session.execute(
            select(AuditEntry).where(AuditEntry.action == 'signatures.verify_upload').order_by(AuditEntry.seq.desc())
        )
        .scalars()
        .first()
    )
    assert entry.data['pades'] is True
    assert entry.data['file_name'] == 'проверка.pdf'


def draft_for(ministry: Ministry, manager) -> Resolution:
    with atomic():
        assistant = make_user(ministry.organization, 'assistant')
        executor = make_user(ministry.organization, 'executor')
        raw = {**resolution_data(executor), 'author_id': manager.id}
        return draft_resolution(assistant, ministry.card, raw)


def test_the_cabinet_approves_a_draft_with_the_qualified_signature_inline(client, ministry):
    manager = ministry.person('rsa')
    certificate_id = bind(ministry)
    draft = draft_for(ministry, manager)
    login(client, manager)
    folder = client.get('/cabinet/review').get_data(as_text=True)
    assert 'Утвердить и подписать КЭП' in folder
    assert f'id="approve-{draft.id}-certificate_id"' in folder
    url = f'/cabinet/approve/{draft.id}'
    form = {'form': f'approve-{draft.id}', 'folder': 'review', 'signature_method': 'qualified'}
    refused = client.post(url, data={**form, 'certificate_id': str(certificate_id), 'password': 'wrong-secret'})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'Неверный пароль' in text
    assert 'wrong-secret' not in text
    assert '<details class="qualified-approval" open>' in text
    db.session.expire_all()
    assert db.session.get(Resolution, draft.id).status == ResolutionStatus.draft
    approved = client.post(url, data={**form, 'certificate_id': str(certificate_id), 'password': PASSWORD})
    assert approved.status_code == 302
    assert 'подписана квалифицированной ЭП' in client.get(approved.headers['Location']).get_data(as_text=True)
    db.session.expire_all()
    stored = db.session.get(Resolution, draft.id)
    assert stored.status == ResolutionStatus.approved
    assert stored.signature_method == 'qualified'
    assert stored.signature_value


def test_the_cabinet_offers_no_qualified_approval_without_a_stored_container(client, ministry):
    manager = ministry.person('ec')
    draft_for(ministry, manager)
    login(client, manager)
    folder = client.get('/cabinet/review').get_data(as_text=True)
    assert '>Утвердить</button>' in folder
    assert 'Утвердить и подписать КЭП' not in folder
