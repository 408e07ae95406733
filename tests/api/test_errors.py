"""Every API failure is JSON: unknown URLs, wrong methods, oversize requests."""

from __future__ import annotations


def test_unknown_api_url_is_404_json(client, clerk):
    response = client.get('/api/v1/nothing-here', headers=clerk.headers)
    assert response.status_code == 404
    assert response.get_json()['error'] == {
        'code': 'not_found',
        'message': 'Страница или объект не найдены.',
        'fields': {},
    }


def test_wrong_method_is_405_json(client, clerk):
    response = client.put('/api/v1/cards', json={}, headers=clerk.headers)
    assert response.status_code == 405
    assert response.get_json()['error']['message'] == 'Метод не поддерживается.'


def test_request_over_the_content_limit_is_413_json(app, client, clerk, monkeypatch):
    monkeypatch.setitem(app.config, 'MAX_CONTENT_LENGTH', 1024)
    response = client.post('/api/v1/cards', json={'summary': 'x' * 4096}, headers=clerk.headers)
    assert response.status_code == 413
    assert response.get_json()['error']['message'] == 'Файл или запрос слишком велик.'


def test_api_answers_json_with_security_headers(client, clerk):
    response = client.get('/api/v1/me', headers=clerk.headers)
    assert response.mimetype == 'application/json'
    assert response.headers['X-Content-Type-Options'] == 'nosniff'
    assert response.headers['Cache-Control'] == 'no-store'
