"""`storefront build` reads content/ while the shop starts (storefront.build.early), and the
site it writes is the same as without that head start, whatever happens to the files."""

from __future__ import annotations

import functools
import gc
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from storefront.build import early
from storefront.build.parallel import default_jobs
from storefront.build.site import build_site
from tests.conftest import ROOT, TEST_SECRET
from tests.test_build import SHOP, SITE, product_file, shop_content


@pytest.fixture
def make_app(make_app):
    """Sites in one language keep the plain paths these tests read (/products/x/);
    tests/test_build_languages.py builds in two."""
    return functools.partial(make_app, LANGUAGES=["en"])


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
def content(tmp_path) -> Path:
    return shop_content(tmp_path / "content")


@pytest.fixture
def site_app(make_app, content):
    return lambda: make_app(CONTENT_DIR=str(content), BASE_URL=SHOP, STATIC_SITE_URL=SITE)


def tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != ".storefront-build.json"}


def _environ(tmp_path: Path, content: Path, name: str, **env: str) -> dict[str, str]:
    return {**os.environ, "STOREFRONT_SECRET_KEY": TEST_SECRET,
            "STOREFRONT_LANGUAGES": '["en"]',
            "STOREFRONT_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / name}.sqlite3",
            "STOREFRONT_CONTENT_DIR": str(content), "STOREFRONT_BASE_URL": SHOP,
            "STOREFRONT_STATIC_SITE_URL": SITE, **env}


def command(tmp_path: Path, content: Path, name: str, *args: str, check: bool = True,
            **env: str):
    """The real command, as a shop owner runs it (a process of its own)."""
    return subprocess.run([sys.executable, "-m", "storefront.cli", *args],
                          env=_environ(tmp_path, content, name, **env), cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=check)


def on_a_terminal(tmp_path: Path, content: Path, name: str, *args: str) -> str:
    """The real command with its output on a (pseudo) terminal: what the owner sees."""
    main, secondary = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "storefront.cli", *args],
                               env=_environ(tmp_path, content, name), cwd=ROOT,
                               stdin=subprocess.DEVNULL, stdout=secondary, stderr=secondary)
    os.close(secondary)
    seen = b""
    try:
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the terminal closed: the command ended
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(main)
    assert process.wait(timeout=120) == 0, seen
    return seen.decode("utf-8", "replace")


@pytest.mark.skipif(default_jobs() < 2, reason="reading early needs a second CPU")
def test_the_command_parses_while_it_starts_and_writes_the_same_site(tmp_path, content):
    for n in range(30):
        product_file(content, f"bean-{n:02d}", f"Bean {n:02d}", body=f"Bean *number* {n}.")
    sites = {}
    for name, switch in (("early", "1"), ("late", "0")):
        command(tmp_path, content, name, "db", "upgrade")
        done = command(tmp_path, content, name, "build", "--out", str(tmp_path / name),
                       STOREFRONT_BUILD_EARLY_PARSE=switch)
        sites[name] = tree(tmp_path / name)
        # The command ends without Python's teardown: its report still reaches the pipe.
        assert re.match(r"\d+ pages: \d+ written, .* -> ", done.stdout.splitlines()[-1])
        if switch == "1":
            assert "34 content files parsed (34 while the shop started)." in done.stdout
        else:
            assert "34 content files parsed." in done.stdout
    assert len(sites["early"]) > 30
    assert sites["early"] == sites["late"]
    assert b"Bean <em>number</em> 7." in sites["early"]["products/bean-07/index.html"]


@pytest.mark.skipif(default_jobs() < 2, reason="reading early needs a second CPU")
def test_a_build_that_fails_before_it_reads_ends_at_once(tmp_path, content):
    for n in range(300):  # enough for the reader to be busy when the build fails
        product_file(content, f"bean-{n:03d}", f"Bean {n:03d}")
    failed = command(tmp_path, content, "not-migrated", "build", "--out",
                     str(tmp_path / "site"), check=False)  # no `db upgrade`: no tables

    assert failed.returncode == 1
    assert "build failed: the database answered: no such table: product." in failed.stderr
    assert "needs `storefront db upgrade` first" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert not (tmp_path / "site" / "products").exists()


def test_a_file_changed_after_it_was_read_early_is_parsed_again(site_app, content,
                                                                tmp_path):
    reader = early.start(content)
    assert reader is not None
    assert len(reader.results(stop=False)) == 4  # read to the end: 3 products and 1 page
    product_file(content, "dark-roast", "Dark Roast", body="Roasted again, much darker.")

    report = build_site(site_app(), tmp_path / "site", jobs=1)

    assert (report.parsed, report.parsed_early) == (4, 3)
    page = (tmp_path / "site" / "products" / "dark-roast" / "index.html").read_text()
    assert "Roasted again, much darker." in page


