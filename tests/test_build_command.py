"""`storefront build` as a shop owner runs it: a process of its own, its report, its errors,
its progress bar."""

from __future__ import annotations

import os
import pty
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from storefront.build.site import build_site
from tests.conftest import ROOT, TEST_SECRET
from tests.support.processes import started, wait_for
from tests.test_build import (  # noqa: F401 - the fixtures: one language, SQLite
    SHOP,
    SITE,
    backend,
    make_app,
    product_file,
    shop_content,
)


@pytest.fixture
def content(tmp_path) -> Path:
    return shop_content(tmp_path / "content")


@pytest.fixture
def site_app(make_app, content):  # noqa: F811 - the make_app imported above
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


def test_the_command_writes_the_site_build_site_writes(site_app, tmp_path, content):
    for n in range(30):
        product_file(content, f"bean-{n:02d}", f"Bean {n:02d}", body=f"Bean *number* {n}.")
    command(tmp_path, content, "shop", "db", "upgrade")
    done = command(tmp_path, content, "shop", "build", "--out", str(tmp_path / "command"))

    assert "34 content files parsed." in done.stdout
    assert re.match(r"\d+ pages: \d+ written, .* -> ", done.stdout.splitlines()[-1])
    build_site(site_app(), tmp_path / "in-process")
    assert len(tree(tmp_path / "command")) > 30
    assert tree(tmp_path / "command") == tree(tmp_path / "in-process")
    page = tree(tmp_path / "command")["products/bean-07/index.html"]
    assert b"Bean <em>number</em> 7." in page


def test_a_build_on_a_database_never_migrated_says_what_to_do(tmp_path, content):
    failed = command(tmp_path, content, "not-migrated", "build", "--out",
                     str(tmp_path / "site"), check=False)  # no `db upgrade`: no tables

    assert failed.returncode == 1
    assert "build failed: the database answered: no such table: product." in failed.stderr
    assert "needs `storefront db upgrade` first" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert not (tmp_path / "site" / "products").exists()


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


def test_watch_builds_again_what_the_owner_edits_and_keeps_watching_after_a_bad_file(
        tmp_path, content):
    command(tmp_path, content, "watched", "db", "upgrade")
    out = tmp_path / "site"
    page = out / "products" / "dark-roast" / "index.html"
    env = {**_environ(tmp_path, content, "watched"), "PYTHONPATH": str(ROOT)}
    with started("watch", ["-m", "storefront.cli", "build", "--watch", "--out", str(out)],
                 env, tmp_path) as watching:
        wait_for(lambda: "Watching" in watching.output() or not watching.alive(), 60,
                 "the first build")
        assert b"A fine product." in page.read_bytes(), watching.output()

        product_file(content, "dark-roast", "Dark Roast", body="Now *smokier*.")
        wait_for(lambda: b"Now <em>smokier</em>." in page.read_bytes(), 30,
                 f"the edited page to be written again:\n{watching.output()}")

        (content / "products" / "broken.md").write_text("---\ntitle: [unclosed\n---\nx\n")
        wait_for(lambda: any(line.startswith("skipped:") and "broken.md" in line
                             for line in watching.output().splitlines()), 30,
                 f"the bad file to be reported:\n{watching.output()}")
        product_file(content, "light-roast", "Light Roast", body="Still watching.")
        light = out / "products" / "light-roast" / "index.html"
        wait_for(lambda: b"Still watching." in light.read_bytes(), 30,
                 f"the next edit to be built:\n{watching.output()}")

        watching.popen.send_signal(signal.SIGINT)  # Ctrl+C
        assert watching.popen.wait(timeout=30) == 0, watching.output()
    assert "Traceback" not in watching.output()
