"""Two agencies, two nodes (issue 5): each agency runs its own installation — PostgreSQL, Redis, an RQ worker and a
gunicorn server on loopback — and the two talk only over HTTP, as МЭДО partners do.

Agency A (the ministry, whose signer holds the test PKI's qualified RSA certificate) registers an outgoing letter
addressed to agency B, attaches the PDF, signs it and sends it. B's worker turns the packet into a draft in
«На регистрацию»; B's clerk registers it, and A's card shows «Зарегистрирован» with B's number. B's manager then
assigns an executor, the executor reports, and A's card shows those steps too. Everything is driven through the two
nodes' HTTP APIs; the asynchronous steps are polled with a deadline, and a failure prints both nodes' logs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from scripts.make_test_pki import MINISTRY, PASSWORD, TestPki
from tests.factories import inn10, ogrn
from tests.servers import ServerUnavailable
from tests.signatures.conftest import test_pki  # noqa: F401 - the session fixture of the generated PKI
from tests.twonode.client import ApiClient
from tests.twonode.nodes import Agency, Node, launch_pair

pytestmark = pytest.mark.timeout(300)

AGENCY_A = Agency(
    key='a',
    name=MINISTRY['name'],
    short_name='Минцифры Энской обл.',
    ogrn=MINISTRY['ogrn'],
    inn=MINISTRY['inn_le'],
    kpp='773601001',
    guid='3b2f6a1c-58d4-4e0b-9a41-0d6c2e7f1a01',
    mailbox='MINCIFRY_S',
)
AGENCY_B = Agency(
    key='b',
    name='Управление по вопросам миграции МВД по Энской области',
    short_name='УВМ МВД Энской обл.',
    ogrn=ogrn('103770045678'),
    inn=inn10('770512345'),
    kpp='770501001',
    guid='9e4d1c7a-2b6f-4a83-b5e0-6f1d3c8a2b02',
    mailbox='UVM_ENSK_S',
    kind='agency',
)
#: The trusted hierarchy of A's signer (root and accredited intermediate) with their CRLs, on both nodes.
TRUSTED_CAS = ('root', 'ca')
SIGNER = 'rsa'
SUMMARY = 'О согласовании порядка межведомственного обмена сведениями о пользователях'
#: Each asynchronous step (worker → HTTP → the other node's worker) must show within this many seconds.
STEP_TIMEOUT = 60.0
POLL_INTERVAL = 0.25


def node_specs(pki: TestPki) -> Callable[[Node, Node], dict[str, Any]]:
    """The seeding of each node: A's clerk and signer (with the PKCS#12 bound), B's clerk, manager and executor."""
    signer_files = pki.users[SIGNER]
    assert signer_files.p12 is not None
    trust = {
        'trust': [
            {'path': str(pki.cas[name].cert_der), 'accredited': pki.cas[name].accredited} for name in TRUSTED_CAS
        ],
        'crls': [str(pki.cas[name].crl_der) for name in TRUSTED_CAS],
    }
    container = {'path': str(signer_files.p12), 'password': PASSWORD}
    staff = {
        'a': [
            {'login': 'clerk', 'roles': ['clerk']},
            {
                'login': 'signer',
                'roles': ['manager'],
                'last_name': signer_files.profile['surname'],
                'snils': signer_files.profile['snils'],
                'pkcs12': container,
            },
        ],
        'b': [
            {'login': 'clerk', 'roles': ['clerk']},
            {'login': 'manager', 'roles': ['manager'], 'last_name': 'Руководителев'},
            {'login': 'executor', 'roles': ['executor'], 'last_name': 'Исполнителев'},
        ],
    }

    def spec(node: Node, partner: Node) -> dict[str, Any]:
        return {**trust, 'users': staff[node.agency.key]}

    return spec


@pytest.fixture(scope='module')
def nodes(tmp_path_factory: pytest.TempPathFactory, test_pki: TestPki) -> Iterator[tuple[Node, Node]]:  # noqa: F811
    base = tmp_path_factory.mktemp('twonode')
    try:
        with launch_pair(base, (AGENCY_A, AGENCY_B), node_specs(test_pki)) as pair:
            yield pair
    except ServerUnavailable as error:
        pytest.skip(f'PostgreSQL или Redis недоступны: {error.reason}')


@pytest.fixture(scope='module')
def letter() -> dict[str, Any]:
    """What the first test learnt (card ids, numbers), for the test that continues the same letter's story."""
    return {}


