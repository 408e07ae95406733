"""Periodic jobs: one list, scheduled on RQ's own scheduler by the worker, one run per date or interval slot on a real
Redis."""

import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from edms.core import schedule
from edms.core.schedule import (
    IntervalJob,
    PeriodicJob,
    due_run_dates,
    run_job_id,
    run_periodic,
    schedule_periodic_jobs,
    slot_job_id,
    slot_start,
    upcoming_slots,
)

MSK = ZoneInfo('Europe/Moscow')
RUNS_KEY = 'test:periodic:runs'


def weekdays_only(day: date) -> bool:
    """A stand-in calendar: Saturdays and Sundays off."""
    return day.weekday() < 5


def record_run() -> str:
    """The target of the test periodic job: counts its runs in Redis."""
    from edms.core.jobs import redis_connection

    redis_connection().incr(RUNS_KEY)
    return 'ok'


def msk(*args: int) -> datetime:
    return datetime(*args, tzinfo=MSK).astimezone(UTC)


def test_the_reminders_are_registered_by_dotted_path_at_eight_on_working_days():
    job = schedule.get_periodic_job('resolution_reminders')
    assert job.func_path == 'edms.resolutions.jobs.send_reminders'
    assert (job.at, job.working_days_only) == (time(8, 0), True)


def test_importing_the_schedule_does_not_import_the_jobs_it_runs():
    code = 'import sys, edms.core.schedule, edms.cli.worker; print("edms.resolutions" in sys.modules)'
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == 'False'


def test_due_dates_follow_the_local_time_and_the_working_days(app_ctx):
    job = PeriodicJob('reminders', 'x.y', at=time(8, 0), catch_up=timedelta(hours=10))
    friday, monday = date(2026, 11, 20), date(2026, 11, 23)
    assert due_run_dates(job, msk(2026, 11, 20, 7, 0), weekdays_only) == [friday, monday]
    assert due_run_dates(job, msk(2026, 11, 20, 9, 30), weekdays_only) == [friday, monday]  # caught up
    assert due_run_dates(job, msk(2026, 11, 20, 18, 0), weekdays_only) == [monday]  # too late today
    assert due_run_dates(job, msk(2026, 11, 21, 9, 0), weekdays_only) == [monday]  # Saturday
    assert schedule.run_moment(job, monday) == datetime(2026, 11, 23, 5, 0, tzinfo=UTC)  # 08:00 MSK
    every_day = PeriodicJob('daily', 'x.y', at=time(8, 0), working_days_only=False)
    assert due_run_dates(every_day, msk(2026, 11, 21, 9, 0), weekdays_only) == [date(2026, 11, 21), date(2026, 11, 22)]


def test_the_business_calendar_skips_holidays(app_ctx):
    job = schedule.get_periodic_job('resolution_reminders')
    check = schedule.working_day_check(job)
    # 4 November (Unity Day) is a holiday: the run after the 3rd is on the 5th.
    assert schedule.next_run_date(job, date(2026, 11, 3), check) == date(2026, 11, 5)
    # The New Year holidays: from 30 December the next run is after them.
    assert schedule.next_run_date(job, date(2026, 12, 31), check) > date(2027, 1, 8)


@pytest.fixture
def test_job(redis_jobs, monkeypatch):
    """A periodic job due every day at 00:00 local time, with a catch-up of a whole day: always due today."""
    job = PeriodicJob(
        'test_daily',
        f'{__name__}.record_run',
        at=time(0, 0),
        working_days_only=False,
        catch_up=timedelta(hours=24),
    )
    monkeypatch.setattr(schedule, 'PERIODIC_JOBS', [job])
    return job


def run_worker(connection):
    from rq import SimpleWorker
    from rq.serializers import JSONSerializer

    from edms.core.jobs import make_queue

    worker = SimpleWorker([make_queue('default')], connection=connection, serializer=JSONSerializer)
    worker.work(burst=True, with_scheduler=True)


def scheduled_ids(connection):
    from rq.registry import ScheduledJobRegistry

    from edms.core.jobs import make_queue

    return sorted(ScheduledJobRegistry(queue=make_queue('default')).get_job_ids())


