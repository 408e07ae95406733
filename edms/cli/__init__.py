"""`flask --app wsgi edms …`: init, seed-demo, create-user, create-token, audit verify, import-cards, worker."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup
from flask_migrate import upgrade

from edms.core.access import SYSTEM
from edms.core.db import db
from edms.core.errors import DomainError
from edms.core.tx import atomic

edms_cli = AppGroup('edms', help='Команды МСЭД.')


def register_cli(app: Flask) -> None:
    from edms.cli import blobs, calendar, exchange, importer, reports, trust, worker

    blobs.register(edms_cli)
    calendar.register(edms_cli)
    exchange.register(edms_cli)
    importer.register(edms_cli)
    reports.register(edms_cli)
    trust.register(edms_cli)
    worker.register(edms_cli)
    app.cli.add_command(edms_cli)


def fail(error: DomainError) -> None:
    click.echo(f'Ошибка: {error.message}', err=True)
    for message in error.fields.values():
        click.echo(f'  - {message}', err=True)
    sys.exit(1)


@edms_cli.command('init')
@click.option('--no-demo', is_flag=True, help='Не загружать демонстрационные данные.')
def init_command(no_demo: bool) -> None:
    """Apply migrations and load the demo data once."""
    upgrade()
    click.echo('Миграции применены.')
    if not no_demo:
        _seed_demo()


@edms_cli.command('seed-demo')
def seed_demo_command() -> None:
    """Load the demo data (once) and print the demo logins."""
    _seed_demo()


def _seed_demo() -> None:
    from edms.cli.demo import demo_logins, is_loaded, load_demo

    if is_loaded():
        click.echo('Демонстрационные данные уже загружены.')
        logins = demo_logins()
    else:
        with atomic():
            logins = load_demo()
        click.echo('Демонстрационные данные загружены.')
    click.echo('Демонстрационные учётные записи (организация / логин / пароль / роли):')
    for org, login, password, roles in logins:
        click.echo(f'  {org:28} {login:12} {password}  {roles}')


@edms_cli.command('create-user')
@click.option('--organization', 'org_ref', required=True, help='ОГРН или краткое наименование организации.')
@click.option('--login', required=True)
@click.option('--last-name', required=True)
@click.option('--first-name', required=True)
@click.option('--middle-name', default='')
@click.option('--role', 'roles', multiple=True, required=True, help='Роль; можно указать несколько раз.')
@click.option('--password', default=None, help='Начальный пароль; по умолчанию генерируется.')
@click.option('--system-admin', is_flag=True, help='Администратор всей системы.')
def create_user_command(
    org_ref: str,
    login: str,
    last_name: str,
    first_name: str,
    middle_name: str,
    roles: tuple[str, ...],
    password: str | None,
    system_admin: bool,
) -> None:
    """Create an account; the initial password must be changed at first login."""
    from edms.auth.operations import create_user, grant_system_admin

    organization = _find_organization(org_ref)
    raw = {
        'login': login,
        'last_name': last_name,
        'first_name': first_name,
        'middle_name': middle_name,
        'roles': list(roles),
        'password': password,
    }
    try:
        with atomic():
            user, initial = create_user(SYSTEM, organization.id, raw)
            if system_admin:
                grant_system_admin(SYSTEM, user)
    except DomainError as error:
        fail(error)
    click.echo(f'Пользователь {login} создан (id {user.id}). Начальный пароль: {initial}')


@edms_cli.command('create-token')
@click.option('--organization', 'org_ref', required=True, help='ОГРН или краткое наименование организации.')
@click.option('--login', required=True, help='Пользователь, от имени которого действует токен.')
@click.option('--name', required=True, help='Назначение токена.')
def create_token_command(org_ref: str, login: str, name: str) -> None:
    """Issue an API token; it is shown once."""
    from edms.auth.operations import create_api_token
    from edms.auth.queries import find_user_by_login

    organization = _find_organization(org_ref)
    user = find_user_by_login(organization.id, login)
    if user is None:
        click.echo('Ошибка: пользователь не найден.', err=True)
        sys.exit(1)
    try:
        with atomic():
            _, raw = create_api_token(SYSTEM, user, name)
    except DomainError as error:
        fail(error)
    click.echo(raw)


def _find_organization(ref: str):
    from sqlalchemy import or_, select

    from edms.directory.models import Organization

    organization = db.session.execute(
        select(Organization).where(or_(Organization.ogrn == ref, Organization.short_name == ref))
    ).scalar_one_or_none()
    if organization is None:
        click.echo(f'Ошибка: организация «{ref}» не найдена.', err=True)
        sys.exit(1)
    return organization


audit_cli = AppGroup('audit', help='Журнал аудита.')
edms_cli.add_command(audit_cli)


@audit_cli.command('verify')
def audit_verify_command() -> None:
    """Recompute the hash chain and report the first broken link."""
    from edms.audit.queries import verify_chain

    report = verify_chain()
    if report.ok:
        click.echo(f'Цепочка журнала аудита цела: проверено записей {report.checked}.')
        return
    click.echo(
        f'Цепочка нарушена на записи № {report.broken_seq}: {report.reason}. '
        f'Проверено целых записей до неё: {report.checked}.',
        err=True,
    )
    sys.exit(1)


@edms_cli.command('verify-blobs')
def verify_blobs_command() -> None:
    """The older name of `blobs verify`: re-hash every stored file a record needs, list those missing or damaged."""
    from edms.cli.blobs import verify

    bad = verify()
    click.echo(f'Проверка хранилища завершена, проблемных файлов: {bad}.')
    sys.exit(1 if bad else 0)
