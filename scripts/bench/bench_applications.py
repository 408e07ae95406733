"""Citizen services benchmark (issue 6): filing applications through the API, and the lists with 1,000,000 of them.

`python -m scripts.bench.bench_applications [--filings 1500] [--seconds 20] [--clients 8] [--workers 4] [--kb 100]
[--rows 1000000] [--applicants 100000] [--runs 200] [--fast] [--skip-filing] [--skip-lists] [--explain] [--profile]
[--waits]`

A private PostgreSQL (durable settings unless `--fast`), the schema from the migrations, the parties of the workflow
tests: the migration agency with its department, executor and routing rule providing temporary registration, the tax
service and the ministry providing the two cabinets, the portal with an applicant, an MFC; the test PKI's RSA
hierarchy with its CRLs in the trust store.

1. Filing (target ≥ 50 applications/s on 2 cores): gunicorn with `--workers` sync workers (4, as the production
   example runs it) on loopback, `--clients` client threads posting `POST /api/v1/applications` for `--seconds` as
   the applicant's token: a temporary registration with three PDF attachments of `--kb` KiB each (identity document,
   right to the dwelling, the owner's consent) and the owner's detached CMS signature of the consent made with the
   test PKI — each request different (files and signature made in advance; repeated cyclically when the run
   outlasts them). Each request is the whole filing: validated (every rule of the service), the files stored, the
   signature verified with chain and CRL, the application numbered, the agency's incoming card registered and
   routed, the applicant notified, all journaled. Afterwards the counts are checked: one application, one card and
   three attachments per 201. Printed besides the rate: the workers' and PostgreSQL's CPU per filing and how busy
   the machine was; `--waits` also samples what PostgreSQL's busy backends wait on (a row lock shows there).
2. Lists (target: the applicant's list p95 ≤ 100 ms with 1,000,000 applications): `--applicants` portal accounts and
   `--rows` applications made in SQL (three services, four statuses, three years of submissions, a fifth through
   the MFC), VACUUM ANALYZE, then `--runs` requests of each scenario through the API (`GET /api/v1/applications`,
   the Flask test client with a bearer token): an ordinary applicant (about ten applications), a heavy applicant
   (two thousand: a company head, a migrant worker's representative) with and without filters, the agency's list
   with filters, the MFC's list.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import Flask
from sqlalchemy import func, select, text

from edms.citizen_services.models import Application
from edms.core.db import db
from edms.core.tx import atomic
from edms.registry.models import Attachment, Card
from edms.signatures.crypto.cms import sign_detached
from edms.signatures.crypto.keys import load_private_key
from scripts.bench.bench_api import environment, gunicorn, profiled, report, run_clients, worker_cpu_per_request
from scripts.bench.bench_exchange import machine_busy, machine_jiffies, postgres_cpu
from scripts.bench.common import (
    STATEMENT_STATS,
    WORK,
    load_average,
    machine,
    migrated_app,
    percentile,
    pg_settings,
    postgres,
    print_statement_times,
    reset_statement_times,
    sampled_waits,
    summary_ms,
    wait_for_quiet,
)
from scripts.make_test_pki import TestPki, build_test_pki

FILING_TARGET, LIST_TARGET_MS = 50, 100
BOUNDARY = 'edms-bench-boundary'
PDF_HEAD = b'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n'
PDF_TAIL = b'\ntrailer <<>>\n%%EOF\n'
SERVICES = ('temporary_registration', 'taxpayer_cabinet', 'legal_entity_cabinet')


@dataclass(frozen=True)
class Parties:
    applicant_id: int
    applicant_token: str
    mfc_operator_token: str
    clerk_token: str
    heavy_id: int
    heavy_token: str
    organizations: dict[str, int]
    mfc_id: int
    operator_id: int


def setup_parties(app: Flask, pki: TestPki) -> Parties:
    """The agencies, the portal and its applicant, the MFC, the providers and the routing rule; the trust store."""
    from edms.citizen_services.operations import create_provider
    from edms.core.access import SYSTEM
    from edms.routing.operations import create_rule
    from tests.citizen_services.samples import INN_PERSON, SNILS_DIGITS
    from tests.factories import api_token, make_department, make_organization, make_user
    from tests.signatures.store_setup import install_trust

    with app.app_context():
        install_trust(pki)
        with atomic():
            migration = make_organization('ГУ по вопросам миграции', kind='agency')
            department = make_department(migration, 'Отдел по вопросам миграции', 'ОВМ')
            executor = make_user(migration, 'executor', department_id=department.id)
            clerk = make_user(migration, 'clerk')
            tax = make_organization('УФНС', kind='agency')
            ministry = make_organization('Минцифры', kind='ministry')
            portal = make_organization('Портал госуслуг', kind='portal', with_journals=False)
            mfc = make_organization('МФЦ', kind='mfc', with_journals=False)
            applicant = make_user(portal, 'applicant', snils=SNILS_DIGITS, inn=INN_PERSON)
            heavy = make_user(portal, 'applicant', login='heavy')
            operator = make_user(mfc, 'mfc_operator')
            organizations = {SERVICES[0]: migration.id, SERVICES[1]: tax.id, SERVICES[2]: ministry.id}
            for code, organization_id in organizations.items():
                create_provider(SYSTEM, {'service_code': code, 'organization_id': organization_id})
            rule = {'name': 'Регистрация по месту пребывания — в ОВМ', 'service_code': SERVICES[0]}
            create_rule(SYSTEM, migration.id, {**rule, 'department_id': department.id, 'executor_id': executor.id})
            return Parties(
                applicant.id,
                api_token(applicant),
                api_token(operator),
                api_token(clerk),
                heavy.id,
                api_token(heavy),
                organizations,
                mfc.id,
                operator.id,
            )


# --- 1. filing -------------------------------------------------------------------------------------------------------


def application_data(today: date) -> dict[str, object]:
    """The validation sample of temporary registration, its stay starting in five days."""
    from tests.citizen_services import samples

    data = samples.temporary_registration()
    start = today + timedelta(days=5)
    stay = dict(data['stay'])
    stay.update(start_date=samples.ru(start), end_date=samples.ru(start + timedelta(days=89)))
    return {**data, 'stay': stay}


def pdf_of(kb: int) -> bytes:
    """A distinct PDF of about `kb` KiB (random content in a comment-free stream, as a scan would be)."""
    filler = os.urandom(max(0, kb * 1024 - len(PDF_HEAD) - len(PDF_TAIL)) // 2).hex().encode()
    return PDF_HEAD + filler + PDF_TAIL


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(value.encode() + b'\r\n')
    for name, (filename, content) in files.items():
        head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        out.write(head.encode() + b'Content-Type: application/octet-stream\r\n\r\n' + content + b'\r\n')
    out.write(f'--{BOUNDARY}--\r\n'.encode())
    return out.getvalue()


def filing_bodies(pki: TestPki, count: int, kb: int) -> list[bytes]:
    """`count` different requests: three fresh PDFs each and a signature of its consent (made now, before timing)."""
    key = load_private_key(pki.users['rsa'].key_der.read_bytes())
    certificate, chain = pki.user_der('rsa'), pki.chain_ders('rsa')
    data = json.dumps(application_data(date.today()), ensure_ascii=False)
    bodies = []
    for _ in range(count):
        files = {f'files.{kind}': (f'{kind}.pdf', pdf_of(kb)) for kind in ('identity_document', 'residence_right')}
        consent = pdf_of(kb)
        files['files.owner_consent'] = ('согласие.pdf', consent)
        signature = sign_detached(consent, key, certificate, chain, signing_time=datetime.now(UTC))
        files['signatures.owner_consent'] = ('согласие.pdf.sig', signature)
        bodies.append(multipart({'service': SERVICES[0], 'data': data}, files))
    return bodies


def profile_filing(app: Flask, parties: Parties, pki: TestPki, count: int, kb: int) -> None:
    """`--profile-here N`: N filings through the Flask test client in this process without a profiler, for the CPU
    time of one filing (process_time: the machine's other load does not count) with its SQL statements and flushes
    counted, then N more under cProfile timed by the CPU clock; prints the statements per filing, PostgreSQL's time
    for each (pg_stat_statements) and the functions that take the most CPU."""
    import cProfile
    import pstats

    from sqlalchemy import event
    from sqlalchemy.orm import Session

    bodies = filing_bodies(pki, 2 * count + 1, kb)
    headers = {
        'Authorization': f'Bearer {parties.applicant_token}',
        'Content-Type': f'multipart/form-data; boundary={BOUNDARY}',
    }
    client = app.test_client()
    client.post('/api/v1/applications', data=bodies.pop(), headers=headers)  # warm-up
    statements: list[str] = []
    flushes: list[int] = []
    with app.app_context():
        engine = db.engine

    def count_statement(conn: object, cursor: object, statement: str, *rest: object) -> None:
        statements.append(
            statement.split(None, 3)[0] + ' ' + statement.split()[2 if statement.startswith('INSERT') else -1][:40]
        )

    def count_flush(session: object, context: object) -> None:
        flushes.append(1)

    def file_all(batch: list[bytes]) -> None:
        for body in batch:
            response = client.post('/api/v1/applications', data=body, headers=headers)
            assert response.status_code == 201, response.get_json()

    reset_statement_times(app)
    event.listen(engine, 'before_cursor_execute', count_statement)
    event.listen(Session, 'after_flush', count_flush)
    cpu, started = time.process_time(), time.perf_counter()
    file_all(bodies[:count])
    cpu, took = time.process_time() - cpu, time.perf_counter() - started
    event.remove(Session, 'after_flush', count_flush)
    event.remove(engine, 'before_cursor_execute', count_statement)
    print(
        f'in process: {count} filings, {1000 * cpu / count:.1f} ms CPU each in Python (process_time, no profiler), '
        f'{took:.1f} s wall'
    )
    print(f'SQL:        {len(statements) / count:.1f} statements and {len(flushes) / count:.1f} flushes per filing')
    for statement, times in Counter(statements).most_common(25):
        print(f'  {times / count:5.1f}  {statement}')
    print_statement_times(app, count)
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    file_all(bodies[count:])
    profiler.disable()
    stats_file = WORK / 'filing.pstats'
    profiler.dump_stats(stats_file)
    print(f'under cProfile (CPU clock): {count} more filings (stats in {stats_file})')
    pstats.Stats(profiler).sort_stats('cumulative').print_stats(r'edms/(?!api/applications)', 45)
    pstats.Stats(profiler).sort_stats('tottime').print_stats(30)


def bench_filing(app: Flask, url: str, parties: Parties, pki: TestPki, args: argparse.Namespace) -> None:
    started = time.perf_counter()
    bodies = filing_bodies(pki, args.filings, args.kb)
    size, took = len(bodies[0]) / 1024, time.perf_counter() - started
    print(f'prepared:   {len(bodies)} requests of {size:.0f} KiB in {took:.0f} s')
    headers = {
        'Authorization': f'Bearer {parties.applicant_token}',
        'Content-Type': f'multipart/form-data; boundary={BOUNDARY}',
    }

    def request(n: int) -> tuple[str, str, bytes]:
        return 'POST', '/api/v1/applications', bodies[n % len(bodies)]

    env = environment(url)
    with gunicorn(env, args.workers) as (port, master):
        wait_for_quiet()
        # One request first: the workers import lazily what filing needs (the XSD, pyhanko) before timing.
        run_clients(port, 1, 0.1, request, headers)
        database, busy = postgres_cpu(app), machine_jiffies()
        with profiled(master if args.profile else None, 'filing', args.seconds):
            waits = sampled_waits(app) if args.waits else contextlib.nullcontext()
            with worker_cpu_per_request(master, lambda: tally.statuses.get(201, 0)), waits:
                tally, wall = run_clients(port, args.clients, args.seconds, request, headers)
        database = postgres_cpu(app) - database
        filed = max(tally.statuses.get(201, 0), 1)
        print(f'postgresql: {1000 * database / filed:.2f} ms CPU a filing; machine {machine_busy(busy):.0f} % busy')
    report('filing', tally, wall, 201, FILING_TARGET, 1000)
    reused = max(0, tally.statuses.get(201, 0) + 1 - len(bodies))
    if reused:
        print(f'note:       {reused} requests repeated a prepared one (its files then deduplicated by content)')
    with app.app_context():
        applications = db.session.execute(select(func.count()).select_from(Application)).scalar_one()
        cards = db.session.execute(select(func.count()).select_from(Card)).scalar_one()
        attachments = db.session.execute(select(func.count()).select_from(Attachment)).scalar_one()
        db.session.rollback()
    print(f'stored:     {applications} applications, {cards} cards, {attachments} attachments')


# --- 2. lists ---------------------------------------------------------------------------------------------------------


def make_applicants(app: Flask, count: int) -> tuple[int, int]:
    """`count` portal accounts copied in SQL from the applicant's row; the range of their ids."""
    with app.app_context(), atomic():
        columns = [
            row[0]
            for row in db.session.execute(
                text("SELECT column_name FROM information_schema.columns WHERE table_name = 'auth_users'")
            )
            if row[0] != 'id'
        ]
        chosen = {'login': "'bench' || n", 'snils': 'NULL', 'inn': 'NULL'}
        select_list = ', '.join(chosen.get(column, column) for column in columns)
        first = db.session.execute(text('SELECT max(id) + 1 FROM auth_users')).scalar_one()
        template = db.session.execute(text("SELECT id FROM auth_users WHERE login = 'heavy'")).scalar_one()
        db.session.execute(
            text(
                f'INSERT INTO auth_users ({", ".join(columns)}) SELECT {select_list} '
                f'FROM auth_users, generate_series(1, :count) AS n WHERE auth_users.id = :template'
            ),
            {'count': count, 'template': template},
        )
        db.session.execute(
            text('INSERT INTO auth_user_roles (user_id, role) SELECT id, :role FROM auth_users WHERE id >= :first'),
            {'role': 'applicant', 'first': first},
        )
        last = db.session.execute(text('SELECT max(id) FROM auth_users')).scalar_one()
    return first, last


APPLICATIONS_SQL = """
INSERT INTO citizen_services_applications (
    number, service_code, channel, status, applicant_user_id, applicant_kind, applicant_name, applicant_snils,
    applicant_inn, filed_by_id, filed_via_organization_id, "values", signatures, organization_id, submitted_at,
    deadline, deadline_explanation, expected_date, expected_explanation, created_at
)
SELECT
    'Б-' || n,
    (ARRAY[:s0, :s1, :s2])[1 + n % 3],
    CASE WHEN n % 5 = 0 THEN 'mfc' ELSE 'portal' END,
    CASE WHEN n % 20 < 12 THEN 'done' WHEN n % 20 < 14 THEN 'refused' WHEN n % 20 < 19 THEN 'in_progress'
         ELSE 'clarification_required' END,
    u.user_id,
    'person',
    'Заявитель ' || (n % 100000),
    NULL,
    NULL,
    CASE WHEN n % 5 = 0 THEN :operator ELSE u.user_id END,
    CASE WHEN n % 5 = 0 THEN :mfc END,
    '{}',
    '[]',
    (ARRAY[:o0, :o1, :o2])[1 + n % 3],
    t.at,
    (t.at + interval '7 days')::date,
    'Срок: 5 рабочих дней',
    (t.at + interval '5 days')::date,
    'Ожидаемый срок',
    t.at
FROM generate_series(1, :rows) AS n
CROSS JOIN LATERAL (
    SELECT CASE WHEN n % 500 = 0 THEN :heavy ELSE :first + (n::bigint * 7919) % :applicants END AS user_id
) AS u
CROSS JOIN LATERAL (SELECT now() - interval '1 second' * (n::bigint * :span / :rows) AS at) AS t
"""


def make_applications(app: Flask, parties: Parties, applicants: tuple[int, int], rows: int) -> None:
    started = time.perf_counter()
    with app.app_context():
        values = {
            's0': SERVICES[0], 's1': SERVICES[1], 's2': SERVICES[2],
            'o0': parties.organizations[SERVICES[0]], 'o1': parties.organizations[SERVICES[1]],
            'o2': parties.organizations[SERVICES[2]], 'operator': parties.operator_id,
            'mfc': parties.mfc_id, 'heavy': parties.heavy_id, 'first': applicants[0],
            'applicants': applicants[1] - applicants[0] + 1, 'rows': rows, 'span': 3 * 365 * 86400,
        }  # fmt: skip
        with atomic():
            db.session.execute(text(APPLICATIONS_SQL), values)
        with db.engine.connect().execution_options(isolation_level='AUTOCOMMIT') as connection:
            connection.execute(text('VACUUM ANALYZE'))
    took = time.perf_counter() - started
    print(f'generated:  {rows:,} applications of {values["applicants"]:,} applicants in {took:.0f} s')


Scenario = Callable[[random.Random], dict[str, str]]


def month(rng: random.Random, days: int = 30) -> dict[str, str]:
    start = date.today() - timedelta(days=rng.randrange(3 * 365 - days))
    return {'date_from': start.isoformat(), 'date_to': (start + timedelta(days=days)).isoformat()}


def scenarios() -> dict[str, tuple[str, Scenario]]:
    """Name → (whose token, query-string generator). The ordinary applicants' tokens are made on demand."""
    statuses = ('done', 'refused', 'in_progress', 'clarification_required')
    return {
        'applicant: own list': ('applicant', lambda rng: {}),
        'heavy applicant: page 1': ('heavy', lambda rng: {}),
        'heavy applicant: page 5': ('heavy', lambda rng: {'page': '5'}),
        'heavy: status': ('heavy', lambda rng: {'status': rng.choice(statuses)}),
        'heavy: service + year': ('heavy', lambda rng: {'service': rng.choice(SERVICES), **month(rng, 365)}),
        'agency: page 1': ('clerk', lambda rng: {}),
        'agency: status': ('clerk', lambda rng: {'status': rng.choice(statuses)}),
        'agency: status + month': ('clerk', lambda rng: {'status': rng.choice(statuses), **month(rng)}),
        'mfc: filed, month': ('mfc', lambda rng: month(rng)),
    }


def ordinary_tokens(app: Flask, first: int, count: int, rng: random.Random) -> list[str]:
    from edms.auth.models import User
    from tests.factories import api_token

    with app.app_context(), atomic():
        users = [db.session.get(User, first + rng.randrange(count)) for _ in range(20)]
        return [api_token(user) for user in users if user is not None]


def bench_lists(app: Flask, parties: Parties, args: argparse.Namespace) -> None:
    applicants = make_applicants(app, args.applicants)
    make_applications(app, parties, applicants, args.rows)
    rng = random.Random(7)
    ordinary = ordinary_tokens(app, applicants[0], args.applicants, rng)
    tokens = {'heavy': parties.heavy_token, 'clerk': parties.clerk_token, 'mfc': parties.mfc_operator_token}
    client = app.test_client()
    wait_for_quiet()
    for name, (whose, scenario) in scenarios().items():
        samples, sizes = [], []
        for _ in range(args.runs):
            token = rng.choice(ordinary) if whose == 'applicant' else tokens[whose]
            query = scenario(rng)
            started = time.perf_counter()
            response = client.get(
                '/api/v1/applications', query_string=query, headers={'Authorization': f'Bearer {token}'}
            )
            samples.append(time.perf_counter() - started)
            assert response.status_code == 200, response.get_json()
            sizes.append(len(response.get_json()['items']))
        verdict = 'met' if percentile(samples, 0.95) * 1000 <= LIST_TARGET_MS else 'NOT met'
        print(f'{name:26} {summary_ms(samples)}; {sum(sizes) / len(sizes):.0f} rows/page (p95 ≤ 100 ms: {verdict})')
    if args.explain:
        explain(app, parties)


def explain(app: Flask, parties: Parties) -> None:
    from edms.auth.models import User
    from edms.citizen_services.queries import ApplicationFilter, list_applications

    with app.app_context():
        heavy = db.session.get(User, parties.heavy_id)
        db.session.execute(text('SET LOCAL jit = off'))
        for filters in (ApplicationFilter(), ApplicationFilter(status='refused')):
            started = time.perf_counter()
            list_applications(heavy, filters, 'mine')
            took = 1000 * (time.perf_counter() - started)
            print(f'heavy {filters.status or "all"}: {took:.1f} ms in the query function')
        db.session.rollback()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--filings', type=int, default=1500, help='requests prepared for the filing phase')
    parser.add_argument('--seconds', type=float, default=20, help='length of the filing phase')
    parser.add_argument('--clients', type=int, default=8)
    parser.add_argument(
        '--workers', type=int, default=4, help='gunicorn sync workers (4 as in config/production.example.py)'
    )
    parser.add_argument('--kb', type=int, default=100, help='size of each of the three PDFs')
    parser.add_argument('--rows', type=int, default=1_000_000)
    parser.add_argument('--applicants', type=int, default=100_000)
    parser.add_argument('--runs', type=int, default=200)
    parser.add_argument('--fast', action='store_true', help="PostgreSQL with the test suite's fsync=off settings")
    parser.add_argument('--skip-filing', action='store_true')
    parser.add_argument('--skip-lists', action='store_true')
    parser.add_argument('--explain', action='store_true')
    parser.add_argument('--waits', action='store_true', help="sample PostgreSQL's busy backends for what they wait on")
    parser.add_argument('--profile', action='store_true', help='sample one gunicorn worker with py-spy (pip install)')
    parser.add_argument(
        '--profile-here',
        type=int,
        default=0,
        help='N filings in process (CPU, statements, flushes), then N under cProfile',
    )
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    pki = build_test_pki(WORK / f'pki-{uuid.uuid4().hex[:8]}')
    with postgres(durable=not args.fast, settings=STATEMENT_STATS if args.profile_here else '') as url:
        app = migrated_app(url)
        parties = setup_parties(app, pki)
        print(f'machine:    {machine()}\npostgresql: {pg_settings(app)}\nload avg:   {load_average()}')
        if args.profile_here:
            profile_filing(app, parties, pki, args.profile_here, args.kb)
        if not args.skip_filing:
            bench_filing(app, url, parties, pki, args)
        if not args.skip_lists:
            bench_lists(app, parties, args)


if __name__ == '__main__':
    main()