def test_worker_restarts_never_schedule_or_run_a_date_twice(app_ctx, test_job, redis_jobs):
    today = datetime.now(MSK).date()
    tomorrow = today + timedelta(days=1)
    ids = [run_job_id(test_job, today), run_job_id(test_job, tomorrow)]
    assert ids[0] == f'test_daily-{today.isoformat()}'
    assert schedule_periodic_jobs() == ids
    assert schedule_periodic_jobs() == []  # a second worker start adds nothing
    assert scheduled_ids(redis_jobs) == ids
    run_worker(redis_jobs)  # RQ's scheduler moves today's due run to the queue; the worker runs it
    assert int(redis_jobs.get(RUNS_KEY)) == 1
    assert scheduled_ids(redis_jobs) == [ids[1]]
    assert schedule_periodic_jobs() == []  # a restart after today's run: today's is kept, tomorrow's exists
    run_worker(redis_jobs)
    assert int(redis_jobs.get(RUNS_KEY)) == 1


def test_each_run_schedules_the_next_one_before_it_works(app_ctx, test_job, redis_jobs):
    assert run_periodic('test_daily', '2026-11-20') == 'ok'
    assert scheduled_ids(redis_jobs) == ['test_daily-2026-11-21']
    assert run_periodic('test_daily', '2026-11-20') == 'ok'  # the chain is not doubled either
    assert scheduled_ids(redis_jobs) == ['test_daily-2026-11-21']
    assert int(redis_jobs.get(RUNS_KEY)) == 2


def test_the_worker_command_schedules_the_periodic_jobs(app, app_ctx, test_job, redis_jobs):
    result = app.test_cli_runner().invoke(args=['edms', 'worker', '--burst', 'default'])
    assert result.exit_code == 0, result.output
    today = datetime.now(MSK).date()
    assert f'Запланировано периодическое задание test_daily-{today.isoformat()}.' in result.output
    assert int(redis_jobs.get(RUNS_KEY)) == 1
    again = app.test_cli_runner().invoke(args=['edms', 'worker', '--burst', 'default'])
    assert again.exit_code == 0, again.output
    assert 'Запланировано' not in again.output
    assert int(redis_jobs.get(RUNS_KEY)) == 1


def test_run_periodic_runs_one_now_without_redis(app, app_ctx, monkeypatch):
    monkeypatch.setattr(schedule, 'PERIODIC_JOBS', [PeriodicJob('test_now', f'{__name__}.count_call', at=time(8))])
    calls = CALLS
    calls.clear()
    assert app.config['JOBS_SYNC'] is True
    result = app.test_cli_runner().invoke(args=['edms', 'run-periodic', 'test_now'])
    assert result.exit_code == 0, result.output
    assert 'Периодическое задание test_now выполнено' in result.output
    assert calls == ['called']
    unknown = app.test_cli_runner().invoke(args=['edms', 'run-periodic', 'nope'])
    assert unknown.exit_code != 0
    assert 'Неизвестное периодическое задание «nope»' in unknown.output


CALLS: list[str] = []


def count_call() -> None:
    CALLS.append('called')


# --- interval jobs ----------------------------------------------------------------------------------------------------

ORDER_KEY = 'test:periodic:order'


def record_order() -> None:
    """The target of the test interval job: notes that it ran, in order with `note_other`."""
    from edms.core.jobs import redis_connection

    redis_connection().rpush(ORDER_KEY, 'interval')


def note_other() -> None:
    from edms.core.jobs import redis_connection

    redis_connection().rpush(ORDER_KEY, 'other')


def test_the_exchange_sweeps_run_every_minute_on_the_exchange_queue():
    for name, path in (
        ('exchange_inbox_sweep', 'edms.exchange.jobs.sweep_inbox'),
        ('exchange_outbox_sweep', 'edms.exchange.jobs.sweep_outbox'),
        ('exchange_export_sweep', 'edms.exchange.jobs.export_resolution_events'),
    ):
        job = schedule.get_periodic_job(name)
        assert isinstance(job, IntervalJob)
        assert (job.func_path, job.every, job.queue) == (path, timedelta(minutes=1), 'exchange')
        assert job.timeout < job.every.total_seconds()


def test_slots_are_aligned_on_the_epoch_and_named_by_their_start():
    job = IntervalJob('sweep', 'x.y', every=timedelta(minutes=1))
    moment = datetime(2026, 11, 23, 10, 15, 42, 500000, tzinfo=UTC)
    assert slot_start(job, moment) == datetime(2026, 11, 23, 10, 15, tzinfo=UTC)
    assert slot_start(job, moment.astimezone(MSK)) == datetime(2026, 11, 23, 10, 15, tzinfo=UTC)
    assert upcoming_slots(job, moment) == [datetime(2026, 11, 23, 10, m, tzinfo=UTC) for m in (16, 17)]
    assert slot_job_id(job, slot_start(job, moment)) == 'sweep-20261123T101500Z'
    five = IntervalJob('five', 'x.y', every=timedelta(minutes=5))
    assert slot_start(five, moment) == datetime(2026, 11, 23, 10, 15, tzinfo=UTC)
    assert slot_start(five, moment + timedelta(minutes=5)) == datetime(2026, 11, 23, 10, 20, tzinfo=UTC)
    with pytest.raises(ValueError, match='whole number of seconds'):
        IntervalJob('bad', 'x.y', every=timedelta(milliseconds=1500))


