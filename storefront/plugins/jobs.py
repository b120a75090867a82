"""Scheduled jobs: `storefront jobs run` (from cron) runs what is due, records every run."""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from hooks.types import Job
from storefront.extensions import db
from storefront.plugins.dispatch import each
from storefront.plugins.models import FailedReaction, JobRun, JobState
from storefront.plugins.reactions import retry
from storefront.timeutil import utcnow

log = logging.getLogger("storefront.jobs")

CLAIM_SECONDS = 3600  # a crashed run frees its job after this long


def retry_failed_reactions() -> None:
    """Re-run plugin reactions (order paid, refunded, ...) that raised, until they succeed."""
    pending = db.session.scalars(
        select(FailedReaction).where(FailedReaction.status == "pending")
        .order_by(FailedReaction.id).limit(500)).all()
    failed = sum(not retry(reaction) for reaction in pending)
    if failed:
        raise RuntimeError(f"{failed} of {len(pending)} reactions still fail")


def _deliver_outbox() -> None:
    from storefront.notifications.service import deliver_outbox

    deliver_outbox()


CORE_JOBS = (
    Job("retry-failed-reactions", retry_failed_reactions, every_seconds=300,
        description="retry plugin reactions that failed after an order changed"),
    Job("deliver-outbox", _deliver_outbox, every_seconds=60,
        description="deliver member notifications that are queued or failed"),
)


@dataclass(frozen=True)
class ScheduledJob:
    key: str  # "core:retry-failed-reactions", "points:expire"
    job: Job


def scheduled_jobs() -> list[ScheduledJob]:
    jobs = [ScheduledJob(f"core:{job.name}", job) for job in CORE_JOBS]
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


def is_due(scheduled: ScheduledJob, now) -> bool:
    state = _state(scheduled.key)
    return (state.last_success_at is None or
            state.last_success_at + timedelta(seconds=scheduled.job.every_seconds) <= now)


def _claim(key: str, now) -> bool:
    """Only one `jobs run` at a time runs a given job, even from two crons."""
    claimed = db.session.execute(
        update(JobState).where(JobState.name == key,
                               or_(JobState.claimed_until.is_(None),
                                   JobState.claimed_until < now))
        .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
    ).rowcount
    db.session.commit()
    return bool(claimed)


def run_one(scheduled: ScheduledJob) -> JobRun:
    run = JobRun(name=scheduled.key)
    db.session.add(run)
    db.session.commit()
    run_id = run.id
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
    values = {"claimed_until": None}
    if ok:
        values["last_success_at"] = finished
    db.session.execute(update(JobState).where(JobState.name == scheduled.key).values(**values))
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
        if not _claim(scheduled.key, now):
            log.info("job %s is running elsewhere; skipped", scheduled.key)
            continue
        if progress:
            progress(scheduled.key)
        runs.append(run_one(scheduled))
    return runs
