"""`storefront jobs ...`."""

from __future__ import annotations

import click

from storefront.cli_schema import with_current_schema
from storefront.extensions import db
from storefront.jobs import run_due, scheduled_jobs
from storefront.jobs.models import JobState


@click.group("jobs")
def jobs_cli() -> None:
    """Scheduled work of the core and the enabled plugins (run `jobs run` from cron)."""


@jobs_cli.command("run")
@click.option("--force", is_flag=True, help="Run every job now, due or not.")
@click.option("--only", help="Run only this job (e.g. core:deliver).")
@with_current_schema
def run_jobs(force: bool, only: str | None) -> None:
    """Run the jobs that are due; record each run; a failure does not stop the others."""
    runs = run_due(force=force, only=only, progress=lambda key: click.echo(f"running {key} ..."))
    for run in runs:
        click.echo(f"{run.name}: {'ok' if run.ok else 'FAILED: ' + run.error}")
    failed = sum(not run.ok for run in runs)
    click.echo(f"{len(runs)} jobs run, {failed} failed")
    if failed:
        raise SystemExit(1)


@jobs_cli.command("list")
@with_current_schema
def list_jobs() -> None:
    """Every job, its interval and when it last succeeded."""
    for scheduled in scheduled_jobs():
        state = db.session.get(JobState, scheduled.key)
        last = state.last_success_at.isoformat(timespec="seconds") if state and \
            state.last_success_at else "never"
        click.echo(f"{scheduled.key}: every {scheduled.job.every_seconds}s, last success "
                   f"{last}  {scheduled.job.description}")
