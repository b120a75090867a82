"""`storefront build`: the public pages as a static site, what it links to, what it never
holds, and rebuilding only what changed. Assertions are on the files a web server would
serve and on what the command prints."""

from __future__ import annotations

import functools
import html
import os
import re
import shutil
from pathlib import Path

import pytest

from storefront.build.pages import BuildError
from storefront.build.site import build_site
from storefront.cli import main
from tests.conftest import ROOT
from tests.support.notes_plugin import Notes


@pytest.fixture
def make_app(make_app):
    """Sites in one language keep the plain paths these tests read (/products/x/);
    tests/test_build_languages.py builds in two."""
    return functools.partial(make_app, LANGUAGES=["en"])


@pytest.fixture
def backend() -> str:
    """The build reads the database like any page view: SQLite is enough here."""
    return "sqlite"


SHOP = "https://shop.example.com"
SITE = "https://www.example.com"
SECRET_NOTE = "Only club members may read that the spring blend has bergamot and rose."


def product_file(folder: Path, slug: str, title: str, *, category: str = "coffee",
                 tags: str = "[roasted]", body: str = "A fine product.",
                 sku: str | None = None) -> Path:
    path = folder / "products" / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'---\ntitle: "{title}"\nsku: {sku or slug.upper()}\nprice: "9.50"\n'
                    f"stock: 5\ncategory: {category}\ntags: {tags}\n---\n{body}\n")
    return path


def note_file(folder: Path, slug: str, title: str, body: str, audience: str = "public"):
    path = folder / "notes" / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'---\ntitle: "{title}"\naudience: {audience}\n---\n{body}\n')
    return path


def shop_content(folder: Path) -> Path:
    """Three products, a page, a public and a members-only note."""
    product_file(folder, "dark-roast", "Dark Roast", tags="[roasted, strong]")
    product_file(folder, "light-roast", "Light Roast")
    product_file(folder, "tea-pot", "Tea Pot", category="equipment", tags="[]")
    (folder / "pages").mkdir()
    (folder / "pages" / "about.md").write_text("---\ntitle: About us\n---\nWe roast.\n")
    note_file(folder, "brewing", "Brewing notes", "Water just off the boil works best.")
    note_file(folder, "spring-blend", "Spring blend", SECRET_NOTE, audience="members")
    return folder


@pytest.fixture
def content(tmp_path) -> Path:
    return shop_content(tmp_path / "content")


@pytest.fixture
def site_app(make_app, content):
    def factory(*plugins, **config):
        return make_app(CONTENT_DIR=str(content), BASE_URL=SHOP, STATIC_SITE_URL=SITE,
                        EXTRA_PLUGINS=plugins, **config)

    return factory


def read(out: Path, rel: str) -> str:
    return (out / rel).read_text(encoding="utf-8")


def hrefs(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'(?:href|action|src)="([^"]*)"', page)]


def site_text(out: Path) -> str:
    """Everything a visitor could download, as text with entities decoded."""
    parts = [html.unescape(p.read_text(encoding="utf-8", errors="replace"))
             for p in out.rglob("*") if p.is_file()]
    return re.sub(r"\s+", " ", " ".join(parts))


def test_build_writes_the_public_pages_linked_for_a_static_host(site_app, tmp_path):
    app = site_app(Notes())
    out = tmp_path / "site"
    report = build_site(app, out)

    for rel in ("index.html", "category/coffee/index.html", "category/equipment/index.html",
                "tag/roasted/index.html", "tag/strong/index.html",
                "products/dark-roast/index.html", "pages/about/index.html",
                "plugins/notes/index.html", "plugins/notes/brewing/index.html", "sitemap.xml"):
        assert (out / rel).is_file(), rel
    assert report.written == report.pages == 11
    home = read(out, "index.html")
    links = hrefs(home)
    # Pages of the static site: root-relative folders; assets as they are.
    assert "/products/dark-roast/" in links and "/pages/about/" in links
    assert "/static/style.css" in links and "/static/member.js" in links
    # Everything else is the live shop's.
    assert f"{SHOP}/cart" in links and f"{SHOP}/login" in links and f"{SHOP}/search" in links
    assert not [h for h in links if h.startswith("/")
                and not h.endswith(("/", ".css", ".js", ".svg"))]
    # The assets are copied: the theme's and the enabled plugin's.
    assert (out / "static" / "style.css").read_bytes() == (
        ROOT / "themes" / "default" / "static" / "style.css").read_bytes()
    assert (out / "plugins" / "notes" / "static" / "sample.css").is_file()
    # The sitemap names the static site's absolute addresses.
    sitemap = read(out, "sitemap.xml")
    assert f"<loc>{SITE}/products/dark-roast/</loc>" in sitemap
    assert f"<loc>{SITE}/plugins/notes/brewing/</loc>" in sitemap
    assert SHOP not in sitemap


