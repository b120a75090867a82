"""The worker: delivers events and messages and runs scheduled jobs, outside requests.

``storefront worker`` runs huey's consumer (threads, and its scheduler, which starts every
minute a look at which jobs are due). With ``--until-idle`` it works off the queue and the
due jobs once and stops: for cron, and for tests.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import click
from flask import Flask, current_app

from hooks.types import Job
from storefront.cli_schema import with_current_schema
from storefront.events import queue

log = logging.getLogger("storefront.worker")
jobs_log = logging.getLogger("storefront.jobs")


def _deliver_event(event_id: int) -> None:
    from storefront.events.delivery import deliver_event

    deliver_event(event_id)


def _send_message(message_id: int) -> None:
    from storefront.notifications.service import send

    send(message_id)


def _run_job(key: str) -> None:
    from storefront.jobs import run_key

    run_key(key)


def _queue_due_jobs() -> None:
    from storefront.jobs import due_keys

    for key in due_keys():
        queue.current().send("run_job", key)


def init_app(app: Flask) -> None:
    from storefront import jobs
    from storefront.events import delivery
    from storefront.notifications.order_messages import send_shop_messages

    queue.init_app(app, {"deliver_event": _deliver_event, "send_message": _send_message,
                         "run_job": _run_job}, every_minute=_queue_due_jobs)
    queue.listen()
    # Events and the job scheduler sit below the features that react to them: the worker
    # hands them the core's part (the shop's messages about orders, the core's jobs).
    delivery.init_app(app, shop_messages=send_shop_messages)
    jobs.init_app(app, CORE_JOBS)


def deliver_due() -> None:
    """Job core:deliver: events and messages that are due (retries, and any the worker was
    never told of because a process died between commit and telling)."""
    from storefront.events.delivery import deliver_event, due_events
    from storefront.notifications.service import due_messages, send
    from storefront.timeutil import utcnow

    now = utcnow()
    for event_id in due_events(now):
        deliver_event(event_id)
    for message_id in due_messages(now):
        send(message_id)


def _reconcile_payments() -> None:
    from storefront.payments.settle import reconcile
    from storefront.payments.stripe_gateway import StripeGateway

    if current_app.config["STRIPE_SECRET_KEY"]:
        hours = current_app.config["UNPAID_ORDER_HOURS"]["stripe"]
        counts = reconcile(StripeGateway.from_config(), timedelta(hours=hours))
        if counts:
            jobs_log.info("reconciled card orders: %s", counts)


def _expire_unpaid_transfers() -> None:
    from storefront.orders.expiry import expire_unpaid_transfers
    from storefront.timeutil import utcnow

    if cancelled := expire_unpaid_transfers(utcnow()):
        jobs_log.info("cancelled %s bank-transfer orders left unpaid", cancelled)


CORE_JOBS = (
    Job("deliver", deliver_due, every_seconds=60,
        description="deliver events and messages that are due: retries, and any a crashed "
                    "process left behind"),
    Job("reconcile-payments", _reconcile_payments, every_seconds=900,
        description="settle card orders whose webhook never came; cancel card orders unpaid "
                    "for UNPAID_ORDER_HOURS (with Stripe configured)"),
    Job("expire-unpaid-orders", _expire_unpaid_transfers, every_seconds=300,
        description="cancel bank-transfer orders unpaid for UNPAID_ORDER_HOURS, releasing "
                    "their stock, points and seats"),
)


@click.command("worker")
@click.option("--threads", default=2, show_default=True, help="Tasks run at the same time.")
@click.option("--until-idle", is_flag=True,
              help="Run the due jobs and what is queued, then stop (for cron and tests).")
@with_current_schema
def worker_command(threads: int, until_idle: bool) -> None:
    """Deliver events and messages and run scheduled jobs."""
    work = queue.current()
    if until_idle:
        _queue_due_jobs()
        done = work.drain()
        click.echo(f"{done} tasks done")
        return
    click.echo(f"worker: {threads} threads on {_where(current_app.config['WORKER_QUEUE'])} "
               "(Ctrl+C stops)")
    work.huey.create_consumer(workers=threads, worker_type="thread", periodic=True).run()


def _where(url: str) -> str:
    """The queue's address without a password."""
    if "@" in url:
        scheme, _, rest = url.partition("://")
        return f"{scheme}://***@{rest.rpartition('@')[2]}"
    return url
