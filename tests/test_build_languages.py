"""The static site in both languages (issue 18): every page under /en/ and /es/, linking
within its own language and to its other language (hreflang), a root page that sends
visitors to the default language, and one sitemap with both."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from storefront.build.site import build_site
from tests.conftest import ON_SQLITE, app_factory, fresh_sqlite

SITE = "https://static.example"


@pytest.fixture(scope="module")
def built(tmp_path_factory, sqlite_template) -> Path:
    """The site, built once for the tests that read it (a test that builds into it again
    copies it first)."""
    folder = tmp_path_factory.mktemp("languages")
    with app_factory(fresh_sqlite(sqlite_template, folder / "shop.sqlite3"),
                     folder / "instance") as factory:
        report = build_site(factory(STATIC_SITE_URL=SITE), folder / "site", jobs=1)
    assert report.problems == []
    return folder / "site"


def read(out: Path, rel: str) -> str:
    return (out / rel).read_text()


def test_each_page_is_written_in_each_language(built):
    english = read(built, "en/products/hand-grinder/index.html")
    spanish = read(built, "es/products/hand-grinder/index.html")
    assert '<html lang="en"' in english and "€69.00" in english
    assert '<html lang="es"' in spanish and "69,00\xa0€" in spanish
    assert not (built / "products").exists()


def test_links_stay_in_the_pages_language_and_reach_the_other(built):
    spanish_home = read(built, "es/index.html")
    assert 'href="/es/products/hand-grinder/"' in spanish_home
    assert 'href="/products/hand-grinder/"' not in spanish_home
    page = read(built, "es/products/hand-grinder/index.html")
    switch = page.split('class="language-switch"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{SITE}/en/products/hand-grinder/" hreflang="en" lang="en">English' in switch
    assert 'aria-current="true">Español' in switch
    assert "csrf_token" not in page


def test_every_page_names_its_versions_for_search_engines(built):
    page = read(built, "en/category/coffee/index.html")
    for code in ("en", "es"):
        assert (f'<link rel="alternate" hreflang="{code}" '
                f'href="{SITE}/{code}/category/coffee/">') in page


@ON_SQLITE
def test_the_root_sends_visitors_to_the_default_language(built, make_app, tmp_path):
    root = read(built, "index.html")
    assert '<meta http-equiv="refresh" content="0; url=/en/">' in root
    assert '<a href="/es/" hreflang="es" lang="es">Español</a>' in root
    out = tmp_path / "spanish-first"
    build_site(make_app(DEFAULT_LANGUAGE="es", STATIC_SITE_URL=SITE), out, jobs=1)
    assert '<meta http-equiv="refresh" content="0; url=/es/">' in read(out, "index.html")


def test_one_sitemap_lists_both_languages(built):
    sitemap = read(built, "sitemap.xml")
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert f"{SITE}/en/products/hand-grinder/" in locs
    assert f"{SITE}/es/products/hand-grinder/" in locs
    assert len([u for u in locs if "/en/" in u]) == len([u for u in locs if "/es/" in u])


@ON_SQLITE
def test_a_second_build_writes_nothing_and_one_language_goes_back_to_plain_paths(
        built, make_app, tmp_path):
    built = Path(shutil.copytree(built, tmp_path / "site"))
    app = make_app(STATIC_SITE_URL=SITE)
    again = build_site(app, built, jobs=1)
    assert again.written == 0 and again.unchanged == again.pages
    english_only = build_site(make_app(STATIC_SITE_URL=SITE, LANGUAGES=["en"]), built, jobs=1)
    assert english_only.problems == []
    assert (built / "products" / "hand-grinder" / "index.html").is_file()
    assert not (built / "es").exists() and not (built / "en").exists()
    assert '<html lang="en"' in read(built, "index.html")


def test_content_pages_are_written_in_each_language_the_owner_wrote(built):
    assert "Quiénes somos" in read(built, "es/pages/about/index.html")
    assert "About us" in read(built, "en/pages/about/index.html")