def test_a_static_product_page_sends_buyers_to_the_shop(site_app, tmp_path):
    app = site_app()
    out = tmp_path / "site"
    build_site(app, out)
    page = read(out, "products/dark-roast/index.html")

    assert "csrf_token" not in page and "<form" not in page.split("</header>")[1]
    assert f'href="{SHOP}/products/dark-roast">Buy in the shop</a>' in page
    assert "in stock" not in page
    # In the shop, the same product has the working add-to-cart form.
    live = app.test_client().get("/products/dark-roast").get_data(as_text=True)
    assert 'action="/cart/add"' in live and "Buy in the shop" not in live


def test_anonymous_pages_carry_no_session(site_app, tmp_path):
    app = site_app(Notes())
    out = tmp_path / "site"
    build_site(app, out)
    text = site_text(out)
    assert "csrf_token" not in text and "session=" not in text
    # The member box is there, empty, for the script to fill in.
    page = read(out, "pages/about/index.html")
    assert "data-member-box hidden" in page
    assert f'data-me-url="{SHOP}/api/me"' in page


def test_listings_are_paged_like_the_shop(site_app, content, tmp_path):
    for n in range(30):
        product_file(content, f"bean-{n:02d}", f"Bean {n:02d}")
    out = tmp_path / "site"
    build_site(site_app(), out)

    first, second = read(out, "index.html"), read(out, "page/2/index.html")
    assert 'rel="next" href="/page/2/"' in first
    assert 'rel="prev" href="/"' in second
    assert "Tea Pot" in second and "Tea Pot" not in first  # sorted by title, 24 a page
    assert 'rel="next" href="/category/coffee/page/2/"' in read(out, "category/coffee/index.html")
    assert "<loc>https://www.example.com/page/2/</loc>" not in read(out, "sitemap.xml")


def test_members_only_content_is_never_written(site_app, tmp_path):
    out = tmp_path / "site"
    build_site(site_app(Notes()), out)
    text = site_text(out)
    assert "Water just off the boil works best." in text
    assert SECRET_NOTE not in text
    assert "Spring blend" not in text


def test_a_plugin_listing_a_members_only_page_fails_the_build(site_app, tmp_path):
    app = site_app(Notes(leaky=True))
    out = tmp_path / "site"
    result = app.test_cli_runner().invoke(main, ["build", "--out", str(out)])

    assert result.exit_code == 1
    assert "/plugins/notes/spring-blend" in result.output and "403" in result.output
    assert not (out / "plugins" / "notes" / "spring-blend").exists()
    assert SECRET_NOTE not in site_text(out)


def test_after_a_build_that_stopped_halfway_every_page_is_rendered_again(site_app,
                                                                         tmp_path):
    out = tmp_path / "site"
    assert build_site(site_app(Notes()), out).written > 0
    page = out / "products" / "dark-roast" / "index.html"
    with pytest.raises(BuildError, match="spring-blend"):  # fails while it renders
        build_site(site_app(Notes(leaky=True)), out, force=True)
    page.write_text("<html><body><h1>Dark Ro")  # as a build cut off mid-write leaves it

    report = build_site(site_app(Notes()), out)  # nothing changed since the first build

    # Every page was rendered again (none trusted to be as last written); the one cut
    # short differed, so only it was written.
    assert (report.written, report.unchanged) == (1, report.pages - 1)
    assert "Dark Roast" in read(out, "products/dark-roast/index.html")
    assert read(out, "products/dark-roast/index.html").rstrip().endswith("</html>")


def test_a_page_with_a_csrf_form_fails_the_build(site_app, tmp_path):
    app = site_app(Notes(with_form=True))
    with pytest.raises(BuildError, match="/plugins/notes/brewing: the page set a cookie"):
        build_site(app, tmp_path / "site")


