"""Scheduled jobs of the core and the enabled plugins: `storefront jobs run` (from cron) and the
worker run what is due, and every run is recorded (`models`); `cli` has the commands."""

from __future__ import annotations

import logging
import threading
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError

from hooks.types import Job
from storefront.extensions import db
from storefront.jobs.models import JobRun, JobState
from storefront.plugins.dispatch import each
from storefront.timeutil import utcnow

log = logging.getLogger("storefront.jobs")

# A run holds its job by a claim that lasts CLAIM_SECONDS and that the running process renews
# every RENEW_SECONDS: a run whose process died (killed, its host gone) frees the job within
# CLAIM_SECONDS, and a run that lasts longer keeps it for as long as its process lives.
CLAIM_SECONDS = 120
RENEW_SECONDS = 30
CORE_JOBS_EXTENSION = "storefront_core_jobs"


# The worker's scheduler looks every minute; a job due a moment after a look waits for the next.
SLACK_SECONDS = 5


@dataclass(frozen=True)
class ScheduledJob:
    key: str  # "core:deliver", "points:expire"
    job: Job


def init_app(app: Flask, core_jobs: tuple[Job, ...]) -> None:
    """Name the core's own jobs (``storefront.worker.CORE_JOBS``): they deliver events and
    settle orders, which sit above plugins, so the worker hands them in."""
    app.extensions[CORE_JOBS_EXTENSION] = core_jobs


def scheduled_jobs() -> list[ScheduledJob]:
    core_jobs = current_app.extensions[CORE_JOBS_EXTENSION]
    jobs = [ScheduledJob(f"core:{job.name}", job) for job in core_jobs]
    for plugin, found in each("shop_register_jobs"):
        jobs.extend(ScheduledJob(f"{plugin}:{job.name}", job) for job in found)
    return jobs


def _state(key: str) -> JobState:
    state = db.session.get(JobState, key)
    if state is None:
        try:
            db.session.add(JobState(name=key))
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
        state = db.session.get(JobState, key)
    return state


def _interval(scheduled: ScheduledJob) -> timedelta:
    return timedelta(seconds=max(scheduled.job.every_seconds - SLACK_SECONDS, 0))


def is_due(scheduled: ScheduledJob, now) -> bool:
    state = _state(scheduled.key)
    return state.last_success_at is None or state.last_success_at + _interval(scheduled) <= now


def _claim(scheduled: ScheduledJob, now, *, force: bool = False) -> datetime | None:
    """Take the job if it is due (or forced) and nobody runs it: one statement, so two
    workers or two crons firing at once run it once. The claim's end, or None."""
    due = or_(JobState.last_success_at.is_(None),
              JobState.last_success_at <= now - _interval(scheduled))
    until = now + timedelta(seconds=CLAIM_SECONDS)
    claimed = db.session.execute(
        update(JobState).where(JobState.name == scheduled.key,
                               or_(JobState.claimed_until.is_(None),
                                   JobState.claimed_until < now),
                               *(() if force else (due,)))
        .values(claimed_until=until)
    ).rowcount
    db.session.commit()
    return until if claimed else None


class _Renewal:
    """Renews a run's claim while the run goes on: a thread with a session of its own."""

    def __init__(self, key: str, until: datetime) -> None:
        self.key, self.until = key, until
        self._app = current_app._get_current_object()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew, name=f"claim {key}", daemon=True)

    def __enter__(self) -> _Renewal:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()

    def _renew(self) -> None:
        while not self._stop.wait(RENEW_SECONDS):
            with self._app.app_context():
                later = utcnow() + timedelta(seconds=CLAIM_SECONDS)
                try:
                    renewed = db.session.execute(
                        update(JobState).where(JobState.name == self.key,
                                               JobState.claimed_until == self.until)
                        .values(claimed_until=later)).rowcount
                    db.session.commit()
                except Exception:  # noqa: BLE001 - tried again at the next turn
                    db.session.rollback()
                    log.warning("job %s: its claim could not be renewed", self.key,
                                exc_info=True)
                    continue
            if not renewed:
                log.error("job %s lost its claim (not renewed for %s s); another run may "
                          "start", self.key, CLAIM_SECONDS)
                return
            self.until = later


def run_one(scheduled: ScheduledJob, claimed_until: datetime) -> JobRun:
    run = JobRun(name=scheduled.key)
    db.session.add(run)
    db.session.commit()
    run_id = run.id
    with _Renewal(scheduled.key, claimed_until) as renewal:
        try:
            scheduled.job.func()
            db.session.commit()
            ok, error = True, ""
        except Exception as exc:  # noqa: BLE001 - one job's failure must not stop the others
            db.session.rollback()
            log.exception("job %s failed", scheduled.key)
            ok = False
            error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:2000]
    finished = utcnow()
    run = db.session.get(JobRun, run_id)
    run.ok, run.error, run.finished_at = ok, error, finished
    db.session.execute(update(JobState).where(JobState.name == scheduled.key,
                                              JobState.claimed_until == renewal.until)
                       .values(claimed_until=None))  # unless another run has it now
    if ok:
        db.session.execute(update(JobState).where(JobState.name == scheduled.key)
                           .values(last_success_at=finished))
    db.session.commit()
    return run


def run_due(force: bool = False, only: str | None = None, progress=None) -> list[JobRun]:
    now = utcnow()
    runs = []
    for scheduled in scheduled_jobs():
        if only and scheduled.key != only:
            continue
        if not (force or is_due(scheduled, now)):
            continue
        _state(scheduled.key)
        claimed_until = _claim(scheduled, now, force=force)
        if claimed_until is None:
            log.info("job %s is running elsewhere or ran just now; skipped", scheduled.key)
            continue
        if progress:
            progress(scheduled.key)
        runs.append(run_one(scheduled, claimed_until))
    return runs


def due_keys() -> list[str]:
    now = utcnow()
    return [scheduled.key for scheduled in scheduled_jobs() if is_due(scheduled, now)]


def run_key(key: str) -> JobRun | None:
    """Run one job now, unless another process is running it (the worker's task)."""
    found = [scheduled for scheduled in scheduled_jobs() if scheduled.key == key]
    if not found:
        return None
    _state(key)
    claimed_until = _claim(found[0], utcnow())
    return run_one(found[0], claimed_until) if claimed_until is not None else None
