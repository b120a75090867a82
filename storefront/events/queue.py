"""The work queue (huey): what the worker does, and telling it after a commit.

``WORKER_QUEUE`` picks the storage: ``sqlite:///path`` (the default, a file in the instance
folder: no server), ``redis://host:port/db`` (several hosts), ``memory`` (one process) or
``immediate`` (tests: a task runs as it is queued, after the commit that queued it).
The queue is opened on first use, so a process that queues nothing (``storefront build``,
most commands) never loads huey and the client libraries of its storages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, g, has_request_context
from sqlalchemy import event

from storefront.extensions import db

if TYPE_CHECKING:
    from huey import Huey

EXTENSION = "storefront.queue"
_AFTER_COMMIT = "storefront.after_commit"


@dataclass
class Queue:
    huey: Huey
    tasks: dict[str, Any] = field(default_factory=dict)

    def send(self, task_name: str, argument: Any) -> None:
        self.tasks[task_name](argument)

    def drain(self) -> int:
        """Run what is queued, in this process, until nothing is left; returns how many."""
        done = 0
        while (task := self.huey.dequeue()) is not None:
            self.huey.execute(task)
            done += 1
        return done


IN_PROCESS = ("immediate", "memory")
STORAGE_SCHEMES = ("sqlite:///", "redis://", "rediss://", "unix://")


def check_url(url: str) -> None:
    if not (url in IN_PROCESS or url.startswith(STORAGE_SCHEMES)):
        raise ValueError(f"WORKER_QUEUE must be sqlite:///PATH, redis://HOST:PORT/DB, memory "
                         f"or immediate, not {url!r}")


def make_huey(url: str) -> Huey:
    from huey import MemoryHuey, RedisHuey, SqliteHuey

    check_url(url)
    if url == "immediate":
        return MemoryHuey("storefront", immediate=True, results=False)
    if url == "memory":
        return MemoryHuey("storefront", results=False)
    if url.startswith("sqlite:///"):
        # No fsync per task (6x cheaper to enqueue, bench/bench_queue.py): a task is only the
        # worker's doorbell; what it rings for is committed in the shop's database, and the
        # job core:deliver finds a delivery whose task was lost.
        filename = Path(url.removeprefix("sqlite:///"))
        filename.parent.mkdir(parents=True, exist_ok=True)  # instance/, in a fresh checkout
        return SqliteHuey("storefront", filename=str(filename), results=False, fsync=False)
    return RedisHuey("storefront", url=url, results=False)


@dataclass
class Setup:
    """An app's queue, opened the first time it is used."""
    app: Flask
    tasks: dict[str, Callable[[Any], None]]
    every_minute: Callable[[], None]

    @cached_property
    def queue(self) -> Queue:
        from huey import crontab

        huey = make_huey(self.app.config["WORKER_QUEUE"])
        queue = Queue(huey)
        for name, func in self.tasks.items():
            queue.tasks[name] = huey.task(name=f"storefront.{name}")(_in_app(self.app, func))
        huey.periodic_task(crontab(minute="*"), name="storefront.every_minute")(
            _in_app(self.app, self.every_minute))
        return queue


def init_app(app: Flask, tasks: dict[str, Callable[[Any], None]],
             every_minute: Callable[[], None]) -> None:
    """Register ``tasks`` (name -> function of one argument, run in an app context) and a
    job run by the worker's scheduler every minute."""
    check_url(app.config["WORKER_QUEUE"])  # a mistyped setting stops the start, not a task
    app.extensions[EXTENSION] = Setup(app, tasks, every_minute)
    app.teardown_appcontext(_send_held)


def _in_app(app: Flask, func: Callable) -> Callable:
    def run(*args: Any) -> None:
        with app.app_context():
            func(*args)

    run.__name__ = func.__name__
    return run


def current() -> Queue:
    return current_app.extensions[EXTENSION].queue


def after_commit(task_name: str, argument: Any) -> None:
    """Queue a task once the current transaction commits (never, if it rolls back)."""
    db.session.info.setdefault(_AFTER_COMMIT, []).append((task_name, argument))


def _committed(session) -> None:
    held = session.info.pop(_AFTER_COMMIT, None)
    if not held:
        return
    if has_request_context():  # sent when the request is over, so no task runs inside it
        g.setdefault("storefront_queued", []).extend(held)
        return
    queue = current()
    for task_name, argument in held:
        queue.send(task_name, argument)


def _transaction_ended(session, transaction) -> None:
    """After a rollback (or a close) the transaction's tasks are dropped; after a commit
    they were sent already. A savepoint's end is not the transaction's: a plugin that gives
    up a savepoint keeps the tasks of what it wrote before it."""
    if transaction.parent is None:
        session.info.pop(_AFTER_COMMIT, None)


def _send_held(_exc: BaseException | None) -> None:
    held = g.pop("storefront_queued", None)
    if held:
        queue = current()
        for task_name, argument in held:
            queue.send(task_name, argument)


def listen() -> None:
    """Hook the commit and the end of the shop's transactions (once per process)."""
    if not event.contains(db.session, "after_commit", _committed):
        event.listen(db.session, "after_commit", _committed)
        event.listen(db.session, "after_transaction_end", _transaction_ended)
