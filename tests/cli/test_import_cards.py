"""`flask edms import-cards`: numbers from the file, all-or-nothing validation, duplicates, rejected rows, audit."""

from __future__ import annotations

import csv
import hashlib
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import func, select

from edms.audit.models import AuditEntry
from edms.core.clock import local_today
from edms.core.db import db
from edms.core.tx import atomic
from edms.directory.models import Organization
from edms.registry.models import AccessMark, Card, CardKind, CardStatus
from edms.search.queries import search_cards
from tests.factories import make_card, make_organization, make_user

HEADER = ['reg_number', 'reg_date', 'kind', 'summary', 'correspondent_name', 'access_mark']
TODAY = local_today()


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER, **options: str) -> Path:
    with path.open('w', encoding=options.pop('encoding', 'utf-8'), newline='') as file:
        writer = csv.writer(file, **options)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def row(number: str, summary: str = 'О предоставлении сведений', **fields: str) -> list[str]:
    values = {'reg_date': TODAY.strftime('%d.%m.%Y'), 'kind': 'incoming', 'correspondent_name': 'ООО «Ромашка»'}
    values.update(fields)
    return [number, values['reg_date'], values['kind'], summary, values['correspondent_name'], values.get('mark', '')]


def run_import(app: Flask, path: Path, organization: Organization, *extra: str) -> Result:
    """The command as `flask edms import-cards` runs it; `result.output` holds stdout and stderr."""
    args = ['edms', 'import-cards', str(path), '--organization', organization.ogrn, *extra]
    return app.test_cli_runner().invoke(args=args)


def cards() -> list[Card]:
    return list(db.session.execute(select(Card).order_by(Card.reg_number)).scalars())


def bulk_audit_entries() -> list[AuditEntry]:
    return list(db.session.execute(select(AuditEntry).where(AuditEntry.action == 'card.bulk_import')).scalars())


@pytest.fixture
def organization(app_ctx: Flask) -> Organization:
    with atomic():
        return make_organization()


@pytest.mark.smoke
def test_import_of_a_small_file_registers_the_cards_with_the_file_numbers(app_ctx, organization, tmp_path):
    path = write_csv(tmp_path / 'cards.csv', [row('Вх-1/24'), row('Вх-2/24', kind='outgoing')])

    result = run_import(app_ctx, path, organization)

    assert result.exit_code == 0, result.output
    assert 'Импортировано карточек: 2 из 2' in result.output
    stored = cards()
    assert [card.reg_number for card in stored] == ['Вх-1/24', 'Вх-2/24']
    assert [card.kind for card in stored] == [CardKind.incoming, CardKind.outgoing]
    assert all(card.status == CardStatus.registered and card.reg_date == TODAY for card in stored)
    assert all(card.journal_id is None and card.organization_id == organization.id for card in stored)


def test_imported_cards_are_found_by_the_words_of_their_summary(app_ctx, organization, tmp_path):
    rows = [row('Вх-1', 'О ремонте водоснабжения школы'), row('Вх-2', 'О выплате пособия семьям')]
    path = write_csv(tmp_path / 'cards.csv', rows)
    with atomic():
        reader = make_user(organization, 'executor')

    assert run_import(app_ctx, path, organization).exit_code == 0

    found = search_cards(reader, {'words': 'водоснабжение'}, 50)
    assert [card.reg_number for card in found.items] == ['Вх-1']


def test_russian_header_and_values_with_bom_and_semicolons_are_accepted(app_ctx, organization, tmp_path):
    header = [
        'Регистрационный номер',
        'Дата регистрации',
        'Вид карточки',
        'Краткое содержание',
        'Корреспондент',
        'Гриф',
    ]
    rows = [['ОГ-7', '2024-03-05', 'Обращение гражданина', 'О благоустройстве двора', 'Петров П. П.', 'ДСП']]
    path = write_csv(tmp_path / 'cards.csv', rows, header, delimiter=';', encoding='utf-8-sig')

    result = run_import(app_ctx, path, organization)

    assert result.exit_code == 0, result.output
    (card,) = cards()
    assert (card.kind, card.access_mark, card.reg_date) == (
        CardKind.citizen_appeal,
        AccessMark.restricted,
        date(2024, 3, 5),
    )
    assert card.correspondent_name == 'Петров П. П.'


def test_bad_rows_abort_the_import_naming_each_line_and_field(app_ctx, organization, tmp_path):
    rows = [
        row('Вх-1'),
        row('Вх-2', reg_date='31.02.2024'),
        row('Вх-3', 'я' * 4001),
        row('Вх-4', kind='секретный'),
        row('Вх-5'),
    ]
    path = write_csv(tmp_path / 'cards.csv', rows)

    result = run_import(app_ctx, path, organization)

    assert result.exit_code == 1
    text = result.output
    assert 'Строка 3: «Дата регистрации»: дата в формате ДД.ММ.ГГГГ.' in text
    assert 'Строка 4: «Краткое содержание»: не более 4000 символов (введено 4001).' in text
    assert 'Строка 5: «Вид карточки»: недопустимое значение «секретный»' in text
    assert 'Строка 2:' not in text
    assert 'Строка 6:' not in text
    assert 'ничего не сохранено' in text
    assert cards() == []
    assert bulk_audit_entries() == []


