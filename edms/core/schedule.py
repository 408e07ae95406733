"""Periodic jobs, declared in one list (Redash style) and run by RQ's own scheduler inside the worker.

Two kinds. A `PeriodicJob` runs every day (or every working day) at a local time; an `IntervalJob` runs every
`every` (a minute, say), in slots aligned on the Unix epoch. Each run is one RQ job with a stable id per run date
or slot (`resolution_reminders-2026-11-23`, `exchange_inbox_sweep-20261123T101500Z`; RQ allows only letters,
digits, '-' and '_' in ids), put on the scheduled-job registry with RQ's unique scheduling: the check and the
insert are one atomic step in Redis, so a restarted worker, or several workers starting at once, never add a second
run for the same date or slot. A finished run is kept in Redis until its date or slot is over, so it is not made
again either.

The worker command schedules the due runs when it starts: a daily job's run of today (caught up when the worker was
down at the hour, for `catch_up` after it) and the next one; an interval job's run of the current slot (so a
starting worker sweeps at once) and the next two. Each run schedules what follows it before it does its work: a
daily run the next date, an interval run the two slots after the moment it runs (counted from then, not from its
own slot, so a late run never schedules a burst of past slots, and a run lost whole — its worker killed before it
scheduled anything — does not end the chain). The target function is imported by its dotted path only when the
run starts. Interval runs go to the front of their queue: a backlog of other jobs does not delay them, and their
targets must be cheap and idempotent (a late run and the next one may both do the work).

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

#: The RQ functions of the scheduled runs; they look the job up by name.
RUNNER = 'edms.core.schedule.run_periodic'
INTERVAL_RUNNER = 'edms.core.schedule.run_interval'
#: A finished run stays in Redis this long, so a restart later the same day does not run it again.
RESULT_TTL = 7 * 86400
FAILURE_TTL = 30 * 86400
#: How far ahead to look for the next run date (the longest holidays are well under a month).
MAX_LOOKAHEAD_DAYS = 60
#: How many future slots of an interval job are kept scheduled: one run lost whole does not end the chain.
SLOTS_AHEAD = 2
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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


@dataclass(frozen=True)
class IntervalJob:
    """A job run every `every` (whole seconds), once per slot; slots start at multiples of `every` since the epoch."""

    #: Unique name; also the prefix of the RQ job ids, so only letters, digits and '_'.
    name: str
    #: Dotted path of a function called without arguments inside the app context; cheap and idempotent.
    func_path: str
    every: timedelta
    queue: str = 'default'
    #: Seconds a run may take before RQ stops it (well under `every`).
    timeout: int = 50

    def __post_init__(self) -> None:
        seconds = self.every.total_seconds()
        if seconds < 1 or seconds != int(seconds):
            raise ValueError(f'{self.name}: the interval must be a whole number of seconds, at least one')


ScheduledJob = PeriodicJob | IntervalJob

PERIODIC_JOBS: list[ScheduledJob] = [
    # Each working morning: executors and controllers are told of items due soon and overdue.
    PeriodicJob('resolution_reminders', 'edms.resolutions.jobs.send_reminders', at=time(8, 0)),
    # Each working morning: interagency requests past their 5 working days (the requester is told) and due today
    # (the responder is told); every 5 minutes, the requests a filing declared but never sent are sent.
    PeriodicJob('interagency_reminders', 'edms.citizen_services.jobs.interagency.send_reminders', at=time(8, 10)),
    IntervalJob(
        'interagency_needs_sweep', 'edms.citizen_services.jobs.interagency.sweep_needs', every=timedelta(minutes=5)
    ),
    # Each working morning: the agency's deciding staff hear of complaints due today or overdue (210-FZ art. 11.2).
    PeriodicJob('complaint_reminders', 'edms.citizen_services.jobs.complaints.send_reminders', at=time(8, 20)),
    # Each night: the CRLs of the trusted CAs from their distribution points (skipped without a network).
    PeriodicJob('crl_refresh', 'edms.signatures.jobs.refresh_crls', at=time(4, 0), working_days_only=False),
    # Each morning: applicants are reminded that a term-limited result (a stay registration) ends soon or has ended.
    PeriodicJob(
        'stay_expiry_reminders',
        'edms.citizen_services.jobs.stay.send_expiry_reminders',
        at=time(9, 0),
        working_days_only=False,
    ),
    # Each minute: received packets whose processing job was lost (a worker killed, Redis restarted) go through
    # again, and outbox rows whose delivery job was lost or whose next attempt has come are sent.
    IntervalJob('exchange_inbox_sweep', 'edms.exchange.jobs.sweep_inbox', every=timedelta(minutes=1), queue='exchange'),
    IntervalJob(
        'exchange_outbox_sweep', 'edms.exchange.jobs.sweep_outbox', every=timedelta(minutes=1), queue='exchange'
    ),
    # Each minute: the sealed digits of confirmation codes that died undelivered (their delivery job lost) are wiped.
    IntervalJob(
        'confirmation_codes_sweep',
        'edms.notifications.sms.wipe_dead_codes',
        every=timedelta(minutes=1),
        queue='notifications',
    ),
    # Each minute: resolution events that their delivery job did not export as МЭДО notifications.
    IntervalJob(
        'exchange_export_sweep',
        'edms.exchange.jobs.export_resolution_events',
        every=timedelta(minutes=1),
        queue='exchange',
    ),
]

WorkingDay = Callable[[date], bool]


class UnknownPeriodicJob(LookupError):
    """No periodic job has this name."""


def get_periodic_job(name: str, jobs: Iterable[ScheduledJob] | None = None) -> ScheduledJob:
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
    jobs: Iterable[ScheduledJob] | None = None,
    is_working_day: WorkingDay | None = None,
) -> list[str]:
    """Put the due runs of every periodic job on RQ's scheduler; returns the ids scheduled by this call."""
    now = now or utcnow()
    scheduled = []
    for job in PERIODIC_JOBS if jobs is None else jobs:
        if isinstance(job, IntervalJob):
            slots = [slot_start(job, now), *upcoming_slots(job, now)]
            scheduled += [slot_job_id(job, slot) for slot in slots if schedule_slot(job, slot)]
            continue
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
    if not isinstance(job, PeriodicJob):
        raise UnknownPeriodicJob(name)
    with atomic():  # the calendar reads the database: its transaction ends here
        schedule_run(job, next_run_date(job, date.fromisoformat(run_date), working_day_check(job)))
    return import_string(job.func_path)()


