"""E-mail of notifications through a real local SMTP server (aiosmtpd): sent once, failures kept, never a crash."""

import pytest
from sqlalchemy import select

from edms import create_app
from edms.core.db import db
from edms.core.tx import atomic
from edms.notifications.jobs import MailDeliveryFailed, is_temporary, send_notification_mail
from edms.notifications.models import Notification
from edms.notifications.operations import notify
from tests.conftest import make_config


def create(user, source='resolution_event:1', url='/cards/12', **extra):
    with atomic():
        created = notify(
            [user.id],
            kind='reminder',
            text='Срок исполнения поручения по документу № Вх-00012/26 истекает 25.11.2026.',
            url=url,
            source=source,
            **extra,
        )
    return created[0].id if created else None


def reload(notification_id):
    db.session.expire_all()
    return db.session.get(Notification, notification_id)


def test_notify_mails_after_commit_with_the_text_and_the_link(people, smtp_config):
    notification_id = create(people.alice)
    assert len(smtp_config.box.messages) == 1
    message = smtp_config.box.messages[0]
    assert message['To'] == 'alice@example.ru'
    assert 'noreply@edms.example.ru' in message['From']
    assert message['Subject'].startswith('МСЭД: Напоминание о сроке: Срок исполнения поручения')
    assert message['Auto-Submitted'] == 'auto-generated'
    body = message.get_content()
    assert 'Здравствуйте, Тест Ивановна!' in body
    assert 'Срок исполнения поручения по документу № Вх-00012/26 истекает 25.11.2026.' in body
    assert 'https://edms.example.ru/cards/12' in body
    assert 'https://edms.example.ru/notifications/' in body
    notification = reload(notification_id)
    assert notification.emailed_at is not None
    assert notification.email_error is None


def test_the_job_run_twice_sends_one_mail(people, smtp_config):
    notification_id = create(people.alice)
    assert send_notification_mail(notification_id) is False
    assert send_notification_mail(notification_id) is False
    assert len(smtp_config.box.messages) == 1


def test_no_mail_without_smtp_or_without_an_address(people, smtp_server, app, monkeypatch):
    create(people.alice, source='no-smtp')
    assert smtp_server.box.messages == []
    monkeypatch.setitem(app.config, 'SMTP_HOST', smtp_server.host)
    monkeypatch.setitem(app.config, 'SMTP_PORT', smtp_server.port)
    with atomic():
        people.bob.email = ''
    notification_id = create(people.bob, source='no-address')
    assert smtp_server.box.messages == []
    assert send_notification_mail(notification_id) is False
    assert reload(notification_id).emailed_at is None


def test_a_refused_recipient_is_recorded_without_a_crash(people, smtp_config):
    smtp_config.box.refuse['alice@example.ru'] = '550 5.1.1 Mailbox unavailable'
    notification_id = create(people.alice)
    notification = reload(notification_id)
    assert notification.emailed_at is None
    assert 'alice@example.ru (550)' in notification.email_error
    assert smtp_config.box.messages == []
    del smtp_config.box.refuse['alice@example.ru']
    assert send_notification_mail(notification_id) is True
    notification = reload(notification_id)
    assert notification.emailed_at is not None
    assert notification.email_error is None
    assert len(smtp_config.box.messages) == 1


def test_an_unreachable_server_is_recorded_without_a_crash(people, app, monkeypatch):
    from tests.servers import refused_port

    with refused_port() as port:
        monkeypatch.setitem(app.config, 'SMTP_HOST', '127.0.0.1')
        monkeypatch.setitem(app.config, 'SMTP_PORT', port)
        monkeypatch.setitem(app.config, 'SMTP_TIMEOUT', 2)
        notification_id = create(people.alice)
    notification = reload(notification_id)
    assert notification.emailed_at is None
    assert notification.email_error.startswith('ConnectionRefusedError')


