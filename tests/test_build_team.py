"""The build's team of processes (storefront.build.team): this process and forked helpers
share the work, results come back in order, and an error or a dead helper ends the run
with a clear exception and no process left behind."""

from __future__ import annotations

import functools
import os
import signal
import time

import pytest

from storefront.build.team import HelperDied, Team


@pytest.fixture
def make_app(make_app):
    """Sites in one language keep the plain paths these tests read (/products/x/);
    tests/test_build_languages.py builds in two."""
    return functools.partial(make_app, LANGUAGES=["en"])

PARENT = os.getpid()


def _slow_square(item: int) -> tuple[int, int]:
    time.sleep(0.002)  # long enough for every member to take chunks
    return item * item, os.getpid()


def _reaped(pids: list[int]) -> bool:
    """Whether every one of these child processes has ended and been waited for."""
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            continue
        return False
    return True


@pytest.mark.parametrize("helpers", [1, 3])
def test_every_member_works_and_the_results_come_back_in_order(helpers):
    items = list(range(300))
    with Team(_slow_square, items, helpers) as team:
        pids = team.pids
        results = list(team.results())

    assert [square for square, _pid in results] == [i * i for i in items]
    workers = {pid for _square, pid in results}
    assert workers == {PARENT, *pids}  # this process worked too, and every helper
    assert len(pids) == helpers
    assert _reaped(pids)


class Refused(Exception):
    pass


class Unpicklable(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.callback = lambda: None  # cannot be sent back as it is


def _refuse(item: int) -> None:
    raise Refused(f"item {item} refused")


def _refuse_unpicklably(_item: int) -> None:
    raise Unpicklable("the stock file is locked")


def _die(_item: int) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.parametrize(("in_a_helper", "error", "message"), [
    (_refuse, Refused, r"item \d+ refused"),  # the helper's own exception
    (_refuse_unpicklably, RuntimeError, "Unpicklable: the stock file is locked"),
    (_die, HelperDied, "killed by signal 9"),  # instead of waiting forever
])
def test_what_goes_wrong_in_a_helper_ends_the_run(in_a_helper, error, message):
    def work(item: int) -> int:
        time.sleep(0.001)
        if os.getpid() != PARENT:
            in_a_helper(item)
        return item

    with pytest.raises(error, match=message), Team(work, list(range(300)), 1) as team:
        pids = team.pids
        list(team.results())
    assert _reaped(pids)


def _fail_here(item: int) -> int:
    time.sleep(0.001)
    if os.getpid() == PARENT and item > 50:
        raise Refused("this process failed")
    return item


def test_an_error_in_this_process_stops_and_reaps_the_helpers():
    with pytest.raises(Refused, match="this process failed"), \
            Team(_fail_here, list(range(300)), 2) as team:
        pids = team.pids
        list(team.results())
    assert len(pids) == 2 and _reaped(pids)


def test_a_run_left_early_reaps_the_helpers():
    with Team(_slow_square, list(range(300)), 2) as team:
        pids = team.pids
        assert next(team.results())[0] == 0
    assert len(pids) == 2 and _reaped(pids)


def test_when_no_more_processes_can_be_made_the_team_works_with_fewer(monkeypatch, caplog):
    real_fork, forks = os.fork, []

    def fork_once() -> int:
        if forks:
            raise BlockingIOError(11, "Resource temporarily unavailable")
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(os, "fork", fork_once)
    items = list(range(300))
    with Team(_slow_square, items, 3) as team:
        pids = team.pids
        results = list(team.results())

    assert [square for square, _pid in results] == [i * i for i in items]
    assert len(pids) == 1 and _reaped(pids)
    assert "build goes on with 1 helper processes: [Errno 11]" in caplog.text


def _interrupt_here(item: int) -> tuple[int, int]:
    if os.getpid() == PARENT and item >= 100:
        raise KeyboardInterrupt  # as Ctrl-C does, in this process
    return _slow_square(item)


def test_ctrl_c_stops_the_team_after_the_chunks_in_hand():
    with pytest.raises(KeyboardInterrupt), Team(_interrupt_here, list(range(600)), 2) as team:
        pids = team.pids
        for _pid in pids:  # the terminal sends it to every process of the command
            os.kill(_pid, signal.SIGINT)
        list(team.results())
    assert len(pids) == 2 and _reaped(pids)


def test_a_helper_leaves_ctrl_c_to_this_process():
    with Team(_slow_square, list(range(300)), 1) as team:
        pids = team.pids
        time.sleep(0.05)
        os.kill(pids[0], signal.SIGINT)
        results = list(team.results())
    assert [square for square, _pid in results] == [i * i for i in range(300)]
    assert pids[0] in {pid for _square, pid in results} and _reaped(pids)