def test_the_command_builds_then_skips_what_did_not_change(site_app, tmp_path):
    app = site_app(Notes())
    out = tmp_path / "site"
    first = app.test_cli_runner().invoke(main, ["build", "--out", str(out)])
    assert first.exit_code == 0, first.output
    assert "11 pages: 11 written, 0 unchanged, 0 removed" in first.output
    second = app.test_cli_runner().invoke(main, ["build", "--out", str(out)])
    assert "11 pages: 0 written, 11 unchanged, 0 removed; 0 assets copied" in second.output
    forced = app.test_cli_runner().invoke(main, ["build", "--out", str(out), "--force"])
    assert "0 written, 11 unchanged" in forced.output  # rendered again, same bytes


def tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != ".storefront-build.json"}


def test_force_leaves_the_folder_as_a_build_into_an_empty_one(site_app, content, tmp_path):
    app = site_app(Notes())
    out = tmp_path / "site"
    build_site(app, out)
    (out / "products" / "dark-roast" / "index.html").write_text("edited by hand")
    (out / "static" / "style.css").unlink()
    (content / "products" / "tea-pot.md").unlink()

    report = build_site(app, out, force=True)
    build_site(app, tmp_path / "fresh")

    assert report.removed == 2  # tea-pot's page and its category's, now empty
    assert tree(out) == tree(tmp_path / "fresh")
    assert "Dark Roast" in read(out, "products/dark-roast/index.html")


def _times(out: Path) -> dict[str, int]:
    return {str(p.relative_to(out)): p.stat().st_mtime_ns
            for p in out.rglob("*.html")}


def changed_files(before: dict[str, int], out: Path) -> set[str]:
    after = _times(out)
    return {rel for rel in after.keys() | before.keys() if after.get(rel) != before.get(rel)}


def test_a_changed_product_body_rewrites_only_its_page(site_app, content, tmp_path):
    app = site_app(Notes())
    out = tmp_path / "site"
    build_site(app, out)
    before = _times(out)

    product_file(content, "light-roast", "Light Roast", body="Now with tasting notes.")
    report = build_site(app, out)

    assert (report.written, report.parsed) == (1, 1)
    assert changed_files(before, out) == {"products/light-roast/index.html"}
    assert "Now with tasting notes." in read(out, "products/light-roast/index.html")


def test_a_changed_title_rewrites_the_listings_that_show_it(site_app, content, tmp_path):
    app = site_app()
    out = tmp_path / "site"
    build_site(app, out)
    before = _times(out)

    product_file(content, "tea-pot", "Teapot, cast iron", category="equipment", tags="[]")
    build_site(app, out)

    assert changed_files(before, out) == {"products/tea-pot/index.html", "index.html",
                                          "category/equipment/index.html"}
    assert "Teapot, cast iron" in read(out, "index.html")


def test_added_and_removed_products_add_and_remove_pages(site_app, content, tmp_path):
    app = site_app()
    out = tmp_path / "site"
    build_site(app, out)

    (content / "products" / "tea-pot.md").unlink()
    product_file(content, "green-tea", "Green Tea", category="tea", tags="[]")
    report = build_site(app, out)

    assert report.removed == 2  # the product page and its category, now empty
    assert not (out / "products" / "tea-pot").exists()
    assert not (out / "category" / "equipment").exists()
    assert (out / "products" / "green-tea" / "index.html").is_file()
    assert "Green Tea" in read(out, "index.html") and "Tea Pot" not in read(out, "index.html")
    assert "/products/tea-pot/" not in read(out, "sitemap.xml")
    # The shop agrees: the removed product is gone there too.
    assert app.test_client().get("/products/tea-pot").status_code == 404


def test_a_database_out_of_step_with_the_files_is_synced_again(site_app, tmp_path):
    from sqlalchemy import update

    from storefront.catalog.models import Product
    from storefront.extensions import db

    app = site_app()
    out = tmp_path / "site"
    build_site(app, out)
    with app.app_context():  # someone hid a product by hand, or the database was replaced
        db.session.execute(update(Product).where(Product.slug == "light-roast")
                           .values(active=False))
        db.session.commit()

    report = build_site(app, out)
    assert report.parsed == 3  # every product file read again
    assert app.test_client().get("/products/light-roast").status_code == 200
    assert (out / "products" / "light-roast" / "index.html").is_file()


