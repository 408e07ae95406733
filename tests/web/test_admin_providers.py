"""«Поставщики услуг и сведений»: the system administrator sees every service of the catalogue and every kind of
interagency data with the organizations named for them and the one in use, adds and names providers, turns them off
and on and removes service providers (each change journaled); a refused form comes back filled with the message next
to its field; an administrator of an organization changes nothing (the page is a 403, a provider's id a 404)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from edms.audit.models import AuditEntry
from edms.auth.models import User
from edms.citizen_services.catalogue.registry import catalogue
from edms.citizen_services.interagency_kinds import DATA_KINDS
from edms.citizen_services.models import ServiceProvider
from edms.citizen_services.models.interagency import InteragencyProvider
from edms.citizen_services.operations import create_provider
from edms.citizen_services.operations.interagency_register import set_interagency_provider
from edms.citizen_services.queries import active_provider
from edms.citizen_services.queries.interagency import active_interagency_provider
from edms.core.db import db
from edms.core.tx import atomic
from edms.directory.models import Organization
from tests.api.test_performance import counted_statements
from tests.factories import login, make_organization, make_user

SERVICE = 'temporary_registration'
PAGE = '/admin/providers/'


@dataclass
class World:
    operator: User
    first: Organization
    second: Organization
    mfc: Organization
    org_admin: User
    clerk: User


@pytest.fixture
def world(app_ctx) -> World:
    with atomic():
        operator = make_user(make_organization('Оператор'), 'administrator', is_system_admin=True)
        first, second = make_organization('Первое ведомство'), make_organization('Второе ведомство')
        mfc = make_organization('МФЦ', kind='mfc')
        org_admin, clerk = make_user(first, 'administrator'), make_user(first, 'clerk')
    return World(operator, first, second, mfc, org_admin, clerk)


def row(page: str, attribute: str, provider_id: int) -> str:
    """The text of a provider's table row."""
    match = re.search(rf'<tr {attribute}="{provider_id}">(.*?)</tr>', page, re.S)
    assert match, f'no row {attribute}={provider_id}'
    return ' '.join(re.sub(r'<[^>]+>', ' ', match.group(1)).split())


def field_message(page: str, field_id: str) -> str:
    match = re.search(rf'id="{field_id}".*?</select>\s*<div class="invalid-feedback">([^<]*)<', page, re.S)
    assert match, f'no message next to {field_id}'
    return match.group(1)


def selected(page: str, field_id: str) -> list[str]:
    match = re.search(rf'id="{field_id}"(.*?)</select>', page, re.S)
    assert match
    return re.findall(r'<option value="([^"]*)" selected>', match.group(1))


