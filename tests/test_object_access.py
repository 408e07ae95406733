"""Object-level access: every page and API endpoint with an object id answers 404 to another organization.

The routes are walked from the application's URL map and every URL parameter gets a real object of the first
organization (a card, its file, a resolution with its assignment, report, report file and extension request, a
notification, a session, a token, a signing certificate, a signature of the file and its verification report, a
signature of the registration data…). The trust store is shared by every organization: its pages are read by every
administrator and changed only by the system administrator, which is checked instead of the 404. A new route with a
parameter this fixture does not know fails `test_every_url_parameter_gets_a_real_object` until the fixture learns
it, so no route is checked with a made-up id.
"""

import io
import json

import pytest
from sqlalchemy import select

from edms.auth.models import ApiToken, UserSession
from edms.auth.sessions import open_session
from edms.citizen_services.models.legal_cabinets import (
    LegalCabinetMember,
    LegalCabinetRight,
    LegalEntityCabinet,
    StaffChangeSignature,
)
from edms.citizen_services.operations import create_provider, file_application
from edms.citizen_services.operations.complaints import file_complaint
from edms.citizen_services.operations.interagency import send_request
from edms.citizen_services.operations.interagency_register import set_interagency_provider
from edms.citizen_services.rules.facts import SignatureFacts
from edms.core.access import SYSTEM
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.tx import atomic
from edms.exchange.models import InboxPacket
from edms.exchange.operations import create_participant
from edms.notifications.models import Notification
from edms.registry.models import Journal
from edms.registry.operations import add_attachment
from edms.resolutions.operations import request_extension, submit_report
from edms.resolutions.queries import FOLDERS
from edms.routing.operations import create_rule
from edms.signatures.models import TrustedCertificate, VerificationRecord
from edms.signatures.operations import import_certificate, sign_attachment
from edms.signatures.operations.registrations import sign_registration
from scripts.make_test_pki import MINISTRY
from tests.factories import (
    api_token,
    login,
    make_card,
    make_case_file,
    make_organization,
    make_resolution,
    make_user,
    working_day,
)
from tests.signatures.conftest import test_pki  # noqa: F401  (the session fixture of the generated PKI)
from tests.signatures.store_setup import install_trust, p12

PDF = b'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'
SECRET = 'Секретная переписка ведомства А'
#: URL parameters that name no object of an organization: the user's own cabinet folder, a format, a static file.
NOT_OBJECTS = {'folder', 'fmt', 'filename'}
#: The trust store (root and intermediate CA certificates) belongs to no organization.
SHARED_OBJECTS = {'trusted_id'}
#: Directory data that every organization reads (correspondents and addressees), but nobody else changes.
SHARED_READS = {
    ('GET', '/api/v1/organizations/<int:organization_id>'),
    ('GET', '/api/v1/organizations/<int:organization_id>/departments'),
}