def test_a_file_that_reuses_a_sku_is_skipped_and_named(site_app, content, tmp_path):
    app = site_app()
    out = tmp_path / "site"
    build_site(app, out)

    product_file(content, "zz-copy", "Copy of Dark Roast", sku="DARK-ROAST")
    result = app.test_cli_runner().invoke(main, ["build", "--out", str(out)])

    assert result.exit_code == 0, result.output
    assert "skipped: content/products/zz-copy.md: sku: 'DARK-ROAST' is already used" \
        in result.output
    assert not (out / "products" / "zz-copy").exists()
    assert "Dark Roast" in read(out, "products/dark-roast/index.html")


def test_a_plugin_page_is_rewritten_when_its_source_changes(site_app, content, tmp_path):
    app = site_app(Notes())
    out = tmp_path / "site"
    build_site(app, out)
    before = _times(out)

    note_file(content, "brewing", "Brewing notes", "Let the water rest for thirty seconds.")
    build_site(app, out)

    # The note and the notes index (its sources are the whole folder); nothing else.
    assert changed_files(before, out) == {"plugins/notes/brewing/index.html"}
    assert "thirty seconds" in read(out, "plugins/notes/brewing/index.html")


def test_templates_and_plugin_settings_rewrite_every_page(site_app, tmp_path):
    themes = tmp_path / "themes"
    shutil.copytree(ROOT / "themes", themes)
    app = site_app(Notes(), THEMES_DIR=str(themes))
    out = tmp_path / "site"
    build_site(app, out)

    base = themes / "default" / "templates" / "base.html"
    base.write_text(base.read_text().replace("Skip to content", "Skip to the content"))
    report = build_site(app, out)
    assert report.written == report.pages
    assert "Skip to the content" in read(out, "products/dark-roast/index.html")

    from storefront.plugins.state import save_settings

    with app.app_context():
        save_settings("notes", {"greeting": "Welcome back"})
    report = build_site(app, out)
    assert report.unchanged == report.pages - 1 and report.written == 1  # bytes differ here
    assert "Welcome back" in read(out, "plugins/notes/brewing/index.html")


# The demo shop, with the plugins on as `storefront demo` has them ------------------------


def _restricted(meta: dict) -> bool:
    audience = str(meta.get("audience", "public")).strip().lower()
    return audience != "public" or meta.get("members_only") is True or bool(meta.get("tier"))


def _sentences(body: str) -> list[str]:
    """Plain sentences of a Markdown body (no markup inside), long enough to be telling."""
    found = []
    for block in re.split(r"\n\s*\n", body.strip()):
        if re.match(r"\s*([#>|*-]|\d+\.)", block):
            continue
        text = " ".join(block.split())
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            if len(sentence.split()) >= 6 and not re.search(r"[*_\[\]`<>|#]", sentence):
                found.append(sentence)
    return found