def journal(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def provider_changes() -> int:
    """Journal entries of provider changes (logging in is journaled too)."""
    actions = AuditEntry.action.like('citizen_services.provider.%') | AuditEntry.action.like('interagency.provider.%')
    return db.session.execute(select(func.count()).select_from(AuditEntry).where(actions)).scalar_one()


def count(model: type) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_the_page_lists_every_service_and_kind_of_data(client, world: World) -> None:
    with atomic():
        create_provider(world.operator, {'service_code': SERVICE, 'organization_id': world.first.id})
    login(client, world.operator)
    assert 'Поставщики услуг и сведений' in client.get('/admin/').get_data(as_text=True)
    response = client.get(PAGE)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for service in catalogue:
        assert f'data-service="{service.code}"' in page
        assert service.title in page
    for kind in DATA_KINDS.values():
        assert f'data-kind="{kind.key}"' in page
        assert kind.title in page
    provider = db.session.execute(select(ServiceProvider)).scalar_one()
    assert row(page, 'data-provider', provider.id).startswith(world.first.short_name)
    assert 'заявления направляются сюда' in row(page, 'data-provider', provider.id)
    organizations = re.search(r'id="services-organization_id"(.*?)</select>', page, re.S).group(1)
    assert world.first.short_name in organizations
    assert world.mfc.short_name not in organizations  # an МФЦ files applications, it does not decide them
    assert 'Запросы не направляются: нет отвечающего ведомства.' in page


def test_adding_and_naming_providers_is_journaled(client, world: World) -> None:
    login(client, world.operator)
    response = client.post(
        '/admin/providers/services', data={'service_code': SERVICE, 'organization_id': world.first.id}
    )
    assert response.status_code == 302
    assert response.headers['Location'].endswith('/admin/providers/#services')
    provider = active_provider(SERVICE)
    assert provider is not None
    assert provider.organization_id == world.first.id
    [entry] = journal('citizen_services.provider.create')
    assert (entry.actor_id, entry.object_id) == (world.operator.id, str(provider.id))
    assert f'Ведомство «{world.first.short_name}» добавлено к услуге' in client.get(PAGE).get_data(as_text=True)

    response = client.post(
        '/admin/providers/interagency', data={'data_kind': 'egrul', 'organization_id': world.second.id}
    )
    assert response.status_code == 302
    answering = active_interagency_provider('egrul')
    assert answering is not None
    assert answering.organization_id == world.second.id
    [entry] = journal('interagency.provider.set')
    assert (entry.actor_id, entry.object_id) == (world.operator.id, str(answering.id))
    assert entry.data == {'data_kind': 'egrul', 'organization_id': world.second.id}
    page = client.get(PAGE).get_data(as_text=True)
    assert 'запросы направляются сюда' in row(page, 'data-interagency-provider', answering.id)


def test_turning_a_service_provider_off_hands_filing_to_the_next_one(client, world: World) -> None:
    with atomic():
        first = create_provider(world.operator, {'service_code': SERVICE, 'organization_id': world.first.id}).id
        second = create_provider(world.operator, {'service_code': SERVICE, 'organization_id': world.second.id}).id
    login(client, world.operator)
    page = client.get(PAGE).get_data(as_text=True)
    assert 'заявления направляются сюда' in row(page, 'data-provider', first)
    assert 'в резерве' in row(page, 'data-provider', second)

    assert client.post(f'/admin/providers/services/{first}/deactivate').status_code == 302
    assert active_provider(SERVICE).id == second
    page = client.get(PAGE).get_data(as_text=True)
    assert 'не действует' in row(page, 'data-provider', first)
    assert 'заявления направляются сюда' in row(page, 'data-provider', second)
    assert journal('citizen_services.provider.update')[-1].data['is_active'] is False

    assert client.post(f'/admin/providers/services/{first}/activate').status_code == 302
    assert active_provider(SERVICE).id == first
    assert client.post(f'/admin/providers/services/{first}/delete').status_code == 302
    assert active_provider(SERVICE).id == second
    assert db.session.get(ServiceProvider, first) is None
    [entry] = journal('citizen_services.provider.delete')
    assert entry.object_id == str(first)


def test_an_interagency_provider_stops_and_resumes_answering(client, world: World) -> None:
    with atomic():
        first = set_interagency_provider(world.operator, 'passport', world.first).id
        second = set_interagency_provider(world.operator, 'passport', world.second).id
    login(client, world.operator)
    assert client.post(f'/admin/providers/interagency/{first}/deactivate').status_code == 302
    assert active_interagency_provider('passport').id == second
    [entry] = journal('interagency.provider.update')
    assert (entry.object_id, entry.data['is_active']) == (str(first), False)
    page = client.get(PAGE).get_data(as_text=True)
    assert 'не действует' in row(page, 'data-interagency-provider', first)
    assert 'запросы направляются сюда' in row(page, 'data-interagency-provider', second)

    assert client.post(f'/admin/providers/interagency/{second}/deactivate').status_code == 302
    assert active_interagency_provider('passport') is None
    assert client.post(f'/admin/providers/interagency/{first}/activate').status_code == 302
    assert active_interagency_provider('passport').id == first
    assert len(journal('interagency.provider.update')) == 3


@pytest.mark.parametrize(
    ('url', 'data', 'field_id', 'message', 'kept'),
    [
        (
            '/admin/providers/services',
            {'service_code': SERVICE, 'organization_id': ''},
            'services-organization_id',
            '«Ведомство»: обязательное поле.',
            ('services-service_code', SERVICE),
        ),
        (
            '/admin/providers/services',
            {'service_code': SERVICE, 'organization_id': 'mfc'},
            'services-organization_id',
            '«Ведомство»: МФЦ, партнёр или портал не предоставляют услуги.',
            ('services-service_code', SERVICE),
        ),
        (
            '/admin/providers/interagency',
            {'data_kind': 'nonsense', 'organization_id': 'second'},
            'interagency-data_kind',
            '«Вид сведений»: нет вида «nonsense».',
            ('interagency-organization_id', 'second'),
        ),
        (
            '/admin/providers/interagency',
            {'data_kind': 'egrn', 'organization_id': ''},
            'interagency-organization_id',
            '«Организация»: обязательное поле.',
            ('interagency-data_kind', 'egrn'),
        ),
    ],
)
def test_a_refused_form_comes_back_filled_with_the_message_next_to_its_field(
    client, world: World, url, data, field_id, message, kept
) -> None:
    ids = {'mfc': str(world.mfc.id), 'second': str(world.second.id)}
    data = {name: ids.get(value, value) for name, value in data.items()}
    login(client, world.operator)
    response = client.post(url, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_message(page, field_id) == message
    kept_field, kept_value = kept
    assert selected(page, kept_field) == [ids.get(kept_value, kept_value)]
    if data.get('data_kind') == 'nonsense':
        assert selected(page, 'interagency-data_kind') == ['nonsense']  # what was sent is not lost
    assert count(ServiceProvider) == count(InteragencyProvider) == 0
    assert not journal('citizen_services.provider.create')
    assert not journal('interagency.provider.set')


def test_an_organization_administrator_changes_nothing(client, world: World) -> None:
    with atomic():
        service = create_provider(world.operator, {'service_code': SERVICE, 'organization_id': world.first.id}).id
        kind = set_interagency_provider(world.operator, 'egrul', world.first).id
    journaled = provider_changes()
    login(client, world.org_admin)
    assert 'Поставщики услуг и сведений' not in client.get('/admin/').get_data(as_text=True)
    assert client.get(PAGE).status_code == 403
    data = {'service_code': SERVICE, 'organization_id': world.second.id}
    assert client.post('/admin/providers/services', data=data).status_code == 403
    data = {'data_kind': 'egrn', 'organization_id': world.first.id}
    assert client.post('/admin/providers/interagency', data=data).status_code == 403
    for action in ('deactivate', 'activate', 'delete'):
        assert client.post(f'/admin/providers/services/{service}/{action}').status_code == 404
    for action in ('deactivate', 'activate'):
        assert client.post(f'/admin/providers/interagency/{kind}/{action}').status_code == 404
    db.session.expire_all()
    assert db.session.get(ServiceProvider, service).is_active
    assert db.session.get(InteragencyProvider, kind).is_active
    assert count(ServiceProvider) == count(InteragencyProvider) == 1
    assert provider_changes() == journaled
    client.post('/logout')
    login(client, world.clerk)
    assert client.get(PAGE).status_code == 403


def test_unknown_provider_ids_are_not_found(client, world: World) -> None:
    login(client, world.operator)
    assert client.post('/admin/providers/services/999/deactivate').status_code == 404
    assert client.post('/admin/providers/services/999/delete').status_code == 404
    assert client.post('/admin/providers/interagency/999/deactivate').status_code == 404


def page_statements(client) -> int:
    db.session.remove()
    with counted_statements() as seen:
        assert client.get(PAGE).status_code == 200
    return len(seen)


def test_the_page_reads_the_same_number_of_statements_however_many_providers(client, world: World) -> None:
    operator_id, first_id, second_id = world.operator.id, world.first.id, world.second.id
    with atomic():
        create_provider(world.operator, {'service_code': SERVICE, 'organization_id': first_id})
        set_interagency_provider(world.operator, 'egrul', world.first)
    login(client, world.operator)
    few = page_statements(client)
    with atomic():
        operator = db.session.get(User, operator_id)
        second = db.session.get(Organization, second_id)
        deciding, answering = ([make_organization(f'Ведомство {side}{n}') for n in range(3)] for side in 'АБ')
        for organization in [second, *deciding]:
            for service in catalogue:
                create_provider(operator, {'service_code': service.code, 'organization_id': organization.id})
        for organization in [second, *answering]:
            for kind in DATA_KINDS:
                set_interagency_provider(operator, kind, organization)
        for organization in deciding + answering:  # not among the forms' choices: read with the providers
            organization.is_active = False
    assert page_statements(client) == few
