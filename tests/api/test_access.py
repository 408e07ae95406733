"""Object-level access through the API: another organization's cards and restricted (ДСП) cards are 404, always."""

from __future__ import annotations

from io import BytesIO

from edms.core.tx import atomic
from tests.api.conftest import PDF_BYTES, api_user, created_card, upload
from tests.factories import make_case_file, make_organization


def card_requests(card_id: int, attachment_id: int, case_file_id: int) -> list[tuple[str, str, dict]]:
    """Every card endpoint with a body that would be valid for the card's own organization."""
    base = f'/api/v1/cards/{card_id}'
    attachment = f'{base}/attachments/{attachment_id}'
    return [
        ('GET', base, {}),
        ('PATCH', base, {'json': {'signer': 'Чужой'}}),
        ('POST', f'{base}/register', {'json': {}}),
        ('POST', f'{base}/cancel', {'json': {'reason': 'Чужая'}}),
        ('POST', f'{base}/file', {'json': {'case_file_id': case_file_id}}),
        ('GET', f'{base}/history', {}),
        ('GET', f'{base}/attachments', {}),
        ('POST', f'{base}/attachments', {'data': {'file': (BytesIO(PDF_BYTES), 'a.pdf')}}),
        ('GET', attachment, {}),
        ('GET', f'{attachment}/content', {}),
        ('DELETE', attachment, {}),
    ]


def test_every_card_endpoint_answers_404_for_another_organizations_card(client, org, clerk):
    card = created_card(client, clerk)
    attachment = upload(client, clerk, card['id'], PDF_BYTES).get_json()
    with atomic():
        case_file = make_case_file(org)
        stranger_org = make_organization('Другое ведомство')
    stranger = api_user(stranger_org, 'clerk', 'administrator', can_access_restricted=True)
    for method, url, kwargs in card_requests(card['id'], attachment['id'], case_file.id):
        response = client.open(url, method=method, headers=stranger.headers, **kwargs)
        assert response.status_code == 404, (method, url, response.get_json())
        assert response.get_json()['error']['code'] in ('card_not_found', 'attachment_not_found'), (method, url)
    after = client.get(f'/api/v1/cards/{card["id"]}', headers=clerk.headers).get_json()
    assert (after['status'], after['signer'], len(after['attachments'])) == ('registered', '', 1)
    assert client.get('/api/v1/cards', headers=stranger.headers).get_json()['items'] == []


def test_restricted_card_is_404_for_a_plain_user_and_visible_with_the_right(client, org, clerk):
    card = created_card(client, clerk, access_mark='restricted', summary='Служебная записка')
    attachment = upload(client, clerk, card['id'], PDF_BYTES).get_json()
    plain = api_user(org, 'clerk')
    for url in (
        card['url'],
        f'{card["url"]}/history',
        f'{card["url"]}/attachments',
        attachment['url'],
        attachment['download_url'],
    ):
        response = client.get(url, headers=plain.headers)
        assert response.status_code == 404, url
    assert client.get('/api/v1/cards', headers=plain.headers).get_json()['items'] == []
    reader = api_user(org, 'executor', can_access_restricted=True)
    assert client.get(card['url'], headers=reader.headers).get_json()['summary'] == 'Служебная записка'
    assert client.get(card['url'], headers=clerk.headers).status_code == 200


def test_unknown_card_and_attachment_ids_are_404_json(client, clerk):
    card = created_card(client, clerk)
    assert client.get('/api/v1/cards/999999', headers=clerk.headers).get_json()['error']['code'] == 'card_not_found'
    response = client.get(f'/api/v1/cards/{card["id"]}/attachments/999999', headers=clerk.headers)
    assert (response.status_code, response.get_json()['error']['code']) == (404, 'attachment_not_found')