@pytest.mark.filterwarnings('ignore:Requiring AUTH while not requiring TLS:UserWarning')  # a loopback test server
def test_login_with_the_configured_user_and_password(people, smtp_server, app, monkeypatch):
    from aiosmtpd.smtp import AuthResult

    from tests.servers import start_smtp

    def authenticate(server, session, envelope, mechanism, data):
        smtp_server.box.logins.append((data.login.decode(), data.password.decode()))
        return AuthResult(success=data.login == b'edms' and data.password == b'123456')

    controller = start_smtp(smtp_server.box, authenticator=authenticate, auth_required=True, auth_require_tls=False)
    try:
        for key, value in (('SMTP_HOST', '127.0.0.1'), ('SMTP_PORT', controller.port), ('SMTP_USER', 'edms')):
            monkeypatch.setitem(app.config, key, value)
        monkeypatch.setitem(app.config, 'SMTP_PASSWORD', 123456)  # EDMS_SMTP_PASSWORD=123456 is parsed as JSON
        create(people.alice)
    finally:
        controller.stop()
    assert smtp_server.box.logins == [('edms', '123456')]
    assert len(smtp_server.box.messages) == 1


def test_smtp_settings_come_from_the_environment(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv('EDMS_SMTP_HOST', 'smtp.example.ru')
    monkeypatch.setenv('EDMS_SMTP_PORT', '587')
    monkeypatch.setenv('EDMS_SMTP_STARTTLS', 'true')
    monkeypatch.setenv('EDMS_SMTP_USER', 'edms')
    monkeypatch.setenv('EDMS_SMTP_PASSWORD', 'секрет')
    config = create_app(make_config(database_url, tmp_path)).config
    assert (config['SMTP_HOST'], config['SMTP_PORT'], config['SMTP_STARTTLS']) == ('smtp.example.ru', 587, True)
    assert (config['SMTP_USER'], config['SMTP_PASSWORD']) == ('edms', 'секрет')
    assert create_app(make_config(database_url, tmp_path, SMTP_HOST='')).config['SMTP_HOST'] == ''


def test_temporary_failures_are_retried_by_rq_and_permanent_ones_only_recorded(people, smtp_config, redis_jobs):
    from rq import SimpleWorker
    from rq.job import Job, JobStatus
    from rq.serializers import JSONSerializer

    from edms.core.jobs import make_queue

    smtp_config.box.refuse['alice@example.ru'] = '451 4.3.0 Try again later'
    smtp_config.box.refuse['bob@example.ru'] = '550 5.1.1 No such user'
    temporary, permanent = create(people.alice), create(people.bob)
    queue = make_queue('notifications')
    job_ids = queue.job_ids
    assert len(job_ids) == 2
    SimpleWorker([queue], connection=redis_jobs, serializer=JSONSerializer).work(burst=True)
    jobs = [Job.fetch(job_id, connection=redis_jobs, serializer=JSONSerializer) for job_id in job_ids]
    statuses = {job.args[0]: (job.get_status(), job.retries_left) for job in jobs}
    assert statuses[temporary] == (JobStatus.SCHEDULED, 2)  # RQ's Retry will run it again
    assert statuses[permanent] == (JobStatus.FINISHED, 3)  # recorded, not retried, not failed
    assert 'alice@example.ru (451)' in reload(temporary).email_error
    assert 'bob@example.ru (550)' in reload(permanent).email_error
    assert smtp_config.box.messages == []


def test_classification_of_failures():
    import smtplib

    assert is_temporary(ConnectionRefusedError())
    assert is_temporary(smtplib.SMTPServerDisconnected())
    assert is_temporary(smtplib.SMTPResponseException(421, b'busy'))
    assert not is_temporary(smtplib.SMTPAuthenticationError(535, b'bad credentials'))
    assert not is_temporary(smtplib.SMTPRecipientsRefused({'a@b.ru': (550, b'no')}))
    assert is_temporary(smtplib.SMTPRecipientsRefused({'a@b.ru': (452, b'full')}))
    assert not is_temporary(ValueError('bad header'))
    assert issubclass(MailDeliveryFailed, Exception)


def test_the_notification_rows_record_what_happened(people, smtp_config):
    smtp_config.box.refuse['bob@example.ru'] = '550 5.1.1 No such user'
    create(people.alice, source='x')
    create(people.bob, source='x')
    rows = db.session.scalars(select(Notification).order_by(Notification.user_id)).all()
    assert [(row.emailed_at is not None, row.email_error is not None) for row in rows] == [(True, False), (False, True)]