@contextmanager
def logs_on_failure(*nodes: Node) -> Iterator[None]:
    try:
        yield
    except Exception:
        print('\n'.join(node.logs() for node in nodes))  # pytest shows it with the failure
        raise


def wait_for(what: str, probe: Callable[[], tuple[bool, Any]], timeout: float = STEP_TIMEOUT) -> Any:
    """Poll `probe` (done?, what was seen) until done; AssertionError naming `what` and the last sight on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        done, seen = probe()
        if done:
            return seen
        if time.monotonic() > deadline:
            raise AssertionError(f'no {what} within {timeout:.0f} s; last seen: {seen!r}')
        time.sleep(POLL_INTERVAL)


def the_dispatch(client: ApiClient, card_id: int) -> dict[str, Any]:
    dispatches = client.get(f'/cards/{card_id}/dispatches').expect(200)['dispatches']
    assert len(dispatches) == 1, dispatches
    return dispatches[0]


def dispatch_has(client: ApiClient, card_id: int, kind: str) -> Callable[[], tuple[bool, Any]]:
    def probe() -> tuple[bool, Any]:
        dispatch = the_dispatch(client, card_id)
        return any(event['kind'] == kind for event in dispatch['events']), dispatch

    return probe


def kinds(dispatch: dict[str, Any]) -> list[str]:
    return [event['kind'] for event in dispatch['events']]


def event(dispatch: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(item for item in dispatch['events'] if item['kind'] == kind)


def letter_pdf() -> bytes:
    """A valid one-page A4 PDF with a line of text, cross-reference table and all (no PDF library needed)."""
    content = b'BT /F1 14 Tf 72 760 Td (Letter to agency B) Tj ET'
    objects = [
        b'<< /Type /Catalog /Pages 2 0 R >>',
        b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
        b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R '
        b'/Resources << /Font << /F1 5 0 R >> >> >>',
        b'<< /Length %d >>\nstream\n%s\nendstream' % (len(content), content),
        b'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    ]
    pdf, offsets = bytearray(b'%PDF-1.4\n'), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b'%d 0 obj\n%s\nendobj\n' % (number, body)
    xref = len(pdf)
    pdf += b'xref\n0 %d\n0000000000 65535 f \n' % (len(objects) + 1)
    pdf += b''.join(b'%010d 00000 n \n' % offset for offset in offsets)
    pdf += b'trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n' % (len(objects) + 1, xref)
    return bytes(pdf)


# --- the letter from A to B -------------------------------------------------------------------------------------------


def send_signed_letter(a: Node) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A: the outgoing card addressed to B, registered; its PDF signed by the qualified signer; sent. Returns the
    card, its file and the answer of the sending."""
    clerk, signer = ApiClient(a.base_url, a.token('clerk')), ApiClient(a.base_url, a.token('signer'))
    card = clerk.post(
        '/cards',
        {
            'kind': 'outgoing',
            'document_kind': 'Письмо',
            'summary': SUMMARY,
            'addressees': [{'name': AGENCY_B.name, 'organization_id': a.seeded['partner_organization_id']}],
            'signer': 'Иванов И. И.',
            'pages': 1,
            'delivery_method': 'medo',
            'register': True,
        },
    ).expect(201)
    assert card['status'] == 'registered', card
    assert card['reg_number'], card
    attachment = clerk.upload(
        f'/cards/{card["id"]}/attachments', {'file': ('letter.pdf', letter_pdf())}, {'description': 'Текст письма'}
    ).expect(201)
    certificate_id = a.seeded['users']['signer']['certificate_id']
    signature = signer.post(
        f'/cards/{card["id"]}/attachments/{attachment["id"]}/signatures',
        {'certificate_id': certificate_id, 'password': PASSWORD},
    ).expect(201)
    assert signature['last_verdict'] == 'valid', signature
    sent = clerk.post(f'/cards/{card["id"]}/dispatches', {}).expect(201)
    return card, attachment, sent


