"""Jobs: enqueued by dotted path on a real Redis, run by a worker in the app context, idempotent; sync by default."""

import io

import pytest
from sqlalchemy import func, select

from edms.audit.models import AuditEntry
from edms.core.blobs import blob_store
from edms.core.db import db
from edms.core.jobs import enqueue, make_queue, redis_connection
from edms.core.tx import atomic, on_commit
from edms.registry.operations import add_attachment
from tests.conftest import forget_redis
from tests.factories import make_card, make_organization, make_user

PDF = b'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'


@pytest.fixture
def damaged_card(app_ctx):
    with atomic():
        organization = make_organization()
        clerk = make_user(organization, 'clerk')
        card = make_card(clerk)
        attachment = add_attachment(clerk, card, io.BytesIO(PDF + b'x' * 16), 'a.pdf')
    path = blob_store().path_for(attachment.sha256)
    with open(path, 'wb') as damaged:
        damaged.write(b'other bytes')
    yield card
    with open(path, 'wb') as restored:
        restored.write(PDF + b'x' * 16)


def corrupted_entries() -> int:
    query = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == 'attachment.corrupted')
    return db.session.execute(query).scalar_one()


def test_job_runs_on_a_redis_worker_after_commit_and_is_idempotent(app, redis_server, damaged_card, monkeypatch):
    from rq import SimpleWorker
    from rq.serializers import JSONSerializer

    monkeypatch.setitem(app.config, 'REDIS_URL', redis_server.url)
    monkeypatch.setitem(app.config, 'JOBS_SYNC', False)
    forget_redis(app)
    path = 'edms.registry.jobs.verify_card_attachments'
    with atomic():
        on_commit(enqueue, path, damaged_card.id)
        on_commit(enqueue, path, damaged_card.id)
    queue = make_queue('default')
    assert queue.count == 2
    worker = SimpleWorker([queue], connection=redis_connection(), serializer=JSONSerializer)
    worker.work(burst=True)
    forget_redis(app)
    db.session.expire_all()
    assert queue.count == 0
    assert corrupted_entries() == 1


def test_job_is_dropped_with_a_rolled_back_transaction(app, damaged_card):
    with pytest.raises(RuntimeError), atomic():  # noqa: PT012 - the rollback is the point
        on_commit(enqueue, 'edms.registry.jobs.verify_card_attachments', damaged_card.id)
        raise RuntimeError('rollback')
    assert corrupted_entries() == 0


def test_without_redis_jobs_run_synchronously(app, damaged_card):
    assert app.config['JOBS_SYNC'] is True
    with atomic():
        on_commit(enqueue, 'edms.registry.jobs.verify_card_attachments', damaged_card.id)
    assert corrupted_entries() == 1