def test_what_was_read_from_another_folder_is_not_used(site_app, content, tmp_path):
    other = tmp_path / "other-content"
    product_file(other, "dark-roast", "Impostor Roast", body="Not this shop's file.")
    assert early.start(other) is not None

    report = build_site(site_app(), tmp_path / "site", jobs=1)

    assert (report.parsed, report.parsed_early) == (4, 0)
    assert "Impostor" not in (tmp_path / "site" / "products" / "dark-roast" /
                              "index.html").read_text()
    assert early.take(other) == {}  # handed out once at most, and the reader is gone


def test_bad_files_are_reported_the_same_way_when_read_early(site_app, content, tmp_path):
    (content / "products" / "broken.md").write_text("---\ntitle: No price\nsku: BR-1\n---\n")
    (content / "products" / "unreadable.md").write_bytes(b"---\ntitle: \xff\xfe\n---\n")
    late = build_site(site_app(), tmp_path / "late", jobs=1)
    early.start(content).results(stop=False)
    ahead = build_site(site_app(), tmp_path / "early", jobs=1)

    assert ahead.parsed_early == ahead.parsed == 6
    assert sorted(ahead.problems) == sorted(late.problems)
    assert any("broken.md" in p and "price" in p for p in late.problems)
    assert tree(tmp_path / "early") == tree(tmp_path / "late")


def test_a_build_ready_before_the_reader_parses_the_rest_itself(site_app, content, tmp_path):
    for n in range(300):
        product_file(content, f"bean-{n:03d}", f"Bean {n:03d}", body=f"Bean {n} notes.")
    app = site_app()
    reader = early.start(content)  # stopped at once by the build: it has read few files

    report = build_site(app, tmp_path / "site", jobs=2)

    assert reader is not None and report.parsed == 304
    assert report.parsed_early < report.parsed  # the workers parsed the rest
    build_site(app, tmp_path / "without", jobs=1)
    assert tree(tmp_path / "site") == tree(tmp_path / "without")


@pytest.mark.parametrize(("argv", "switch", "expected"), [
    (["storefront", "build"], "1", True),
    (["storefront", "build", "--out", "site", "--force"], "1", True),
    (["storefront", "build", "--jobs", "2"], "1", True),
    (["storefront", "build", "--jobs", "1"], "1", False),
    (["storefront", "build", "--jobs=1"], "1", False),
    (["storefront", "build", "--help"], "1", False),
    (["storefront", "build"], "0", False),
    (["storefront", "run"], "1", False),
    (["storefront"], "1", False),
])
def test_which_commands_read_early(argv, switch, expected):
    wanted = early.wanted(argv, {early.SWITCH: switch})
    assert wanted == (expected and default_jobs() > 1)


@pytest.mark.parametrize(("argv", "paused"), [
    (["storefront", "build", "--jobs", "1"], True),
    (["/usr/bin/storefront", "build"], True),
    (["storefront", "run"], False),
    (["storefront"], False),
    (["pytest", "build"], False),  # a program that imports the command and goes on
])
def test_only_the_build_command_starts_with_the_collector_paused(monkeypatch, argv, paused):
    monkeypatch.setattr(sys, "argv", argv)
    monkeypatch.setenv(early.SWITCH, "0")  # no reader process here
    assert gc.isenabled()
    try:
        early.start_for_command()
        assert gc.isenabled() is not paused
    finally:
        gc.enable()


def test_a_build_on_a_terminal_shows_a_progress_bar_and_a_piped_one_does_not(tmp_path,
                                                                          content):
    for n in range(150):
        product_file(content, f"bean-{n:03d}", f"Bean {n:03d}")
    command(tmp_path, content, "shop", "db", "upgrade")

    seen = on_a_terminal(tmp_path, content, "shop", "build", "--out", str(tmp_path / "tty"))
    assert re.search(r"Rendering\s+\[#+\]\s+100%", seen), seen
    assert re.search(r"\d+ pages: \d+ written", seen)

    piped = command(tmp_path, content, "shop", "build", "--out", str(tmp_path / "piped"))
    assert "Rendering" not in piped.stdout + piped.stderr  # cron and logs get no bar
    assert tree(tmp_path / "tty") == tree(tmp_path / "piped")