def run_now(name: str) -> Any:
    """Run a periodic job at once in this process (the `run-periodic` command)."""
    return import_string(get_periodic_job(name).func_path)()


def working_day_check(job: ScheduledJob) -> WorkingDay:
    """The working-day test of the business calendar (shipped data plus administrators' changes) for `job`."""
    if isinstance(job, IntervalJob) or not job.working_days_only:
        return _every_day
    from edms.core.calendar import business_calendar

    return business_calendar().is_working_day


def _every_day(day: date) -> bool:
    return True


# --- interval jobs ----------------------------------------------------------------------------------------------------


def slot_start(job: IntervalJob, moment: datetime) -> datetime:
    """The start of the slot `moment` falls in, in UTC."""
    every = int(job.every.total_seconds())
    elapsed = int((moment.astimezone(UTC) - EPOCH).total_seconds())
    return EPOCH + timedelta(seconds=elapsed - elapsed % every)


def upcoming_slots(job: IntervalJob, moment: datetime, count: int = SLOTS_AHEAD) -> list[datetime]:
    """The starts of the `count` slots after the one `moment` falls in."""
    current = slot_start(job, moment)
    return [current + job.every * step for step in range(1, count + 1)]


def slot_job_id(job: IntervalJob, slot: datetime) -> str:
    """The RQ job id of the run of the slot starting at `slot`: one per job and slot."""
    return f'{job.name}-{slot.astimezone(UTC):%Y%m%dT%H%M%SZ}'


def schedule_slot(job: IntervalJob, slot: datetime) -> bool:
    """Schedule the run of a slot at its start unless a job with its id exists; True if new."""
    from rq.exceptions import DuplicateJobError

    queue = make_queue(job.queue)
    every = int(job.every.total_seconds())
    rq_job = queue.create_job(
        INTERVAL_RUNNER,
        args=(job.name, slot.astimezone(UTC).isoformat()),
        job_id=slot_job_id(job, slot),
        description=f'{job.name} {slot.astimezone(UTC):%Y-%m-%d %H:%M:%S}Z',
        timeout=job.timeout,
        # Kept until its slot is surely over (twice the interval, for clocks a little apart): not made twice.
        result_ttl=2 * every + 60,
        failure_ttl=max(2 * every + 60, 86400),
    )
    rq_job.enqueue_at_front = True  # past any backlog of the queue
    try:
        queue.schedule_job(rq_job, slot, unique=True)
    except DuplicateJobError:
        return False
    return True


def run_interval(name: str, slot: str) -> Any:
    """The RQ job of one slot's run: keep the next slots scheduled first (counted from now), then work."""
    job = get_periodic_job(name)
    if not isinstance(job, IntervalJob):
        raise UnknownPeriodicJob(name)
    for upcoming in upcoming_slots(job, max(datetime.fromisoformat(slot), utcnow())):
        schedule_slot(job, upcoming)
    return import_string(job.func_path)()
