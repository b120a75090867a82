"""``storefront build``: write the shop's public pages as a static site, incrementally."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter

from flask import Flask
from markupsafe import escape

from storefront.build import parallel, templating
from storefront.build.assets import collect_assets, copy_assets
from storefront.build.content import sync_content
from storefront.build.links import LinkRewriter
from storefront.build.manifest import Manifest
from storefront.build.pages import (
    BuildPage,
    check_unique,
    content_pages,
    in_languages,
    listing_pages,
    plugin_pages,
)
from storefront.build.parallel import default_jobs, sha, write_file
from storefront.build.render import PageFetcher
from storefront.build.site_key import site_key
from storefront.build.sitemap import FILENAME as SITEMAP
from storefront.build.sitemap import sitemap_xml
from storefront.build.sources import FileStates, digest

SITEMAP_SOURCE = f"{SITEMAP}:source"  # manifest.extra: fingerprint of its base and links

Progress = Callable[[list[BuildPage]], AbstractContextManager[Iterable[BuildPage]]]


@dataclass
class BuildReport:
    out: Path
    pages: int = 0  # pages in the site
    written: int = 0  # rendered and written (new or changed)
    unchanged: int = 0  # skipped (nothing they depend on changed) or rendered identical
    removed: int = 0  # outputs of pages that are gone
    assets: int = 0  # static files copied
    parsed: int = 0  # content files read
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


def site_url(app: Flask) -> str:
    """Where the static site is published: STATIC_SITE_URL, else BASE_URL."""
    return (app.config.get("STATIC_SITE_URL") or app.config["BASE_URL"]).rstrip("/")


def _remove(out: Path, rel: str) -> None:
    target = out / rel
    target.unlink(missing_ok=True)
    for parent in target.parents:  # drop folders the removal left empty
        if parent == out or not parent.is_relative_to(out):
            break
        with contextlib.suppress(OSError):
            parent.rmdir()


@dataclass
class _Run:
    """One build: the app, where it writes, the last build's manifest and the new one."""

    app: Flask
    out: Path
    old: Manifest
    new: Manifest
    report: BuildReport


def _plan(app: Flask, old: Manifest, states: FileStates, jobs: int):
    root = Path(app.config["CONTENT_DIR"])
    with app.app_context():
        index = sync_content(root, states, old.content, jobs=jobs)
        listings, categories = listing_pages()
        pages = [*listings, *content_pages(root, states, index), *plugin_pages(root, states)]
        check_unique(pages)
        pages = in_languages(pages, app.config["LANGUAGES"])
        key = site_key(app, states, categories)
        assets = collect_assets(app)
    new = Manifest(site=key, content={"products": index.products, "pages": index.pages})
    return index, pages, assets, new


def _stale(run: _Run, pages: list[BuildPage], everything: bool) -> list[BuildPage]:
    """The pages to render; the others keep their manifest entry."""
    todo = []
    for page in pages:
        before = run.old.pages.get(page.id)
        if (everything or before is None or before["deps"] != page.deps
                or not (run.out / before["file"]).is_file()):
            todo.append(page)
        else:
            run.new.pages[page.id] = before
            run.report.unchanged += 1
    return todo


def _render(run: _Run, todo: list[BuildPage], fetcher: PageFetcher,
            progress: Progress | None, jobs: int) -> None:
    done = parallel.render(run.app, fetcher, run.out,
                           [(p.key, p.language, p.file) for p in todo], jobs)
    with (progress or contextlib.nullcontext)(todo) as bar:
        for page, written in zip(bar, done, strict=True):
            if written:
                run.report.written += 1
            else:
                run.report.unchanged += 1  # rendered again, same bytes: the file stays
            run.new.pages[page.id] = {"file": page.file, "deps": page.deps,
                                      "sitemap": page.in_sitemap}


def _remove_gone(run: _Run) -> None:
    """Delete what the last build wrote for pages and assets that no longer exist."""
    kept = {entry["file"] for entry in run.new.pages.values()}
    for key, entry in run.old.pages.items():
        if key not in run.new.pages and entry["file"] not in kept:
            _remove(run.out, entry["file"])
            run.report.removed += 1
    for url in run.old.assets.keys() - run.new.assets.keys():
        _remove(run.out, url.lstrip("/"))