def test_unknown_column_refuses_the_file(app_ctx, organization, tmp_path):
    path = write_csv(tmp_path / 'cards.csv', [[*row('Вх-1'), 'x']], [*HEADER, 'цвет'])

    result = run_import(app_ctx, path, organization)

    assert result.exit_code == 1
    assert 'столбец «цвет» (№ 7) неизвестен' in result.output
    assert cards() == []


def test_number_repeated_in_the_file_is_refused(app_ctx, organization, tmp_path):
    path = write_csv(tmp_path / 'cards.csv', [row('Вх-1'), row('Вх-2'), row('Вх-1')])

    result = run_import(app_ctx, path, organization)

    assert result.exit_code == 1
    assert 'Строка 4: «Регистрационный номер»: номер за этот год уже встречается в файле (строка 2).' in result.output
    assert cards() == []


def test_number_repeated_in_a_later_batch_is_refused(app_ctx, organization, tmp_path):
    rows = [row(f'Вх-{n}') for n in range(1, 101)] + [row('Вх-7')]
    path = write_csv(tmp_path / 'cards.csv', rows)

    result = run_import(app_ctx, path, organization, '--batch', '100', '--skip-invalid')

    assert result.exit_code == 0, result.output
    assert len(cards()) == 100
    with (tmp_path / 'cards.rejected.csv').open(encoding='utf-8-sig', newline='') as file:
        rejected = list(csv.reader(file))[1:]
    message = '«Регистрационный номер»: номер за этот год уже встречается в файле выше.'
    assert [(line[0], line[-2], line[-1]) for line in rejected] == [('Вх-7', '102', message)]


def test_number_already_registered_in_the_organization_is_refused(app_ctx, organization, tmp_path):
    with atomic():
        existing = make_card(make_user(organization, 'clerk'))
    path = write_csv(tmp_path / 'cards.csv', [row('Вх-1'), row(existing.reg_number)])

    result = run_import(app_ctx, path, organization)

    assert result.exit_code == 1
    expected = f'Строка 3: «Регистрационный номер»: номер уже есть в организации за {TODAY.year} год.'
    assert expected in result.output
    assert [card.id for card in cards()] == [existing.id]


def test_same_number_in_another_year_is_accepted(app_ctx, organization, tmp_path):
    with atomic():
        existing = make_card(make_user(organization, 'clerk'))
    last_year = (TODAY - timedelta(days=366)).strftime('%d.%m.%Y')
    path = write_csv(tmp_path / 'cards.csv', [row(existing.reg_number, reg_date=last_year)])

    result = run_import(app_ctx, path, organization)

    assert result.exit_code == 0, result.output
    assert len(cards()) == 2


def test_skip_invalid_imports_the_good_rows_and_writes_the_rejected_file(app_ctx, organization, tmp_path):
    path = write_csv(tmp_path / 'cards.csv', [row('Вх-1'), row('Вх-2', reg_date='вчера'), row('Вх-3')])

    result = run_import(app_ctx, path, organization, '--skip-invalid')

    assert result.exit_code == 0, result.output
    assert [card.reg_number for card in cards()] == ['Вх-1', 'Вх-3']
    assert 'Отклонено строк: 1' in result.output
    with (tmp_path / 'cards.rejected.csv').open(encoding='utf-8-sig', newline='') as file:
        rejected = list(csv.reader(file))
    assert rejected[0] == [*HEADER, 'строка', 'ошибки']
    assert rejected[1][:2] == ['Вх-2', 'вчера']
    assert rejected[1][-2:] == ['3', '«Дата регистрации»: дата в формате ДД.ММ.ГГГГ.']


def test_import_writes_one_audit_entry_with_the_file_hash_and_counts(app_ctx, organization, tmp_path):
    path = write_csv(tmp_path / 'cards.csv', [row('Вх-1'), row('Вх-2'), row('Вх-3', kind='')])

    result = run_import(app_ctx, path, organization, '--skip-invalid')

    assert result.exit_code == 0, result.output
    (entry,) = bulk_audit_entries()
    assert entry.organization_id == organization.id
    assert entry.data == {
        'file': 'cards.csv',
        'sha256': hashlib.sha256(path.read_bytes()).hexdigest(),
        'rows': 3,
        'imported': 2,
        'rejected': 1,
    }


def test_as_login_makes_the_clerk_the_author_of_the_cards(app_ctx, organization, tmp_path):
    with atomic():
        clerk = make_user(organization, 'clerk', login='registrar')
    path = write_csv(tmp_path / 'cards.csv', [row('Вх-1', mark='restricted')])

    result = run_import(app_ctx, path, organization, '--as-login', 'registrar')

    assert result.exit_code == 0, result.output
    (card,) = cards()
    assert (card.created_by_id, card.department_id) == (clerk.id, clerk.department_id)
    assert [c.id for c in search_cards(clerk, {}, 50).items] == [card.id]
    count = db.session.execute(select(func.count()).select_from(AuditEntry).where(AuditEntry.actor_id == clerk.id))
    assert count.scalar_one() == 1