def demo_content_files() -> list[tuple[Path, bool, list[str]]]:
    """(file, restricted?, sentences) for every content file with front matter."""
    from storefront.content.loader import front_matter

    files = []
    for path in sorted((ROOT / "content").rglob("*.md")):
        try:
            meta, body = front_matter(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        if path.parent.name == "community" and "teaser" not in meta:
            # The community plugin shows the first paragraph of an article that has no
            # teaser field to everyone, as its teaser (in the shop as in the static site).
            body = body.strip().split("\n\n", 1)[-1]
        files.append((path, _restricted(meta), _sentences(body)))
    return files


def test_the_demo_site_holds_no_members_only_article_or_event(make_app, tmp_path):
    from storefront.demo import enable_builtin_plugins

    app = make_app(LOAD_ENTRY_POINT_PLUGINS=True, BASE_URL=SHOP, STATIC_SITE_URL=SITE)
    with app.app_context():
        enable_builtin_plugins()
    out = tmp_path / "site"
    report = build_site(app, out)
    assert report.pages > 20
    text = site_text(out)

    files = demo_content_files()
    for path, restricted, sentences in files:
        if restricted:
            assert sentences, f"{path}: no plain sentence to look for"
            leaked = [s for s in sentences if s in text]
            assert not leaked, f"{path.relative_to(ROOT)} is members-only but {leaked[0]!r} " \
                               "is in the static site"
    # The search works: public content files are found in the output.
    public_found = [p for p, restricted, sentences in files
                    if not restricted and any(s in text for s in sentences)]
    assert any(p.parent.name == "products" for p in public_found)
    assert len(public_found) > len([p for p in public_found if p.parent.name == "products"])


def test_worker_processes_write_the_same_site(site_app, content, tmp_path):
    for n in range(220):
        product_file(content, f"bean-{n:03d}", f"Bean {n:03d}")
    app = site_app(Notes())
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    build_site(app, serial, jobs=1)
    report = build_site(app, parallel, jobs=2, force=True)

    assert report.written == report.pages > 220
    files = sorted(p.relative_to(serial) for p in serial.rglob("*") if p.is_file()
                   and p.name != ".storefront-build.json")
    assert files == sorted(p.relative_to(parallel) for p in parallel.rglob("*")
                           if p.is_file() and p.name != ".storefront-build.json")
    assert all((serial / f).read_bytes() == (parallel / f).read_bytes() for f in files)


def test_a_failing_page_in_a_worker_process_fails_the_build(site_app, content, tmp_path):
    for n in range(220):
        product_file(content, f"bean-{n:03d}", f"Bean {n:03d}")
    with pytest.raises(BuildError, match="/plugins/notes/spring-blend: the shop answered 403"):
        build_site(site_app(Notes(leaky=True)), tmp_path / "site", jobs=2)


def test_a_build_process_that_dies_fails_the_build_with_a_clear_message(site_app, content,
                                                                       tmp_path):
    for n in range(220):
        product_file(content, f"bean-{n:03d}", f"Bean {n:03d}")
    app = site_app(Notes(only_in=os.getpid()))  # every other process dies on its first page
    result = app.test_cli_runner().invoke(main, ["build", "--out", str(tmp_path / "site"),
                                                 "--jobs", "2"])

    assert result.exit_code == 1
    assert "build failed: a worker process ended unexpectedly" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("key", "written_to", "linked_as"), [
    ("/", "index.html", "/"),
    ("/products/x", "products/x/index.html", "/products/x/"),
    ("/community/", "community/index.html", "/community/"),
    ("/community/feed.atom", "community/feed.atom", "/community/feed.atom"),
    ("/?page=2", "page/2/index.html", "/page/2/"),
    ("/category/tea?page=3", "category/tea/page/3/index.html", "/category/tea/page/3/"),
])
def test_where_a_page_is_written_and_how_it_is_linked(key, written_to, linked_as):
    from storefront.build.paths import output_file, static_href

    assert (output_file(key), static_href(key)) == (written_to, linked_as)


@pytest.mark.parametrize("key", ["/a/../b", "//evil.example/x", "/x?q=1", "x", "/x#top",
                                 "/sitemap.xml", "/.storefront-build.json"])
def test_a_plugin_page_outside_the_site_or_over_its_files_fails_the_build(key):
    from storefront.build.pages import BuildPage, check_unique

    with pytest.raises(BuildError, match="notes"):
        check_unique([BuildPage("/", "x"), BuildPage(key, "x", origin="notes")])


def test_the_market_theme_builds_with_its_category_sidebar(site_app, tmp_path):
    out = tmp_path / "site"
    build_site(site_app(THEME="market"), out)
    page = read(out, "pages/about/index.html")
    assert "market.css" in page and (out / "static" / "market.css").is_file()
    assert 'href="/category/equipment/"' in page  # the sidebar, linked within the site
    assert "Buy in the shop" in read(out, "products/tea-pot/index.html")


@pytest.mark.parametrize(("html_in", "html_out"), [
    ('<a href="/products/x">', '<a href="/products/x/">'),
    ('<A HREF = "/products/x">', '<A HREF = "/products/x/">'),  # any case, spaces around =
    ('<a\nhref="/?page=2#top">', '<a\nhref="/page/2/#top">'),
    ('<form action="/cart/add">', '<form action="https://shop.example/cart/add">'),
    ('<img src="/static/style.css">', '<img src="/static/style.css">'),  # a copied asset
    ('<a href="https://elsewhere.example/x">', '<a href="https://elsewhere.example/x">'),
    ('<a href="#top">', '<a href="#top">'),
    # Not attributes: no ASCII space before the name, or not an ASCII name ("ſ" is a long s).
    ('<p>\u00a0href="/cart"</p>', '<p>\u00a0href="/cart"</p>'),
    ('<a ſrc="/cart">', '<a ſrc="/cart">'),
])
def test_links_are_rewritten_for_the_static_site(html_in, html_out):
    from storefront.build.links import LinkRewriter

    rewriter = LinkRewriter({"/products/x": "/products/x/", "/?page=2": "/page/2/"},
                            {"/static/style.css"}, "https://shop.example")
    assert rewriter.html(html_in) == html_out
