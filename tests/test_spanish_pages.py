"""Every page a guest, a member and the owner can reach, read in Spanish, holds no English
(issue 18), outside what people wrote: products, pages, articles and events from content/,
names and addresses.

The pages are found by following the links of the shop from its home, account and admin
pages, with every built-in plugin on and a member who has ordered. A word counts as English
when the English texts of the catalogs use it and their Spanish translations never do, or
when it is one of the small words no Spanish sentence has ("the", "your", "with")."""

from __future__ import annotations

import html
import re
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from babel.messages.pofile import read_po

from storefront.i18n.catalogs import built_in_sources, extract
from tests.conftest import ROOT, Shop
from tests.support.forms import post_form

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

BUILT_IN = ["points", "tiers", "cards", "events", "community"]
PASSWORD = "correct horse battery"
ENGLISH_ONLY_WORDS = {"the", "and", "your", "you", "with", "for", "this", "that", "from",
                      "are", "have", "will", "not", "was", "been", "here", "there",
                      "what", "when", "which", "who", "how", "is", "it", "on", "in", "at",
                      "by", "or", "an", "be", "of", "to", "if", "my", "our", "we"}
SKIPPED = ("/logout", "/static/", "/media/", "/language")
WORD = re.compile(r"[A-Za-zÀ-ÿ]+")
MAX_PAGES = 400


def _words(text: str) -> set[str]:
    # Placeholders (%(name)s, {{ x }}) and identifiers (shop_nav_links, points.earned) are
    # code, not words.
    text = re.sub(r"%\(\w+\)s|\{\{.*?\}\}|\{%.*?%\}|<[^>]+>|\w+[_.]\w[\w.]*", " ", text)
    return {w.lower() for w in WORD.findall(text)}


def english_words() -> set[str]:
    """The words only the English side of the catalogs uses, and English's small words,
    less every word of content/ (what the owner wrote)."""
    english, spanish = set(), set()
    for source in built_in_sources():
        for message in extract(source):
            for text in message.id if isinstance(message.id, tuple) else [message.id]:
                english |= _words(text)
        with source.po_file("es").open("rb") as handle:
            for message in read_po(handle):
                strings = message.string if isinstance(message.string, tuple) else [
                    message.string]
                for text in strings:
                    spanish |= _words(text or "")
    written = set()
    for path in (ROOT / "content").rglob("*.md"):
        written |= _words(path.read_text())
    return ((english - spanish) | ENGLISH_ONLY_WORDS) - written


def visible_text(page: str) -> str:
    page = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page)
    attributes = re.findall(r'\b(?:placeholder|title|aria-label|alt)="([^"]*)"', page)
    text = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(" ".join([text, *attributes]))


def crawl(client, starts: list[str], seen: set[str]) -> dict[str, str]:
    """path -> visible text of every HTML page reachable from ``starts`` (200 answers)."""
    pages, queue = {}, deque(starts)
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        answer = client.get(path, headers={"Accept-Language": "es"})
        if answer.status_code != 200 or answer.mimetype != "text/html":
            continue
        body = answer.get_data(as_text=True)
        pages[path] = visible_text(body)
        for href in re.findall(r'href="([^"#]*)', body):
            target = urlsplit(urljoin(path, html.unescape(href)))
            if target.netloc not in ("", "localhost") or not target.path.startswith("/"):
                continue
            link = target.path + (f"?{target.query}" if target.query else "")
            if not link.startswith(SKIPPED) and link not in seen:
                queue.append(link)
    return pages


@pytest.fixture
def shop_in_use(make_app):
    app = make_app(LOAD_ENTRY_POINT_PLUGINS=True, PLUGINS_ENABLED_BY_DEFAULT=BUILT_IN,
                   SHOP_BANK_DETAILS="IBAN ES00 0000 0000 0000 0000 0000")
    shop = Shop(app)
    shop.create_user("olivia@example.com", role="owner", name="Olivia")
    shop.create_user("mia@example.com", name="Mia")
    clients = {}
    for role, email in (("owner", "olivia@example.com"), ("member", "mia@example.com")):
        clients[role] = app.test_client()
        shop.login(clients[role], email, PASSWORD)
    for client in clients.values():
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"  # their "added to the cart" too
    shop.add(clients["member"], "EQP-GRD-01")
    assert shop.checkout(clients["member"], email="mia@example.com", name="Mía García",
                         address="Calle Mayor 1, Madrid").status_code in (302, 303)
    # The owner marks it paid: the member earns points and climbs the tier ladder, and the
    # points history, tier and order pages have something to show.
    paid = post_form(clients["owner"], "/admin/orders/1", "/admin/orders/1/mark-paid", {},
                     follow_redirects=True)
    assert paid.status_code == 200
    shop.add(clients["member"], "EQP-GRD-01")  # a cart to look at
    clients["guest"] = app.test_client()
    clients["guest"].environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    shop.add(clients["guest"], "EQP-GRD-01")
    return app, clients


def test_no_page_of_the_shop_shows_english_to_a_spanish_reader(shop_in_use):
    _app, clients = shop_in_use
    english = english_words()
    seen: set[str] = set()
    pages = {}
    for role, starts in (("owner", ["/admin/", "/admin/orders", "/admin/customers",
                                    "/admin/plugins", "/account"]),
                         ("member", ["/account", "/cart", "/checkout", "/"]),
                         ("guest", ["/", "/cart", "/checkout", "/login", "/register",
                                    "/password/forgot"])):
        found = crawl(clients[role], starts, seen)
        pages.update({f"{role} {path}": text for path, text in found.items()})
    assert len(pages) > 40, sorted(pages)
    problems = []
    for where, text in sorted(pages.items()):
        for word in sorted(_words(text) & english):
            at = re.search(rf"(?i)\b{word}\b", text)
            context = " ".join(text[max(0, at.start() - 40):at.end() + 40].split()) if at else ""
            problems.append(f"{where}: {word!r} in “{context}”")
    assert problems == [], f"{len(problems)} English words:\n" + "\n".join(problems[:200])


def test_the_crawl_reaches_the_pages_of_every_kind_of_reader(shop_in_use):
    _app, clients = shop_in_use
    seen: set[str] = set()
    owner = crawl(clients["owner"], ["/admin/"], seen)
    assert any(p.startswith("/admin/orders/") for p in owner)
    assert any(p.startswith("/admin/plugins") for p in owner)
    member = crawl(clients["member"], ["/account"], set())
    assert any(p.startswith("/account/orders/") for p in member), sorted(member)
    assert Path(ROOT / "content").is_dir()