def _write_sitemap(run: _Run, pages: list[BuildPage]) -> None:
    base = site_url(run.app)
    hrefs = sorted({p.href for p in pages if p.in_sitemap})
    source = digest(run.new.site, base, *hrefs)  # what the sitemap is made from (and code)
    if (run.old.extra.get(SITEMAP_SOURCE) == source and SITEMAP in run.old.extra
            and (run.out / SITEMAP).is_file()):
        run.new.extra.update({SITEMAP: run.old.extra[SITEMAP], SITEMAP_SOURCE: source})
        return  # the same pages at the same address: the same sitemap, not written again
    sitemap = sitemap_xml(base, hrefs)
    run.new.extra.update({SITEMAP: sha(sitemap), SITEMAP_SOURCE: source})
    if run.old.extra.get(SITEMAP) != run.new.extra[SITEMAP] or not (run.out / SITEMAP).is_file():
        write_file(run.out, SITEMAP, sitemap)


LANGUAGE_CHOICE = "index.html"  # a site in several languages: the root sends to the default


def language_choice_html(app: Flask) -> bytes:
    """The root page of a site built in several languages: it sends a visitor on to the
    default language at once and links each language, with hreflang for search engines."""
    from storefront.i18n import LANGUAGE_NAMES

    base, default = site_url(app), app.config["DEFAULT_LANGUAGE"]
    codes = app.config["LANGUAGES"]
    alternates = "".join(f'<link rel="alternate" hreflang="{code}" href="{base}/{code}/">\n'
                         for code in codes)
    links = "".join(f'<li><a href="/{code}/" hreflang="{code}" lang="{code}">'
                    f"{LANGUAGE_NAMES[code]}</a></li>" for code in codes)
    name = escape(app.config["SHOP_NAME"])
    return (f'<!doctype html>\n<html lang="{default}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{name}</title>\n"
            f'<meta http-equiv="refresh" content="0; url=/{default}/">\n'
            f'<link rel="canonical" href="{base}/{default}/">\n{alternates}'
            f'<link rel="alternate" hreflang="x-default" href="{base}/">\n</head>\n'
            f"<body>\n<h1>{name}</h1>\n<ul>{links}</ul>\n</body>\n</html>\n").encode()


def _write_language_choice(run: _Run) -> None:
    if len(run.app.config["LANGUAGES"]) < 2:
        return
    page = language_choice_html(run.app)
    run.new.extra[LANGUAGE_CHOICE] = sha(page)
    if (run.old.extra.get(LANGUAGE_CHOICE) != run.new.extra[LANGUAGE_CHOICE]
            or not (run.out / LANGUAGE_CHOICE).is_file()):
        write_file(run.out, LANGUAGE_CHOICE, page)


def build_site(app: Flask, out: Path | None = None, *, force: bool = False,
               progress: Progress | None = None, jobs: int | None = None) -> BuildReport:
    """Render the public pages that changed since the last build into ``out`` (every page
    and asset with ``force``), with ``jobs`` processes when there are many (default: one
    per CPU). Raises BuildError."""
    started = perf_counter()
    templating.init_app(app)
    jobs = jobs or default_jobs()
    out = Path(out or app.config["STATIC_BUILD_DIR"]).resolve()
    out.mkdir(parents=True, exist_ok=True)
    old = Manifest.load(out)
    if force:  # as into an empty folder, but the files of pages gone since are removed
        old = Manifest(pages={key: {"file": entry["file"]} for key, entry in old.pages.items()})
    states = FileStates(old.files)
    index, pages, assets, new = _plan(app, old, states, jobs)
    run = _Run(app, out, old, new, BuildReport(out=out, pages=len(pages), parsed=index.parsed,
                                               problems=index.problems))
    everything = old.site != new.site
    if everything and app.jinja_env.cache is not None:
        app.jinja_env.cache.clear()  # a long-lived app may hold templates that changed
    rewriters = {language: LinkRewriter({p.key: p.href for p in pages
                                         if p.language == language},
                                        assets.keys(), app.config["BASE_URL"])
                 for language in {p.language for p in pages} | {""}}
    todo = _stale(run, pages, everything)
    if todo:
        # From here files change. A build that does not finish leaves no manifest, so the
        # next one renders every page instead of trusting files this one may have cut short.
        Manifest.forget(out)
    _render(run, todo, PageFetcher(app, site_url(app), rewriters), progress, jobs)
    new.assets, run.report.assets = copy_assets(assets, out, states, old.assets)
    _remove_gone(run)
    _write_sitemap(run, pages)
    _write_language_choice(run)
    new.files = states.records()
    new.save(out)  # last: only a build that finished leaves a manifest
    run.report.seconds = perf_counter() - started
    return run.report