@pytest.fixture
def foreign(app_ctx, test_pki):  # noqa: F811
    """Objects of organization A, and a user of organization B with every role who tries to reach them."""
    install_trust(test_pki)
    with atomic():
        org_a = make_organization('Ведомство А', ogrn=MINISTRY['ogrn'], inn=MINISTRY['inn_le'])
        org_b = make_organization('Ведомство Б')
        owner = make_user(org_a, 'clerk', 'administrator', snils=test_pki.users['rsa'].profile['snils'])
        manager, controller = make_user(org_a, 'manager'), make_user(org_a, 'controller')
        responsible, co_executor = make_user(org_a, 'executor'), make_user(org_a, 'executor')
        card = make_card(owner, summary=SECRET)
        attachment = add_attachment(owner, card, io.BytesIO(PDF), 'secret.pdf')
        case_file = make_case_file(org_a)
        resolution = make_resolution(
            manager, card, responsible, co_executor, is_controlled=True, controller_id=controller.id
        )
        main, co = resolution.responsible, next(item for item in resolution.assignments if not item.is_responsible)
        report = submit_report(co_executor, co, {'text': 'Готово'}, [(io.BytesIO(PDF), 'report.pdf')])
        extension = request_extension(responsible, main, {'reason': 'x', 'deadline': working_day(15)})
        open_session(owner)
        token = api_token(owner)
        certificate = import_certificate(owner, owner, p12(test_pki, 'rsa'), 'test123')
        signature = sign_attachment(owner, attachment, certificate.id, 'test123')
        registration_signature = sign_registration(owner, card)
        medo = {'organization_id': org_a.id, 'guid': '0f6a8d52-3c1e-4b7a-9d2e-5a4c3b2a1f00', 'medo_address': 'ORG_A_S'}
        participant = create_participant(SYSTEM, medo)
        routing_rule = create_rule(owner, org_a.id, {'name': 'Все входящие', 'executor_id': responsible.id})
        provider = create_provider(SYSTEM, {'service_code': 'taxpayer_cabinet', 'organization_id': org_a.id})
        portal = make_organization('Портал', kind='portal', with_journals=False)
        applicant = make_user(portal, 'applicant')
        application = file_application(
            applicant,
            'taxpayer_cabinet',
            {'inn': '500100732259', 'snils': '112-233-445 95', 'birth_date': '15.04.1990', 'email': 'a@example.ru'},
            channel='portal',
            signatures=[SignatureFacts.sms('application', utcnow())],
        )
        legal_cabinet = legal_cabinet_of(applicant, application)
        staff_signature = StaffChangeSignature(
            cabinet_id=legal_cabinet.id,
            signed_by_id=applicant.id,
            action='member_add',
            change_digest='0' * 64,
            text='x',
            signature_sha256='0' * 64,
            certificate_serial='01',
            certificate_owner='x',
            confirmed_at=utcnow(),
        )
        db.session.add(staff_signature)
        db.session.flush()
        complaint = file_complaint(applicant, application, {'kind': 'service_term', 'text': 'Срок нарушен.'})
        set_interagency_provider(SYSTEM, 'passport', make_organization('Ведомство В'))
        asked = {'data_kind': 'passport', 'requested_data': 'Сведения о паспорте', 'legal_basis': 'ст. 7 210-ФЗ'}
        interagency_request = send_request(owner, application, asked)
        inbox = InboxPacket(
            transport='http',
            sha256='0' * 64,
            size=1,
            status='accepted',
            card_id=card.id,
            recipient_organization_id=org_a.id,
            recipient_participant_id=participant.id,
        )
        db.session.add(inbox)
        db.session.flush()
        intruder = make_user(
            org_b,
            'clerk',
            'administrator',
            'manager',
            'assistant',
            'executor',
            'controller',
            can_access_restricted=True,
        )
    ids = {
        'card_id': card.id,
        'attachment_id': attachment.id,
        'case_file_id': case_file.id,
        'user_id': owner.id,
        'organization_id': org_a.id,
        'org_id': org_a.id,
        'department_id': owner.department_id,
        'journal_id': first(select(Journal.id).where(Journal.organization_id == org_a.id)),
        'session_id': first(select(UserSession.id).where(UserSession.user_id == owner.id)),
        'token_id': first(select(ApiToken.id).where(ApiToken.user_id == owner.id)),
        'resolution_id': resolution.id,
        'assignment_id': main.id,
        'report_id': report.id,
        'file_id': report.files[0].id,
        'extension_id': extension.id,
        'notification_id': first(select(Notification.id).where(Notification.user_id == responsible.id)),
        'certificate_id': certificate.id,
        'signature_id': signature.id,
        'verification_id': first(
            select(VerificationRecord.id).where(VerificationRecord.attachment_signature_id == signature.id)
        ),
        'trusted_id': first(select(TrustedCertificate.id)),
        'registration_signature_id': registration_signature.id,
        'inbox_id': inbox.id,
        'participant_id': participant.id,
        'rule_id': routing_rule.id,
        'provider_id': provider.id,
        'application_id': application.id,
        'cabinet_id': legal_cabinet.id,
        'member_id': legal_cabinet.members[0].id,
        'staff_signature_id': staff_signature.id,
        'complaint_id': complaint.id,
        'request_id': interagency_request.id,
    }
    assert token
    assert all(ids.values()), ids
    ids['controller'] = controller
    return ids, intruder


def legal_cabinet_of(applicant, application):
    """A legal entity's cabinet with the applicant as its administrator (as an approval makes it)."""
    cabinet = LegalEntityCabinet(
        ogrn='1027700132195',
        inn='7707083893',
        name='ООО «А»',
        legal_form='ООО',
        legal_address='Москва',
        application_id=application.id,
    )
    cabinet.members.append(LegalCabinetMember(user_id=applicant.id, role='administrator', added_at=utcnow()))
    cabinet.members[0].set_rights(frozenset(LegalCabinetRight))
    db.session.add(cabinet)
    db.session.flush()
    return cabinet


def first(query):
    return db.session.execute(query.limit(1)).scalar()


def object_rules(app, prefixes, excluded=(), *, shared=False):
    """Routes naming an organization's object (or, with `shared`, an object of the shared trust store)."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(prefixes) or rule.rule.startswith(excluded):
            continue
        if not set(rule.arguments) - NOT_OBJECTS or bool(set(rule.arguments) & SHARED_OBJECTS) != shared:
            continue
        for method in sorted(rule.methods - {'HEAD', 'OPTIONS'}):
            yield rule, method


def build(rule, ids):
    path = rule.rule
    for name in rule.arguments:
        path = path.replace(f'<int:{name}>', str(ids[name])).replace(f'<{name}>', str(ids[name]))
    return path


def form_data(ids):
    """Form fields of every step, valid for the first organization's own users."""
    return {
        'reason': 'x',
        'comment': 'x',
        'text': 'x',
        'decision': 'grant',
        'execution_mark': 'x',
        'case_file_id': ids['case_file_id'],
        'deadline': working_day(15).strftime('%d.%m.%Y'),
    }


