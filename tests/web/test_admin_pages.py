"""The administrator's pages: access, organizations, users and sessions, API tokens, journals, case files, audit."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from edms.audit.models import AuditEntry
from edms.auth.errors import LoginFailed
from edms.auth.models import ApiToken, Role, User, UserSession
from edms.auth.operations import authenticate_token
from edms.auth.queries import find_user_by_login
from edms.core.clock import local_today
from edms.core.db import db
from edms.core.tx import atomic
from edms.directory.models import Department, Organization
from edms.registry.models import CaseFile, Journal
from tests.factories import inn10, login, make_case_file, make_organization, make_user, ogrn


@pytest.fixture
def org(app_ctx: Flask) -> Organization:
    with atomic():
        organization = make_organization()
    return organization


@pytest.fixture
def admin(org: Organization) -> User:
    with atomic():
        user = make_user(org, 'administrator')
    return user


@pytest.fixture
def admin_client(client: FlaskClient, admin: User) -> FlaskClient:
    login(client, admin)
    return client


def _fresh(model: type, object_id: int) -> object:
    db.session.expire_all()
    return db.session.get(model, object_id)


def _live_sessions(user_id: int) -> int:
    db.session.expire_all()
    query = select(func.count()).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
    return db.session.execute(query).scalar_one()


def _org_form(**overrides: str) -> dict[str, str]:
    data = {
        'name': 'Министерство цифрового развития области',
        'short_name': 'Минцифры области',
        'kind': 'ministry',
        'ogrn': ogrn('102770099999'),
        'inn': inn10('770799999'),
        'kpp': '773601001',
        'address': 'г. Москва, ул. Тверская, д. 1',
        'email': 'info@example.ru',
        'medo_id': '',
        'is_active': '1',
    }
    data.update(overrides)
    return data


def test_org_admin_creates_user_whose_initial_password_works_and_forces_change(
    app_ctx: Flask, admin_client: FlaskClient, org: Organization
) -> None:
    form = {'login': 'ivanov', 'last_name': 'Иванов', 'first_name': 'Иван', 'roles': ['clerk', 'executor']}
    response = admin_client.post(f'/admin/organizations/{org.id}/users/new', data=form, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'Начальный пароль' in page
    match = re.search(r'id="secret">([A-Za-z0-9]+)<', page)
    assert match, page
    password = match.group(1)
    user = find_user_by_login(org.id, 'ivanov')
    assert user is not None
    assert user.roles == {Role.clerk, Role.executor}
    assert user.must_change_password
    assert password not in admin_client.get(f'/admin/organizations/{org.id}/users/').get_data(as_text=True)

    other = app_ctx.test_client()
    login(other, user, password)
    response = other.get('/cards/')
    assert response.status_code == 302
    assert response.location.endswith('/password')


def test_user_form_comes_back_filled_without_roles(admin_client: FlaskClient, org: Organization) -> None:
    form = {'login': 'petrov', 'last_name': 'Петров', 'first_name': 'Пётр', 'snils': '112-233-445 00'}
    response = admin_client.post(f'/admin/organizations/{org.id}/users/new', data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '«Роли»: выберите хотя бы одну роль.' in page
    assert 'value="112-233-445 00"' in page
    assert 'value="Петров"' in page
    assert find_user_by_login(org.id, 'petrov') is None


def test_user_inn_with_a_wrong_check_digit_is_refused_naming_the_field(
    admin_client: FlaskClient, org: Organization
) -> None:
    form = {'login': 'sidorov', 'last_name': 'Сидоров', 'first_name': 'Иван', 'roles': 'clerk', 'inn': '500100732250'}
    response = admin_client.post(f'/admin/organizations/{org.id}/users/new', data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'ИНН: неверная контрольная цифра (12-я цифра)' in page
    assert 'value="500100732250"' in page
    assert find_user_by_login(org.id, 'sidorov') is None
    form['inn'] = '500100732259'
    assert admin_client.post(f'/admin/organizations/{org.id}/users/new', data=form).status_code in (200, 302)
    assert find_user_by_login(org.id, 'sidorov').inn == '500100732259'


def test_wrong_ogrn_check_digit_is_refused_with_message_and_typed_values(
    admin_client: FlaskClient, org: Organization
) -> None:
    good = ogrn('102770012345')
    bad = good[:12] + str((int(good[12]) + 1) % 10)
    response = admin_client.post(
        f'/admin/organizations/{org.id}/edit', data=_org_form(ogrn=bad, short_name='Новое имя')
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'ОГРН: неверная контрольная цифра' in page
    assert f'value="{bad}"' in page
    assert 'value="Новое имя"' in page
    assert _fresh(Organization, org.id).ogrn != bad


def test_system_admin_creates_organization(client: FlaskClient, org: Organization) -> None:
    with atomic():
        operator = make_user(org, 'administrator', is_system_admin=True)
    login(client, operator)
    response = client.post('/admin/organizations/new', data=_org_form(), follow_redirects=True)
    assert response.status_code == 200
    assert response.request.path.startswith('/admin/organizations/')
    assert 'Организация «Минцифры области» подключена.' in response.get_data(as_text=True)
    created = db.session.execute(select(Organization).where(Organization.short_name == 'Минцифры области')).scalar_one()
    assert created.ogrn == ogrn('102770099999')
    assert created.address == 'г. Москва, ул. Тверская, д. 1'


def test_organization_administrator_cannot_create_organization(admin_client: FlaskClient) -> None:
    response = admin_client.post('/admin/organizations/new', data=_org_form())
    assert response.status_code == 403
    assert db.session.execute(select(func.count()).select_from(Organization)).scalar_one() == 1


def test_admin_of_one_organization_gets_404_for_another_organizations_pages(
    admin_client: FlaskClient, org: Organization
) -> None:
    with atomic():
        other = make_organization('Ведомство')
        stranger = make_user(other, 'clerk')
    assert admin_client.get(f'/admin/users/{stranger.id}/edit').status_code == 404
    assert admin_client.post(f'/admin/users/{stranger.id}/edit', data={'last_name': 'X'}).status_code == 404
    assert admin_client.get(f'/admin/organizations/{other.id}/edit').status_code == 404
    assert admin_client.get(f'/admin/organizations/{other.id}/users/').status_code == 404
    assert admin_client.get(f'/admin/organizations/{org.id}/edit').status_code == 200


def test_non_admin_gets_403_on_admin_index(client: FlaskClient, org: Organization) -> None:
    with atomic():
        clerk = make_user(org, 'clerk')
    login(client, clerk)
    response = client.get('/admin/')
    assert response.status_code == 403
    assert 'доступен только администраторам' in response.get_data(as_text=True)


def test_token_is_shown_once_authenticates_and_fails_after_revocation(
    admin_client: FlaskClient, org: Organization
) -> None:
    with atomic():
        robot = make_user(org, 'clerk', login='robot')
    response = admin_client.post(
        f'/admin/organizations/{org.id}/tokens/new',
        data={'user_id': str(robot.id), 'name': 'Обмен с порталом', 'expires_at': ''},
        follow_redirects=True,
    )
    assert response.status_code == 200
    match = re.search(r'id="secret">(edms_[A-Za-z0-9_-]{20,})<', response.get_data(as_text=True))
    assert match
    raw = match.group(1)
    with admin_client.session_transaction() as cookie_session:
        assert raw not in str(dict(cookie_session))
    with atomic():
        assert authenticate_token(raw).user.id == robot.id
    assert raw not in admin_client.get(f'/admin/organizations/{org.id}/tokens/').get_data(as_text=True)

    token_id = db.session.execute(select(ApiToken.id).where(ApiToken.user_id == robot.id)).scalar_one()
    assert admin_client.post(f'/admin/tokens/{token_id}/revoke').status_code == 302
    db.session.expire_all()
    with pytest.raises(LoginFailed):
        authenticate_token(raw)


def test_journal_template_longer_than_31_characters_is_refused(admin_client: FlaskClient, org: Organization) -> None:
    form = {
        'kind': 'incoming',
        'year': str(local_today().year),
        'name': 'Журнал обращений',
        'template': 'Входящие-документы-министерства-{seq}',
        'is_default': '1',
        'is_active': '1',
    }
    response = admin_client.post(f'/admin/organizations/{org.id}/journals/new', data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'МЭДО допускает не более 31' in page
    assert 'value="Журнал обращений"' in page
    assert db.session.execute(select(Journal).where(Journal.name == 'Журнал обращений')).first() is None


def test_journal_list_previews_the_next_number(admin_client: FlaskClient, org: Organization) -> None:
    page = admin_client.get(f'/admin/organizations/{org.id}/journals/').get_data(as_text=True)
    assert f'Вх-00001/{local_today().year % 100:02d}' in page


def test_revoke_all_sessions_logs_the_user_out(app_ctx: Flask, admin_client: FlaskClient, org: Organization) -> None:
    with atomic():
        clerk = make_user(org, 'clerk')
    other = app_ctx.test_client()
    login(other, clerk)
    assert other.get('/cards/').status_code == 200
    response = admin_client.post(f'/admin/users/{clerk.id}/sessions/revoke-all', follow_redirects=True)
    assert response.request.path == f'/admin/users/{clerk.id}/sessions'
    assert 'Завершено сеансов: 1.' in response.get_data(as_text=True)
    response = other.get('/cards/')
    assert response.status_code == 302
    assert '/login' in response.location


def test_revoke_one_session_ends_only_that_session(
    app_ctx: Flask, admin_client: FlaskClient, org: Organization
) -> None:
    with atomic():
        clerk = make_user(org, 'clerk')
    first, second = app_ctx.test_client(), app_ctx.test_client()
    login(first, clerk)
    login(second, clerk)
    session_id = db.session.execute(
        select(func.min(UserSession.id)).where(UserSession.user_id == clerk.id)
    ).scalar_one()
    assert admin_client.post(f'/admin/sessions/{session_id}/revoke').status_code == 302
    assert first.get('/cards/').status_code == 302
    assert second.get('/cards/').status_code == 200


def test_deactivating_user_ends_their_sessions(app_ctx: Flask, admin_client: FlaskClient, org: Organization) -> None:
    with atomic():
        clerk = make_user(org, 'clerk', login='sidorov')
    other = app_ctx.test_client()
    login(other, clerk)
    assert _live_sessions(clerk.id) == 1
    form = {'login': 'sidorov', 'last_name': 'Сидоров', 'first_name': 'Сидор', 'roles': ['clerk']}
    response = admin_client.post(f'/admin/users/{clerk.id}/edit', data=form)
    assert response.status_code == 302
    assert not _fresh(User, clerk.id).is_active
    assert _live_sessions(clerk.id) == 0
    assert other.get('/cards/').status_code == 302


def test_password_reset_shows_a_temporary_password_that_logs_in(
    app_ctx: Flask, admin_client: FlaskClient, org: Organization
) -> None:
    with atomic():
        clerk = make_user(org, 'clerk')
    response = admin_client.post(f'/admin/users/{clerk.id}/reset-password', follow_redirects=True)
    assert response.status_code == 200
    assert 'Временный пароль' in response.get_data(as_text=True)
    match = re.search(r'id="secret">([A-Za-z0-9]+)<', response.get_data(as_text=True))
    assert match
    other = app_ctx.test_client()
    login(other, _fresh(User, clerk.id), match.group(1))
    assert other.get('/cards/').location.endswith('/password')


def test_department_tree_shows_children_under_their_parent(admin_client: FlaskClient, org: Organization) -> None:
    parent_id = db.session.execute(select(Department.id).where(Department.organization_id == org.id)).scalar_one()
    response = admin_client.post(
        f'/admin/organizations/{org.id}/departments/new',
        data={'name': 'Сектор приёма', 'code': 'СП', 'parent_id': str(parent_id), 'is_active': '1'},
    )
    assert response.status_code == 302
    page = admin_client.get(f'/admin/organizations/{org.id}/departments/').get_data(as_text=True)
    assert page.index('Общий отдел') < page.index('&emsp;└&nbsp;Сектор приёма')


def test_case_file_needs_years_or_permanent_and_saves_permanent(admin_client: FlaskClient, org: Organization) -> None:
    form = {'year': str(local_today().year), 'index': '01-01', 'title': 'Приказы по основной деятельности'}
    url = f'/admin/organizations/{org.id}/case-files/new'
    response = admin_client.post(url, data=form)
    assert response.status_code == 422
    assert '«Срок хранения»: укажите число лет или отметьте «Постоянно».' in response.get_data(as_text=True)
    assert admin_client.post(url, data={**form, 'permanent': '1'}).status_code == 302
    case_file = db.session.execute(select(CaseFile).where(CaseFile.index == '01-01')).scalar_one()
    assert case_file.retention_years is None
    assert 'Постоянно' in admin_client.get(f'/admin/organizations/{org.id}/case-files/').get_data(as_text=True)


def test_audit_browser_filters_by_action_and_integrity_check_reports_ok(
    admin_client: FlaskClient, org: Organization
) -> None:
    form = {'login': 'kuznetsov', 'last_name': 'Кузнецов', 'first_name': 'Олег', 'roles': ['clerk']}
    admin_client.post(f'/admin/organizations/{org.id}/users/new', data=form)
    page = admin_client.get('/admin/audit/?action=user.').get_data(as_text=True)
    assert 'user.create' in page
    assert 'auth.login.success' not in page
    assert 'auth.login.success' in admin_client.get('/admin/audit/?action=auth.').get_data(as_text=True)

    response = admin_client.post('/admin/audit/verify', follow_redirects=True)
    assert response.request.path == '/admin/audit/'
    match = re.search(r'Целостность журнала подтверждена: проверено записей — (\d+)', response.get_data(as_text=True))
    assert match
    assert int(match.group(1)) == db.session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()


def test_organization_admin_sees_only_own_audit_entries(
    admin_client: FlaskClient, admin: User, org: Organization
) -> None:
    with atomic():
        stranger = make_user(make_organization('Ведомство'), 'clerk')
    url = f'/admin/audit/?organization_id={stranger.organization_id}&action=user.create'
    page = admin_client.get(url).get_data(as_text=True)
    assert f'auth_users № {admin.id}' in page
    assert f'auth_users № {stranger.id}' not in page


def test_every_admin_page_opens_for_a_system_administrator(client: FlaskClient, org: Organization) -> None:
    with atomic():
        operator = make_user(org, 'administrator', is_system_admin=True)
        make_case_file(org)
    login(client, operator)
    department_id = db.session.execute(select(Department.id).where(Department.organization_id == org.id)).scalar_one()
    journal_id = db.session.execute(select(Journal.id).where(Journal.organization_id == org.id)).scalars().first()
    case_file_id = db.session.execute(select(CaseFile.id)).scalar_one()
    base = f'/admin/organizations/{org.id}'
    urls = [
        '/admin/',
        '/admin/organizations/',
        '/admin/organizations/new',
        f'{base}/',
        f'{base}/edit',
        f'{base}/departments/',
        f'{base}/departments/new',
        f'/admin/departments/{department_id}/edit',
        f'{base}/positions/',
        f'{base}/users/',
        f'{base}/users/new',
        f'/admin/users/{operator.id}/edit',
        f'/admin/users/{operator.id}/sessions',
        f'{base}/tokens/',
        f'{base}/tokens/new',
        f'{base}/journals/',
        f'{base}/journals/new',
        f'/admin/journals/{journal_id}/edit',
        f'{base}/case-files/',
        f'{base}/case-files/new',
        f'/admin/case-files/{case_file_id}/edit',
        f'/admin/audit/?organization_id={org.id}',
    ]
    statuses = {url: client.get(url).status_code for url in urls}
    assert statuses == dict.fromkeys(urls, 200)
    assert client.get('/admin/journals/999999/edit').status_code == 404
    assert client.get('/admin/case-files/999999/edit').status_code == 404


def test_audit_browser_hides_details_of_restricted_cards_from_an_admin_without_the_right(
    admin_client: FlaskClient, org: Organization
) -> None:
    from tests.factories import make_card

    with atomic():
        clerk = make_user(org, 'clerk')
        make_card(clerk, access_mark='restricted', summary='Секретное содержание для служебного пользования')
        make_card(clerk, summary='Открытое содержание письма')
    page = admin_client.get('/admin/audit/?object_type=registry_cards').get_data(as_text=True)
    assert 'Открытое содержание письма' in page
    assert 'Секретное содержание' not in page
    assert 'Сведения скрыты' in page


def test_a_department_cannot_be_moved_under_its_own_child(admin_client: FlaskClient, org: Organization) -> None:
    from edms.core.access import SYSTEM
    from edms.directory.operations import create_department

    with atomic():
        parent = create_department(SYSTEM, org.id, {'name': 'Управление', 'code': 'УП'})
        child = create_department(SYSTEM, org.id, {'name': 'Отдел', 'code': 'ОТ', 'parent_id': parent.id})
    response = admin_client.post(
        f'/admin/departments/{parent.id}/edit',
        data={'name': 'Управление', 'code': 'УП', 'parent_id': str(child.id), 'is_active': '1'},
    )
    assert response.status_code == 422
    assert '«Вышестоящее подразделение»: Подразделение не может быть вложено' in response.get_data(as_text=True)
    assert _fresh(Department, parent.id).parent_id is None
