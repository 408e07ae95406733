"""`flask --app wsgi edms report …`: reports written to a file, for administrators and scheduled exports.

edms report discipline --organization 1027700000011 --from 01.01.2026 --to 31.12.2026 [--department ID]
                       [--format csv|xlsx] --output discipline.xlsx
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import or_, select

from edms.core.db import db
from edms.core.errors import DomainError
from edms.directory.models import Organization
from edms.resolutions.discipline import discipline_report, read_filter, to_csv, to_xlsx

report_cli = AppGroup('report', help='Отчёты.')


def register(group: AppGroup) -> None:
    group.add_command(report_cli)


@report_cli.command('discipline')
@click.option('--organization', 'org_ref', required=True, help='ОГРН или краткое наименование организации.')
@click.option('--from', 'date_from', required=True, help='Начало периода (ДД.ММ.ГГГГ или ГГГГ-ММ-ДД).')
@click.option('--to', 'date_to', required=True, help='Конец периода (ДД.ММ.ГГГГ или ГГГГ-ММ-ДД).')
@click.option('--department', 'department_id', default='', help='Идентификатор подразделения (с подчинёнными).')
@click.option(
    '--format', 'fmt', type=click.Choice(('csv', 'xlsx')), default=None, help='Формат; по умолчанию — по расширению.'
)
@click.option('--output', required=True, type=click.Path(dir_okay=False, path_type=Path), help='Файл отчёта.')
def discipline_command(
    org_ref: str, date_from: str, date_to: str, department_id: str, fmt: str | None, output: Path
) -> None:
    """Execution discipline per department and executor for the period, as CSV (UTF-8 with BOM, «;») or XLSX."""
    organization = _organization(org_ref)
    fmt = fmt or ('xlsx' if output.suffix.lower() == '.xlsx' else 'csv')
    raw = {'date_from': date_from, 'date_to': date_to, 'department_id': department_id}
    try:
        report = discipline_report(organization.id, read_filter(organization.id, raw))
    except DomainError as error:
        _fail(error)
        return
    finally:
        db.session.rollback()
    output.write_bytes(to_xlsx(report) if fmt == 'xlsx' else to_csv(report))
    total = report.total
    click.echo(
        f'Отчёт записан в {output}: поручено {total.assigned}, исполнено в срок {total.on_time}, '
        f'с нарушением срока {total.late}, просрочено {total.overdue}, в работе {total.in_work}.'
    )


def _organization(ref: str) -> Organization:
    query = select(Organization).where(or_(Organization.ogrn == ref, Organization.short_name == ref))
    organization = db.session.execute(query).scalar_one_or_none()
    if organization is None:
        click.echo(f'Ошибка: организация «{ref}» не найдена.', err=True)
        sys.exit(1)
    return organization


def _fail(error: DomainError) -> None:
    messages = {
        'date_from': '--from',
        'date_to': '--to',
        'department_id': '--department',
    }
    click.echo(f'Ошибка: {error.message}', err=True)
    for name, message in error.fields.items():
        click.echo(f'  {messages.get(name, name)}: {message}', err=True)
    sys.exit(1)
