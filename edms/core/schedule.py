"""Periodic jobs, declared in one list (Redash style) and run by RQ's own scheduler inside the worker.

Each run of a periodic job is one RQ job with a stable id per run date (`resolution_reminders-2026-11-23`; RQ allows
only letters, digits, '-' and '_' in ids), put on the scheduled-job registry with RQ's unique scheduling: the check
and the insert are one atomic step in Redis, so a restarted worker, or several workers starting at once, never add a
second run for the same date. The worker command schedules today's run (caught up when the worker was down at the
hour, for `catch_up` after it) and the next one; each run schedules the one after it before it does its work, and
the target function is imported by its dotted path only when the run starts.

Without Redis (the embedded default) nothing is scheduled: `flask --app wsgi edms run-periodic NAME` runs one now.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from werkzeug.utils import import_string

from edms.core.clock import utcnow
from edms.core.jobs import make_queue
from edms.core.tx import atomic

#: The RQ function of every scheduled run; it looks the periodic job up by name.
RUNNER = 'edms.core.schedule.run_periodic'
#: A finished run stays in Redis this long, so a restart later the same day does not run it again.
RESULT_TTL = 7 * 86400
FAILURE_TTL = 30 * 86400
#: How far ahead to look for the next run date (the longest holidays are well under a month).
MAX_LOOKAHEAD_DAYS = 60


@dataclass(frozen=True)
class PeriodicJob:
    """A job run every day (or every working day of the calendar) at a local time of the `TIMEZONE` setting."""

    #: Unique name; also the prefix of the RQ job ids, so only letters, digits and '_'.
    name: str
    #: Dotted path of a function called without arguments inside the app context.
    func_path: str
    at: time
    working_days_only: bool = True
    queue: str = 'default'
    #: A run missed because no worker was up at `at` is still made until this much later the same day.
    catch_up: timedelta = timedelta(hours=10)
    #: Seconds a run may take before RQ stops it.
    timeout: int = 3600


PERIODIC_JOBS: list[PeriodicJob] = [
    # Each working morning: executors and controllers are told of items due soon and overdue.
    PeriodicJob('resolution_reminders', 'edms.resolutions.jobs.send_reminders', at=time(8, 0)),
    # Each night: the CRLs of the trusted CAs from their distribution points (skipped without a network).
    PeriodicJob('crl_refresh', 'edms.signatures.jobs.refresh_crls', at=time(4, 0), working_days_only=False),
]

WorkingDay = Callable[[date], bool]


class UnknownPeriodicJob(LookupError):
    """No periodic job has this name."""


def get_periodic_job(name: str, jobs: Iterable[PeriodicJob] | None = None) -> PeriodicJob:
    for job in PERIODIC_JOBS if jobs is None else jobs:
        if job.name == name:
            return job
    raise UnknownPeriodicJob(name)


def run_job_id(job: PeriodicJob, day: date) -> str:
    """The RQ job id of the run on `day`: one per job and date."""
    return f'{job.name}-{day.isoformat()}'


def run_moment(job: PeriodicJob, day: date) -> datetime:
    """When the run of `day` is due, in UTC (`at` is local time of the `TIMEZONE` setting)."""
    zone = ZoneInfo(current_app.config['TIMEZONE'])
    return datetime.combine(day, job.at, tzinfo=zone).astimezone(UTC)


def runs_on(job: PeriodicJob, day: date, is_working_day: WorkingDay) -> bool:
    return not job.working_days_only or is_working_day(day)


def next_run_date(job: PeriodicJob, after: date, is_working_day: WorkingDay) -> date:
    """The first run date strictly after `after`."""
    for offset in range(1, MAX_LOOKAHEAD_DAYS + 1):
        day = after + timedelta(days=offset)
        if runs_on(job, day, is_working_day):
            return day
    raise RuntimeError(f'no run date for {job.name} within {MAX_LOOKAHEAD_DAYS} days after {after}')


def due_run_dates(job: PeriodicJob, now: datetime, is_working_day: WorkingDay) -> list[date]:
    """Today's run (unless its catch-up time has passed) and the next one."""
    today = now.astimezone(ZoneInfo(current_app.config['TIMEZONE'])).date()
    days = []
    if runs_on(job, today, is_working_day) and now < run_moment(job, today) + job.catch_up:
        days.append(today)
    days.append(next_run_date(job, today, is_working_day))
    return days


def schedule_periodic_jobs(
    now: datetime | None = None,
    *,
    jobs: Iterable[PeriodicJob] | None = None,
    is_working_day: WorkingDay | None = None,
) -> list[str]:
    """Put the due runs of every periodic job on RQ's scheduler; returns the ids scheduled by this call."""
    now = now or utcnow()
    scheduled = []
    for job in PERIODIC_JOBS if jobs is None else jobs:
        check = is_working_day or working_day_check(job)
        scheduled += [run_job_id(job, day) for day in due_run_dates(job, now, check) if schedule_run(job, day)]
    return scheduled


def schedule_run(job: PeriodicJob, day: date) -> bool:
    """Schedule the run of `day` unless a job with its id exists (scheduled, queued, running or kept); True if new."""
    from rq import Retry
    from rq.exceptions import DuplicateJobError

    queue = make_queue(job.queue)
    rq_job = queue.create_job(
        RUNNER,
        args=(job.name, day.isoformat()),
        job_id=run_job_id(job, day),
        description=f'{job.name} {day.isoformat()}',
        timeout=job.timeout,
        result_ttl=RESULT_TTL,
        failure_ttl=FAILURE_TTL,
        retry=Retry(max=2, interval=[300, 900]),
    )
    try:
        queue.schedule_job(rq_job, run_moment(job, day), unique=True)
    except DuplicateJobError:
        return False
    return True


def run_periodic(name: str, run_date: str) -> Any:
    """The RQ job of one scheduled run: schedule the next run first (a failure must not end the chain), then work."""
    job = get_periodic_job(name)
    with atomic():  # the calendar reads the database: its transaction ends here
        schedule_run(job, next_run_date(job, date.fromisoformat(run_date), working_day_check(job)))
    return import_string(job.func_path)()


def run_now(name: str) -> Any:
    """Run a periodic job at once in this process (the `run-periodic` command)."""
    return import_string(get_periodic_job(name).func_path)()


def working_day_check(job: PeriodicJob) -> WorkingDay:
    """The working-day test of the business calendar (shipped data plus administrators' changes) for `job`."""
    if not job.working_days_only:
        return _every_day
    from edms.core.calendar import business_calendar

    return business_calendar().is_working_day


def _every_day(day: date) -> bool:
    return True
