"""The apps the tests keep from one test for the next (tests/support/app_pool.py) come back
as they were made: nothing one test did in memory reaches the next."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from storefront.plugins.state import enabled_names, set_enabled
from storefront.web import guest_pages
from tests.conftest import base_config, fresh_sqlite
from tests.support.app_pool import AppPool

SQLITE = pytest.mark.parametrize("backend", ["sqlite"])


@pytest.fixture
def pool(tmp_path):
    return AppPool(tmp_path / "apps", base_config, size=2)


@SQLITE
def test_a_kept_app_comes_back_as_it_was_made(pool, database_url, tmp_path, sqlite_template):
    with pool.lend(database_url, tmp_path / "one") as make:
        app = make(LOAD_ENTRY_POINT_PLUGINS=True)
        app.config["SHIPPING_FEE"] = 1
        with app.app_context():
            set_enabled("points", True, actor="test")
            assert "points" in enabled_names()
        assert app.test_client().get("/products/house-espresso").status_code == 200
        assert len(app.extensions[guest_pages.EXTENSION]) == 1  # the guest's page, kept
        instance = Path(app.instance_path)
        instance.mkdir(parents=True, exist_ok=True)
        (instance / "left-behind.txt").write_text("x")
    assert fresh_sqlite(sqlite_template, Path(database_url.removeprefix("sqlite:///"))) == (
        database_url)  # as the next test finds it

    with pool.lend(database_url, tmp_path / "two") as make:
        again = make(LOAD_ENTRY_POINT_PLUGINS=True)
        assert again is app
        assert again.config["SHIPPING_FEE"] != 1
        assert again.config["MAIL_FILE_DIR"] == str(tmp_path / "two")
        assert not (instance / "left-behind.txt").exists()
        assert len(again.extensions[guest_pages.EXTENSION]) == 0
        with again.app_context():
            assert enabled_names() == frozenset()  # the database is the template again
        other = make(LOAD_ENTRY_POINT_PLUGINS=True)  # a second app in one test is new
        assert other is not app
        assert make(LOAD_ENTRY_POINT_PLUGINS=False) not in (app, other)


@SQLITE
def test_the_content_folder_is_the_borrowing_tests_own(pool, database_url, tmp_path):
    page = tmp_path / "content" / "pages" / "hello.md"
    page.parent.mkdir(parents=True)
    page.write_text('---\ntitle: "Hello from this test"\n---\nHi.\n')
    with pool.lend(database_url, tmp_path / "mail") as make:
        app = make(CONTENT_DIR=str(tmp_path / "content"))
        assert "Hello from this test" in app.test_client().get("/pages/hello").get_data(
            as_text=True)
    with pool.lend(database_url, tmp_path / "mail") as make:
        again = make()
        assert again is app  # the content folder is not part of the settings that must match
        assert again.test_client().get("/pages/hello").status_code == 404


@pytest.mark.parametrize("backend", ["postgresql"])
def test_the_kept_postgresql_database_comes_back_as_its_template(pg_shop, database_url):
    dsn = database_url.replace("+psycopg", "")
    stock = "SELECT sum(stock) FROM product"
    next_user = "SELECT nextval(pg_get_serial_sequence('user_account', 'id'))"
    with psycopg.connect(dsn, autocommit=True) as conn:
        stocked = conn.execute(stock).fetchone()[0]
        first_id = conn.execute(next_user).fetchone()[0]
        conn.execute("UPDATE product SET stock = 0")
    made_again = pg_shop.made_again

    assert pg_shop.fresh() == database_url
    assert pg_shop.made_again == made_again  # put back in place
    with psycopg.connect(dsn, autocommit=True) as conn:
        assert conn.execute(stock).fetchone()[0] == stocked
        assert conn.execute(next_user).fetchone()[0] == first_id
        conn.execute("CREATE TABLE a_tests_own (id integer)")  # what the rows do not cover

    assert pg_shop.fresh() == database_url
    assert pg_shop.made_again == made_again + 1  # made again from the template
    with psycopg.connect(dsn, autocommit=True) as conn:
        assert conn.execute("SELECT to_regclass('a_tests_own')").fetchone()[0] is None