def test_a_letter_sent_by_a_is_registered_by_b_and_a_sees_b_s_number(nodes: tuple[Node, Node], letter: dict) -> None:
    a, b = nodes
    a_clerk, b_clerk = ApiClient(a.base_url, a.token('clerk')), ApiClient(b.base_url, b.token('clerk'))
    with logs_on_failure(a, b):
        card, pdf, sent = send_signed_letter(a)
        card_id, number = card['id'], card['reg_number']
        assert [item['destination']['guid'] for item in sent['dispatches']] == [AGENCY_B.guid], sent

        def draft_on_b() -> tuple[bool, Any]:
            page = b_clerk.get('/cards?kind=incoming&status=draft').expect(200)
            if page['total'] == 1:
                return True, page
            return False, {'drafts_on_b': page, 'dispatch_on_a': the_dispatch(a_clerk, card_id)}

        draft_item = wait_for('incoming draft on B', draft_on_b)['items'][0]
        draft = b_clerk.get(f'/cards/{draft_item["id"]}').expect(200)
        assert (draft['sender_number'], draft['summary']) == (number, SUMMARY), draft
        assert draft['correspondent_organization_id'] == b.seeded['partner_organization_id'], draft
        assert draft['delivery_method'] == 'medo', draft
        main_file = draft['attachments'][0]
        assert (main_file['sha256'], main_file['content_type']) == (pdf['sha256'], 'application/pdf'), main_file
        kept = b_clerk.get(f'/cards/{draft["id"]}/attachments/{main_file["id"]}/signatures').expect(200)['items']
        assert [item['last_verdict'] for item in kept] == ['valid'], kept

        wait_for("«delivered» on A (B's receipt)", dispatch_has(a_clerk, card_id, 'delivered'))

        registered = b_clerk.post(f'/cards/{draft["id"]}/register', {}).expect(200)
        b_number = registered['reg_number']
        assert registered['status'] == 'registered', registered
        assert b_number, registered

        dispatch = wait_for('«Зарегистрирован» on A', dispatch_has(a_clerk, card_id, 'registered'))
        assert (dispatch['status'], dispatch['registered_number']) == ('registered', b_number), dispatch
        assert dispatch['registered_date'] == registered['reg_date'], dispatch
        assert event(dispatch, 'registered')['label'] == 'Зарегистрирован', dispatch
        assert b_number in event(dispatch, 'registered')['text'], dispatch
        assert kinds(dispatch)[:2] == ['queued', 'sent'], dispatch
        letter.update(a_card=card_id, b_card=draft['id'], b_number=b_number)


def test_b_assigning_an_executor_and_the_report_show_on_a_s_card(nodes: tuple[Node, Node], letter: dict) -> None:
    a, b = nodes
    if 'b_card' not in letter:
        pytest.fail('the letter was not registered by B (see the previous test)')
    a_clerk = ApiClient(a.base_url, a.token('clerk'))
    manager, executor = ApiClient(b.base_url, b.token('manager')), ApiClient(b.base_url, b.token('executor'))
    with logs_on_failure(a, b):
        executor_id = b.seeded['users']['executor']['id']
        resolution = manager.post(
            f'/cards/{letter["b_card"]}/resolutions',
            {
                'text': 'Подготовить предложения по порядку обмена',
                'executors': [{'user_id': executor_id, 'responsible': True, 'deadline_days': 10}],
            },
        ).expect(201)
        assert resolution['status'] == 'approved', resolution

        dispatch = wait_for('«Назначен исполнитель» on A', dispatch_has(a_clerk, letter['a_card'], 'executor_assigned'))
        assigned = event(dispatch, 'executor_assigned')
        assert assigned['label'] == 'Назначен исполнитель', dispatch
        assert 'Исполнителев' in assigned['text'], dispatch

        assignments = executor.get('/assignments').expect(200)['items']
        assert len(assignments) == 1, assignments
        executor.post(
            f'/assignments/{assignments[0]["id"]}/reports', {'text': 'Предложения подготовлены и направлены.'}
        ).expect(201)

        dispatch = wait_for('the report step on A', dispatch_has(a_clerk, letter['a_card'], 'report_sent'))
        assert event(dispatch, 'report_sent')['label'] == 'Доклад направлен', dispatch
        steps = kinds(dispatch)
        expected = ['queued', 'sent', 'delivered', 'registered', 'executor_assigned', 'report_sent']
        assert [kind for kind in steps if kind in expected] == expected, dispatch
        assert dispatch['status'] == 'registered', dispatch
