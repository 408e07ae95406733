"""`flask --app wsgi edms trust …`: the trust store of qualified signatures, as the system.

edms trust import FILE [--accredited] [--note TEXT]     CA certificates: DER, PEM (several), .p7b
edms trust list                                         the store and the CRLs
edms trust crl FILE                                     a CRL signed by a trusted CA
edms trust refresh-crls                                 fetch the CRLs from the distribution points now
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from edms.core.access import SYSTEM
from edms.core.clock import to_local, utcnow
from edms.core.errors import DomainError
from edms.core.tx import atomic
from edms.signatures.jobs import refresh_crls
from edms.signatures.models import TrustedCertificate
from edms.signatures.operations import TrustImport, import_trusted, upload_crl
from edms.signatures.queries import revocation_lists, trusted_certificates

trust_cli = AppGroup('trust', help='Хранилище доверенных сертификатов УЦ и списки отзыва.')


def register(group: AppGroup) -> None:
    group.add_command(trust_cli)


def _fail(error: DomainError) -> None:
    click.echo(f'Ошибка: {error.message}', err=True)
    for message in error.fields.values():
        click.echo(f'  - {message}', err=True)
    sys.exit(1)


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        click.echo(f'Ошибка: не удалось прочитать файл {path}: {error.strerror}', err=True)
        sys.exit(1)


@trust_cli.command('import')
@click.argument('file', type=click.Path(dir_okay=False))
@click.option('--accredited', is_flag=True, help='УЦ аккредитован (его сертификаты — квалифицированные).')
@click.option('--note', default='', help='Примечание (основание, источник файла).')
def import_command(file: str, accredited: bool, note: str) -> None:
    """Add root or intermediate CA certificates to the trust store (idempotent)."""
    data = _read(file)
    try:
        with atomic():
            result = import_trusted(SYSTEM, data, accredited=accredited, note=note)
            lines = [(label, item.name, item.fingerprint) for label, items in _groups(result) for item in items]
    except DomainError as error:
        _fail(error)
    for label, name, fingerprint in lines:
        click.echo(f'{label}: {name} (SHA-256 {fingerprint})')
    click.echo(
        f'Добавлено: {len(result.added)}, изменено: {len(result.updated)}, без изменений: {len(result.unchanged)}.'
    )


def _groups(result: TrustImport) -> list[tuple[str, list[TrustedCertificate]]]:
    return [('Добавлен', result.added), ('Изменён', result.updated), ('Уже в хранилище', result.unchanged)]


@trust_cli.command('list')
def list_command() -> None:
    """The trusted certificates and the stored CRLs."""
    now = utcnow()
    with atomic():
        certificates = trusted_certificates()
        crls = revocation_lists()
        if not certificates:
            click.echo('Хранилище доверенных сертификатов пусто.')
        for item in certificates:
            flags = ', '.join(
                flag
                for flag, on in (
                    ('корневой' if item.is_root else 'промежуточный', True),
                    ('аккредитован', item.is_accredited),
                    ('отключён', not item.is_active),
                    ('срок истёк', item.not_after < now),
                )
                if on
            )
            click.echo(f'[{item.id}] {item.name} — {flags}; действует до {to_local(item.not_after):%d.%m.%Y}')
            click.echo(f'      SHA-256 {item.fingerprint}' + (f'; {item.note}' if item.note else ''))
        click.echo(f'Списков отзыва: {len(crls)}.')
        for crl in crls:
            until = f'{to_local(crl.next_update):%d.%m.%Y %H:%M}' if crl.next_update else 'не указан'
            state = 'действует' if crl.is_current(now) else 'устарел'
            click.echo(
                f'  {crl.issuer_name}: от {to_local(crl.this_update):%d.%m.%Y %H:%M}, следующий {until} ({state}), '
                f'отозвано {crl.revoked_count}; источник: {crl.source}'
            )


@trust_cli.command('crl')
@click.argument('file', type=click.Path(dir_okay=False))
def crl_command(file: str) -> None:
    """Store a CRL (DER or PEM) signed by a trusted CA."""
    data = _read(file)
    try:
        with atomic():
            crl = upload_crl(SYSTEM, data)
            issuer, this_update, count = crl.issuer_name, crl.this_update, crl.revoked_count
    except DomainError as error:
        _fail(error)
    click.echo(f'Список отзыва УЦ «{issuer}» от {to_local(this_update):%d.%m.%Y %H:%M} принят; отозвано: {count}.')


@trust_cli.command('refresh-crls')
def refresh_command() -> None:
    """Fetch the CRLs of the trusted CAs from their distribution points now."""
    result = refresh_crls()
    for url in result.updated:
        click.echo(f'Обновлён: {url}')
    for url in result.unchanged:
        click.echo(f'Без изменений: {url}')
    for url, reason in result.failed.items():
        click.echo(f'Не загружен: {url} — {reason}', err=True)
    click.echo(
        f'Обновлено: {len(result.updated)}, без изменений: {len(result.unchanged)}, ошибок: {len(result.failed)}.'
    )
