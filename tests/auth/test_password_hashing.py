"""argon2id parameters: the production defaults, the floor outside testing, and hashes replaced at login when the
parameters change."""

import re

import pytest
from argon2.exceptions import HashingError
from sqlalchemy import select

from edms import create_app
from edms.audit.models import AuditEntry
from edms.auth.passwords import check_parameters, hash_password, needs_rehash, verify_password
from edms.auth.sessions import login
from edms.core.db import db
from edms.core.tx import atomic
from tests.conftest import make_config
from tests.factories import PASSWORD, make_organization, make_user

CHEAP = {'time_cost': 1, 'memory_cost': 8, 'parallelism': 1}
DEFAULTS = {'time_cost': 3, 'memory_cost': 65536, 'parallelism': 4}


def parameters_of(password_hash: str) -> dict[str, int]:
    found = re.fullmatch(r'\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[^$]+\$[^$]+', password_hash)
    assert found, password_hash
    memory, time, parallelism = map(int, found.groups())
    return {'time_cost': time, 'memory_cost': memory, 'parallelism': parallelism}


def test_without_a_setting_new_hashes_get_rfc_9106_parameters(app_ctx, monkeypatch):
    monkeypatch.setitem(app_ctx.config, 'PASSWORD_HASHING', {})
    password_hash = hash_password('Пароль2026')
    assert parameters_of(password_hash) == DEFAULTS
    assert verify_password(password_hash, 'Пароль2026')
    assert not verify_password(password_hash, 'Пароль2027')


def test_the_setting_gives_the_parameters_of_new_hashes(app_ctx, monkeypatch):
    monkeypatch.setitem(app_ctx.config, 'PASSWORD_HASHING', {'time_cost': 2, 'memory_cost': 19456, 'parallelism': 1})
    assert parameters_of(hash_password('x')) == {'time_cost': 2, 'memory_cost': 19456, 'parallelism': 1}


@pytest.mark.parametrize(
    ('setting', 'message'),
    [
        ({'memory_cost': 1024}, 'memory_cost=1024 is below the minimum 19456'),
        ({'memory_cost': 4 * 1024 * 1024}, 'memory_cost=4194304 is above the maximum 1048576'),
        ({'time_cost': 1}, 'time_cost=1 is below the minimum 2'),
        ({'salt_len': 8}, "unknown argon2id parameter 'salt_len'"),
        ({'time_cost': '3'}, 'time_cost must be a positive integer'),
        ({'parallelism': 0}, 'parallelism must be a positive integer'),
        ([('time_cost', 3)], 'must be a mapping'),
    ],
)
def test_weak_or_malformed_parameters_are_refused_at_start_outside_testing(app, tmp_path, setting, message):
    config = make_config(app.config['SQLALCHEMY_DATABASE_URI'], tmp_path, TESTING=False, PASSWORD_HASHING=setting)
    with pytest.raises(ValueError, match=re.escape(message)):
        create_app(config)


def test_the_floor_and_the_ceiling_themselves_are_accepted_outside_testing(app, tmp_path):
    for setting in ({'time_cost': 2, 'memory_cost': 19456, 'parallelism': 1}, {'time_cost': 2, 'parallelism': 16}):
        config = make_config(app.config['SQLALCHEMY_DATABASE_URI'], tmp_path, TESTING=False, PASSWORD_HASHING=setting)
        with create_app(config).app_context():
            assert parameters_of(hash_password('x')) == DEFAULTS | setting


def test_testing_may_go_below_the_floor_but_not_name_unknown_parameters_nor_impossible_ones():
    check_parameters({'TESTING': True, 'PASSWORD_HASHING': CHEAP})
    with pytest.raises(ValueError, match='unknown'):
        check_parameters({'TESTING': True, 'PASSWORD_HASHING': {'memory': 8}})
    with pytest.raises(ValueError, match='cannot hash'):  # argon2 wants 8 KiB per lane
        check_parameters({'TESTING': True, 'PASSWORD_HASHING': {**CHEAP, 'parallelism': 2}})


def test_a_login_replaces_a_hash_made_with_other_parameters_and_journals_it(app_ctx, monkeypatch):
    with atomic():
        user = make_user(make_organization(), 'clerk', login='petrov')
    old_hash = user.password_hash
    assert parameters_of(old_hash) == CHEAP
    stronger = {'time_cost': 2, 'memory_cost': 64, 'parallelism': 1}
    monkeypatch.setitem(app_ctx.config, 'PASSWORD_HASHING', stronger)
    assert needs_rehash(old_hash)

    for _ in range(2):
        with atomic():
            assert login(user.organization_id, 'petrov', PASSWORD, '127.0.0.1', 'pytest').ok

    assert parameters_of(user.password_hash) == stronger
    assert verify_password(user.password_hash, PASSWORD)
    assert not needs_rehash(user.password_hash)
    facts = db.session.execute(
        select(AuditEntry.data).where(AuditEntry.action == 'auth.login.success').order_by(AuditEntry.seq)
    ).scalars()
    assert [entry.get('rehashed') for entry in facts] == [True, None]


def test_a_wrong_password_never_replaces_the_hash(app_ctx, monkeypatch):
    with atomic():
        user = make_user(make_organization(), 'clerk', login='sidorov')
    old_hash = user.password_hash
    monkeypatch.setitem(app_ctx.config, 'PASSWORD_HASHING', {'time_cost': 2, 'memory_cost': 64, 'parallelism': 1})
    with atomic():
        assert not login(user.organization_id, 'sidorov', 'Неверный1', '127.0.0.1', 'pytest').ok
    assert user.password_hash == old_hash


def test_a_failed_rehash_keeps_the_old_hash_and_the_login_succeeds(app_ctx, monkeypatch):
    with atomic():
        user = make_user(make_organization(), 'clerk', login='kuznetsov')
    old_hash = user.password_hash
    monkeypatch.setitem(app_ctx.config, 'PASSWORD_HASHING', {'time_cost': 2, 'memory_cost': 64, 'parallelism': 1})

    def fail(password):
        raise HashingError('out of memory')

    monkeypatch.setattr('edms.auth.sessions.hash_password', fail)
    with atomic():
        assert login(user.organization_id, 'kuznetsov', PASSWORD, '127.0.0.1', 'pytest').ok
    assert user.password_hash == old_hash
    facts = db.session.execute(select(AuditEntry.data).where(AuditEntry.action == 'auth.login.success')).scalar_one()
    assert 'rehashed' not in facts