def test_every_url_parameter_gets_a_real_object(app, foreign):
    ids, _ = foreign
    parameters = {name for rule in app.url_map.iter_rules() for name in rule.arguments}
    assert {'resolution_id', 'assignment_id', 'report_id', 'file_id', 'extension_id', 'notification_id'} <= parameters
    assert parameters - NOT_OBJECTS - set(ids) == set()


def test_every_page_with_an_object_id_is_404_for_another_organization(app, client, foreign):
    ids, intruder = foreign
    login(client, intruder)
    checked = []
    for rule, method in object_rules(app, '/', excluded=('/api/', '/static/')):
        response = client.open(build(rule, ids), method=method, data=form_data(ids))
        checked.append((method, rule.rule, response.status_code))
        response.close()
    assert len(checked) >= 45
    assert {rule for _, rule, _ in checked} >= {
        '/cards/<int:card_id>',
        '/admin/users/<int:user_id>/edit',
        '/notifications/<int:notification_id>/open',
    }
    assert [item for item in checked if item[2] != 404] == []


def test_the_shared_trust_store_is_read_by_any_administrator_and_changed_only_by_the_system_administrator(
    app, client, foreign
):
    ids, intruder = foreign
    login(client, intruder)
    checked = []
    for rule, method in object_rules(app, '/admin/', shared=True):
        response = client.open(build(rule, ids), method=method, data={'accredited': '0'})
        checked.append((method, rule.rule, response.status_code))
        response.close()
    assert len(checked) == 4
    assert {(method, status) for method, _, status in checked} == {('GET', 200), ('POST', 403)}


def test_every_api_endpoint_with_an_object_id_is_404_for_another_organization(app, client, foreign):
    ids, intruder = foreign
    with atomic():
        token = api_token(intruder)
    headers = {'Authorization': f'Bearer {token}'}
    checked = []
    for rule, method in object_rules(app, '/api/v1'):
        if (method, rule.rule) in SHARED_READS:
            continue
        response = client.open(build(rule, ids), method=method, headers=headers, json=api_body(rule.rule, ids))
        checked.append((method, rule.rule, response.status_code))
        assert response.is_json, rule.rule
        response.close()
    assert len(checked) >= 30
    assert [item for item in checked if item[2] != 404] == []


def api_body(rule, ids):
    """A body the first organization's own user could send, so that only the access rule answers."""
    later = working_day(15).isoformat()
    bodies = {
        '/cancel': {'reason': 'x'},
        '/file': {'case_file_id': ids['case_file_id']},
        '/return': {'comment': 'x'},
        '/decide': {'decision': 'grant'},
        '/close-control': {'execution_mark': 'x', 'case_file_id': ids['case_file_id']},
        '/extensions': {'reason': 'x', 'deadline': later},
        '/reports': {'text': 'x'},
        '/appeal-extension': {'extension_days': 5, 'extension_reason': 'x', 'extension_notice': 'x'},
        'resolutions': {
            'text': 'x',
            'executors': [{'user_id': ids['user_id'], 'responsible': True, 'deadline': later}],
        },
    }
    return next((body for suffix, body in bodies.items() if rule.endswith(suffix)), {})


def test_cabinet_folders_and_lists_never_show_another_organizations_work(app, client, foreign):
    ids, intruder = foreign
    with atomic():
        token, own_token = api_token(intruder), api_token(ids['controller'])
    own = client.get('/api/v1/cabinet/control', headers={'Authorization': f'Bearer {own_token}'})
    assert SECRET in text_of(own)
    headers = {'Authorization': f'Bearer {token}'}
    pages = [f'/api/v1/cabinet/{folder.key}' for folder in FOLDERS]
    pages += ['/api/v1/cabinet', '/api/v1/assignments?filter=all', '/api/v1/notifications']
    for url in pages:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        assert SECRET not in text_of(response), url
    login(client, ids['controller'])
    assert SECRET in client.get('/cabinet/control').get_data(as_text=True)
    client.post('/logout')
    login(client, intruder)
    web_pages = [f'/cabinet/{folder.key}' for folder in FOLDERS] + ['/cabinet/', '/assignments/?filter=all']
    for url in [*web_pages, '/notifications/']:
        response = client.get(url)
        assert response.status_code == 200, url
        assert SECRET not in text_of(response), url


def text_of(response):
    """The answer as text, JSON with its Cyrillic unescaped (Flask's JSON escapes it)."""
    if response.is_json:
        return json.dumps(response.get_json(), ensure_ascii=False)
    return response.get_data(as_text=True)


def test_lists_and_search_never_show_another_organizations_cards(client, foreign):
    ids, intruder = foreign
    with atomic():
        token = api_token(intruder)
    response = client.get('/api/v1/cards?q=переписка', headers={'Authorization': f'Bearer {token}'})
    assert response.status_code == 200
    assert response.get_json()['items'] == []
    login(client, intruder)
    page = client.get('/cards/?q=переписка').get_data(as_text=True)
    assert f'/cards/{ids["card_id"]}"' not in page