@pytest.fixture
def interval_job(redis_jobs, monkeypatch):
    """An interval job of a day: its current slot began at 00:00 UTC, so it is always due now, and the next slots are
    tomorrow and the day after."""
    job = IntervalJob('test_sweep', f'{__name__}.record_run', every=timedelta(days=1))
    monkeypatch.setattr(schedule, 'PERIODIC_JOBS', [job])
    return job


def day_slots(count: int) -> list[datetime]:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return [today + timedelta(days=step) for step in range(count)]


def test_an_interval_slot_is_scheduled_and_run_once_however_many_workers_start(app_ctx, interval_job, redis_jobs):
    ids = [slot_job_id(interval_job, slot) for slot in day_slots(3)]
    assert schedule_periodic_jobs() == ids  # the current slot and the next two
    assert schedule_periodic_jobs() == []  # a second worker start adds nothing
    run_worker(redis_jobs)
    assert int(redis_jobs.get(RUNS_KEY)) == 1
    assert scheduled_ids(redis_jobs) == ids[1:]
    assert schedule_periodic_jobs() == []  # a restart in the same slot: the finished run is kept until it is over
    run_worker(redis_jobs)
    assert int(redis_jobs.get(RUNS_KEY)) == 1


def test_an_interval_run_keeps_two_slots_ahead_counted_from_when_it_runs(app_ctx, interval_job, redis_jobs):
    from edms.core.jobs import make_queue

    today, tomorrow, after = day_slots(3)
    ids = {slot: slot_job_id(interval_job, slot) for slot in (tomorrow, after, after + timedelta(days=1))}
    two_days_ago = (today - timedelta(days=2)).isoformat()
    assert schedule.run_interval('test_sweep', two_days_ago) == 'ok'  # late: no slot in the past is scheduled
    assert scheduled_ids(redis_jobs) == [ids[tomorrow], ids[after]]
    make_queue('default').fetch_job(ids[tomorrow]).delete()  # tomorrow's run lost whole, before it scheduled anything
    assert scheduled_ids(redis_jobs) == [ids[after]]  # the chain goes on from the day after
    assert schedule.run_interval('test_sweep', after.isoformat()) == 'ok'
    assert ids[after + timedelta(days=1)] in scheduled_ids(redis_jobs)
    assert int(redis_jobs.get(RUNS_KEY)) == 2


def test_an_interval_run_goes_before_a_backlog_of_its_queue(app_ctx, monkeypatch, redis_jobs):
    from edms.core.jobs import make_queue

    job = IntervalJob('test_front', f'{__name__}.record_order', every=timedelta(days=1))
    monkeypatch.setattr(schedule, 'PERIODIC_JOBS', [job])
    make_queue('default').enqueue(f'{__name__}.note_other')
    make_queue('default').enqueue(f'{__name__}.note_other')
    schedule_periodic_jobs()
    run_worker(redis_jobs)
    assert redis_jobs.lrange(ORDER_KEY, 0, -1) == [b'interval', b'other', b'other']


def test_the_worker_command_runs_the_current_slot_once(app, app_ctx, interval_job, redis_jobs):
    result = app.test_cli_runner().invoke(args=['edms', 'worker', '--burst', 'default'])
    assert result.exit_code == 0, result.output
    current = slot_job_id(interval_job, day_slots(1)[0])
    assert f'Запланировано периодическое задание {current}.' in result.output
    assert int(redis_jobs.get(RUNS_KEY)) == 1
    again = app.test_cli_runner().invoke(args=['edms', 'worker', '--burst', 'default'])
    assert again.exit_code == 0, again.output
    assert 'Запланировано' not in again.output
    assert int(redis_jobs.get(RUNS_KEY)) == 1


def test_run_periodic_runs_an_interval_job_now_without_redis(app, app_ctx, monkeypatch):
    job = IntervalJob('test_interval_now', f'{__name__}.count_call', every=timedelta(minutes=1))
    monkeypatch.setattr(schedule, 'PERIODIC_JOBS', [job])
    CALLS.clear()
    result = app.test_cli_runner().invoke(args=['edms', 'run-periodic', 'test_interval_now'])
    assert result.exit_code == 0, result.output
    assert CALLS == ['called']
