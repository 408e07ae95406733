"""Routing in the browser: the administrator's rule list with its order buttons, the rule form that comes back
filled with Russian messages, editing, moving and deleting, «Проверить правила» without saving; the card page shows
the rule that fired and the registrar's «Направить по правилам»; another organization's rules and cards are 404."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from edms.core.db import db
from edms.core.tx import atomic
from edms.registry.models import Card
from edms.routing.models import RoutingDecision, RoutingRule
from edms.routing.operations import route_card, sample_of
from edms.routing.queries import decision_of, list_rules
from tests.factories import login
from tests.routing.conftest import Ministry, count
from tests.routing.test_trial import written


def names(ministry: Ministry) -> list[str]:
    with atomic():
        return [rule.name for rule in list_rules(ministry.org.id)]


def test_the_admin_index_links_the_rules_and_the_list_shows_them_in_order(client: FlaskClient, ministry: Ministry):
    ministry.rule(name='Первое', document_kind='Письмо')
    ministry.rule(name='Второе', executor_id=ministry.executor.id, department_id=None)
    login(client, ministry.admin)

    index = client.get('/admin/').get_data(as_text=True)
    assert f'/admin/organizations/{ministry.org.id}/routing/' in index
    page = client.get(f'/admin/organizations/{ministry.org.id}/routing/').get_data(as_text=True)
    assert page.index('Первое') < page.index('Второе')
    assert 'Вид документа: «Письмо»' in page
    assert f'Исполнитель: {ministry.executor.full_name}' in page
    assert page.count('name="direction"') == 4
    assert 'name="csrf_token"' in page


def test_a_refused_rule_form_comes_back_filled_with_russian_messages(client: FlaskClient, ministry: Ministry):
    login(client, ministry.admin)
    form = {'name': '', 'document_kind': 'Заявление', 'correspondent_text': 'Ромашка', 'card_kind': 'x'}

    response = client.post(f'/admin/organizations/{ministry.org.id}/routing/new', data=form)

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '«Название правила»: обязательное поле.' in html
    assert '«Подразделение»: укажите подразделение или исполнителя, куда направлять.' in html
    assert '«Вид карточки»: недопустимое значение «x»' in html
    assert 'value="Заявление"' in html
    assert 'value="Ромашка"' in html
    assert count(RoutingRule) == 1  # the other organization's


def test_a_rule_is_created_edited_moved_and_deleted(client: FlaskClient, ministry: Ministry):
    login(client, ministry.admin)
    base = f'/admin/organizations/{ministry.org.id}/routing'
    form = {'name': 'Письма', 'is_active': '1', 'document_kind': 'Письмо', 'department_id': ministry.legal.id}
    assert client.post(f'{base}/new', data=form).status_code == 302
    assert client.post(f'{base}/new', data={**form, 'name': 'Приказы'}).status_code == 302
    with atomic():
        first, second = (rule.id for rule in list_rules(ministry.org.id))

    page = client.get(f'/admin/routing/{first}/edit').get_data(as_text=True)
    assert 'value="Письма"' in page
    edited = {**form, 'name': 'Письма граждан', 'executor_id': ministry.lawyer.id}
    assert client.post(f'/admin/routing/{first}/edit', data=edited).status_code == 302
    assert client.post(f'/admin/routing/{second}/move', data={'direction': 'up'}).status_code == 302
    assert names(ministry) == ['Приказы', 'Письма граждан']
    assert client.post(f'/admin/routing/{second}/move', data={'direction': 'diagonal'}).status_code == 302
    assert names(ministry) == ['Приказы', 'Письма граждан']
    assert client.post(f'/admin/routing/{second}/delete').status_code == 302
    assert names(ministry) == ['Письма граждан']
    db.session.expire_all()
    with atomic():
        assert db.session.get(RoutingRule, first).executor_id == ministry.lawyer.id


def test_the_trial_page_shows_the_rule_that_would_fire_and_saves_nothing(client: FlaskClient, ministry: Ministry):
    ministry.rule(name='По МЭДО', delivery_method='medo')
    ministry.rule(name='Приказы юристам', document_kind='Приказ', executor_id=ministry.lawyer.id)
    card = ministry.card(document_kind='Приказ', delivery_method='courier')
    login(client, ministry.admin)
    before = written()

    url = f'/admin/organizations/{ministry.org.id}/routing/try'
    typed = client.get(url, query_string={'tried': '1', 'document_kind': 'приказ', 'delivery_method': 'post'})
    from_card = client.get(url, query_string={'card_id': card.id})

    for response in (typed, from_card):
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert 'Сработает правило № 2 «Приказы юристам»' in html
        assert 'а правило требует «МЭДО»' in html
    assert 'value="Приказ"' in from_card.get_data(as_text=True)
    assert written() == before


def test_the_trial_page_refuses_a_wrong_sample_with_the_form_filled(client: FlaskClient, ministry: Ministry):
    login(client, ministry.admin)
    url = f'/admin/organizations/{ministry.org.id}/routing/try'
    response = client.get(url, query_string={'kind': 'letter', 'document_kind': 'Письмо'})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '«Вид карточки»: недопустимое значение «letter»' in html
    assert 'value="Письмо"' in html


def test_the_card_page_shows_the_rule_that_fired_and_why(client: FlaskClient, ministry: Ministry):
    ministry.rule(
        name='Письма налоговой', correspondent_organization_id=ministry.tax.id, executor_id=ministry.executor.id
    )
    card = ministry.card(correspondent_organization_id=ministry.tax.id)
    with atomic():
        route_card(db.session.get(Card, card.id), sample_of(db.session.get(Card, card.id)))
    login(client, ministry.clerk)

    html = client.get(f'/cards/{card.id}').get_data(as_text=True)

    section = re.search(r'<section class="card mb-3" id="card-routing".*?</section>', html, re.S).group(0)
    assert 'Направлено по правилу «Письма налоговой»' in section
    assert f'исполнитель {ministry.executor.full_name}' in section
    assert f'корреспондент — «{ministry.tax.short_name}»' in section
    assert 'Система' in section
    assert 'Направить по правилам' in section


def test_the_registrar_routes_a_card_with_the_button(client: FlaskClient, ministry: Ministry):
    card = ministry.card()
    login(client, ministry.clerk)

    refused = client.post(f'/cards/{card.id}/route')
    assert refused.status_code == 409
    assert 'Ни одно действующее правило маршрутизации не подходит' in refused.get_data(as_text=True)

    ministry.rule(name='Все', department_id=ministry.legal.id)
    response = client.post(f'/cards/{card.id}/route', follow_redirects=True)
    assert 'Карточка направлена по правилу «Все»' in response.get_data(as_text=True)
    db.session.expire_all()  # the test's own session read the card before the request changed it
    with atomic():
        decision = decision_of(card.id)
        assert (decision.decided_by_id, decision.department_id) == (ministry.clerk.id, ministry.legal.id)
        assert db.session.get(Card, card.id).department_id == ministry.legal.id


def test_another_organizations_rules_and_cards_are_not_found(client: FlaskClient, ministry: Ministry):
    card = ministry.card()
    rule_id, org_id = ministry.other_rule.id, ministry.other.id
    login(client, ministry.admin)
    urls = [
        ('GET', f'/admin/organizations/{org_id}/routing/'),
        ('GET', f'/admin/organizations/{org_id}/routing/new'),
        ('POST', f'/admin/organizations/{org_id}/routing/new'),
        ('GET', f'/admin/organizations/{org_id}/routing/try'),
        ('GET', f'/admin/routing/{rule_id}/edit'),
        ('POST', f'/admin/routing/{rule_id}/edit'),
        ('POST', f'/admin/routing/{rule_id}/move'),
        ('POST', f'/admin/routing/{rule_id}/delete'),
        ('GET', '/admin/routing/99999999999/edit'),
    ]
    for method, url in urls:
        assert client.open(url, method=method, data={'name': 'x', 'direction': 'up'}).status_code == 404, url
    client.post('/logout')
    login(client, ministry.other_admin)
    assert client.post(f'/cards/{card.id}/route').status_code == 404
    own_try = f'/admin/organizations/{org_id}/routing/try'
    assert client.get(own_try, query_string={'card_id': card.id}).status_code == 404
    assert count(RoutingDecision) == 0


def test_garbage_in_the_forms_is_never_a_server_error(client: FlaskClient, ministry: Ministry):
    rule = ministry.rule(name='Правило')
    card = ministry.card()
    login(client, ministry.admin)
    garbage = ('x' * 5000, '-1', '99999999999999999999999', '\x00\x01', '<script>', '²', 'нет')
    fields = ('name', 'is_active', 'card_kind', 'document_kind', 'correspondent_organization_id', 'executor_id')
    fields += ('correspondent_text', 'service_code', 'delivery_method', 'department_id', 'comment', 'direction')
    fields += ('kind', 'correspondent_name', 'card_id')
    base = f'/admin/organizations/{ministry.org.id}/routing'
    for value in garbage:
        data = dict.fromkeys(fields, value)
        for method, url in (
            ('POST', f'{base}/new'),
            ('POST', f'/admin/routing/{rule.id}/edit'),
            ('POST', f'/admin/routing/{rule.id}/move'),
            ('GET', f'{base}/try'),
            ('POST', f'/cards/{card.id}/route'),
        ):
            kwargs = {'query_string': data} if method == 'GET' else {'data': data}
            response = client.open(url, method=method, **kwargs)
            assert response.status_code < 500, (url, value, response.status_code)
