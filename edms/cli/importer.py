"""`flask --app wsgi edms import-cards FILE.csv`: bulk import of registered cards from CSV with a progress bar.

The work is `edms.registry.bulk.import_cards`; this command resolves the organization and the acting user, shows
the progress, prints the rejected rows or writes them to FILE.rejected.csv, and commits once.
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path
from typing import IO, Any

import click
from flask.cli import AppGroup, with_appcontext

from edms.core.access import SYSTEM, Actor
from edms.core.errors import DomainError
from edms.core.tx import atomic
from edms.registry.bulk import COLUMNS, DEFAULT_BATCH, REQUIRED, ImportRejected, RejectedRow, import_cards

HELP = (
    'Импорт зарегистрированных карточек из CSV-файла FILE (UTF-8, с BOM или без; разделитель «,», «;» или '
    'табуляция; первая строка — заголовок). Регистрационные номера берутся из файла, а не из журналов; номер, '
    'который уже есть в организации за тот же год или повторяется в файле, — ошибка строки.\n\n'
    'По умолчанию импорт выполняется целиком или не выполняется вовсе: при любой ошибке ничего не сохраняется, '
    'а каждая ошибочная строка выводится с номером строки и полем. С --skip-invalid корректные строки '
    'импортируются, а отклонённые записываются с причинами в FILE.rejected.csv (его можно исправить и '
    'импортировать снова). Без --as-login автором карточек записывается система.\n\n'
    '\b\nСтолбцы (заголовок на английском или по-русски; * — обязательный):\n'
    + '\n'.join(
        f'  {" / ".join((name, label, *aliases))}{" *" if name in REQUIRED else ""}' for name, label, aliases in COLUMNS
    )
    + '\n\n\b\nЗначения:\n'
    '  reg_number — до 31 символа; reg_date, sender_date — ДД.ММ.ГГГГ или ГГГГ-ММ-ДД, не в будущем;\n'
    '  kind — incoming, outgoing, internal, citizen_appeal или Входящий, Исходящий, Внутренний,\n'
    '         Обращение гражданина;\n'
    '  summary — до 4000 символов; correspondent_name обязателен для входящих и обращений;\n'
    '  document_kind — до 100 символов, по умолчанию «Письмо» («Служебная записка», «Обращение»);\n'
    '  pages — целое от 1; access_mark — public или restricted (Общий доступ, ДСП), по умолчанию public;\n'
    '  status — registered (по умолчанию), in_work, executed или Зарегистрирован, В работе, Исполнен.'
)


def register(group: AppGroup) -> None:
    group.add_command(import_cards_command)


@click.command('import-cards', help=HELP)
@click.argument('path', metavar='FILE', type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option('--organization', 'org_ref', required=True, help='ОГРН или краткое наименование организации.')
@click.option('--as-login', 'login', default=None, help='Логин регистратора организации, автора карточек.')
@click.option(
    '--skip-invalid', is_flag=True, help='Импортировать корректные строки, отклонённые — в FILE.rejected.csv.'
)
@click.option(
    '--batch',
    'batch_size',
    type=click.IntRange(100, 100_000),
    default=DEFAULT_BATCH,
    show_default=True,
    help='Строк в одном пакете записи.',
)
@with_appcontext
def import_cards_command(path: Path, org_ref: str, login: str | None, skip_invalid: bool, batch_size: int) -> None:
    """Import registered cards from CSV (numbers from the file); all-or-nothing unless --skip-invalid."""
    from edms.cli import _find_organization, fail

    organization = _find_organization(org_ref)
    actor = _actor(organization.id, login)
    rejected = _RejectedOutput(path if skip_invalid else None)
    started = time.monotonic()
    try:
        with path.open('rb') as stream, click.progressbar(length=path.stat().st_size, label='Импорт карточек') as bar:
            with atomic():
                result = import_cards(
                    actor,
                    organization.id,
                    stream,
                    file_name=path.name,
                    skip_invalid=skip_invalid,
                    batch_size=batch_size,
                    on_progress=bar.update,
                    on_reject=rejected.add,
                )
    except DomainError as error:
        rejected.close()
        if isinstance(error, ImportRejected):
            rejected.print_errors()
        fail(error)
    rejected.close()
    seconds = max(time.monotonic() - started, 1e-6)
    click.echo(
        f'Импортировано карточек: {result.imported} из {result.rows} строк '
        f'за {seconds:.1f} с ({result.imported / seconds:,.0f} карточек/с).'.replace(',', ' ')
    )
    if result.rejected:
        click.echo(f'Отклонено строк: {result.rejected}; строки с причинами записаны в {rejected.path}.')


def _actor(organization_id: int, login: str | None) -> Actor:
    if login is None:
        return SYSTEM
    from edms.auth.queries import find_user_by_login

    user = find_user_by_login(organization_id, login)
    if user is None:
        click.echo(f'Ошибка: пользователь «{login}» не найден в организации.', err=True)
        sys.exit(1)
    return user


class _RejectedOutput:
    """Rejected rows: written to FILE.rejected.csv (original cells, line, reasons) or kept to be printed."""

    def __init__(self, source: Path | None) -> None:
        self.path = None if source is None else source.with_name(f'{source.stem}.rejected.csv')
        self.messages: list[str] = []
        self._file: IO[str] | None = None
        self._csv: Any = None
        if self.path is not None:
            self.path.unlink(missing_ok=True)  # no stale list of a previous run next to this one's result

    def add(self, row: RejectedRow) -> None:
        reasons = ' '.join(row.fields.values())
        if self.path is None:
            self.messages.append(f'Строка {row.line}: {reasons}')
            return
        if self._file is None:
            self._file = self.path.open('w', encoding='utf-8-sig', newline='')
            self._csv = csv.writer(self._file)
            self._csv.writerow([*row.header, 'строка', 'ошибки'])
        self._csv.writerow([*row.cells, row.line, reasons])

    def print_errors(self) -> None:
        for message in self.messages:
            click.echo(message, err=True)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
