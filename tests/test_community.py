"""The community plugin: who reads which article (pages, topics, feed, search, static pages),
content checks, and discussions (sanitising, edit window, reports, moderation, rate limit)."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from xml.etree import ElementTree

import pytest
from sqlalchemy import func, select

from loyalty_plugins.community.models import Comment, Report
from storefront.cli import main
from storefront.extensions import db
from storefront.orders.service import mark_paid
from storefront.plugins.settings import SettingsError
from storefront.plugins.state import save_settings, set_enabled
from tests.points_support import PASSWORD, last_order_id, loyalty_app, member
from tests.support.forms import post_form

ROOT = Path(__file__).resolve().parent.parent
LADDER = [
    {"code": "member", "name": "Member", "threshold": "0"},
    {"code": "silver", "name": "Silver", "threshold": "100.00", "discount_percent": "5"},
    {"code": "gold", "name": "Gold", "threshold": "500.00"},
]
ARTICLES = {
    "open-day": """---
title: Open day at the roastery
date: 2026-10-01
author: Lena
topics: [events, coffee]
audience: public
---
PUBLIC-START Come and see the roaster at work.

PUBLIC-BODY We pour free cups all afternoon.
""",
    "members-notes": """---
title: Members' brewing notes
date: 2026-10-02
author: Lena
topics: [brewing, coffee]
audience: members
---
MEMBERS-TEASER How we brew at the bar.

MEMBERS-SECRET The exact recipe, for members.
""",
    "silver-notes": """---
title: Silver tasting notes
date: 2026-10-03
author: Tomás
topics: [tea]
audience: silver
teaser: SILVER-TEASER What the tasting panel found.
---
SILVER-SECRET Ninety seconds at seventy degrees.

More notes.
""",
}
GATED = ("MEMBERS-SECRET", "SILVER-SECRET")


def write_articles(folder: Path, articles: dict[str, str]) -> Path:
    (folder / "community").mkdir(parents=True, exist_ok=True)
    for slug, text in articles.items():
        (folder / "community" / f"{slug}.md").write_text(text)
    return folder


@pytest.fixture
def content(tmp_path) -> Path:
    return write_articles(tmp_path / "content", ARTICLES)


@pytest.fixture
def app(make_app, content):
    return loyalty_app(make_app, plugins=("tiers", "community"),
                       settings={"tiers": {"ladder": LADDER}}, CONTENT_DIR=str(content))


def text(response) -> str:
    return response.get_data(as_text=True)


def staff_client(app, shop, role="staff", name="Sam Staff"):
    shop.create_user(f"{role}@example.com", role=role, name=name)
    client = app.test_client()
    shop.login(client, f"{role}@example.com", PASSWORD)
    return client


def reach_silver(app, shop, client):
    shop.add(client, "EQP-KTL-01")  # 39.00 x 3 = 117.00, above Silver's 100.00
    shop.add(client, "EQP-KTL-01", 2)
    shop.checkout(client, email="mia@example.com")
    with app.app_context():
        assert mark_paid(last_order_id(app))
        db.session.commit()


def comment(app, client, slug, body):
    return post_form(client, f"/community/{slug}", f"/community/{slug}/comments",
                     {"body": body})


def comments_of(app, slug="open-day"):
    with app.app_context():
        rows = db.session.scalars(select(Comment).where(Comment.article == slug)
                                  .order_by(Comment.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def age_comments(app, minutes):
    with app.app_context():
        for row in db.session.scalars(select(Comment)):
            row.created_at -= timedelta(minutes=minutes)
        db.session.commit()


# Who reads what ---------------------------------------------------------------------------


def test_guest_sees_public_articles_and_only_teasers_of_the_others(app):
    guest = app.test_client()
    listing = text(guest.get("/community/"))
    assert "Open day at the roastery" in listing and "Silver tasting notes" in listing
    assert "MEMBERS-TEASER" in listing and "SILVER-TEASER" in listing
    assert "Members only" in listing and "Silver and above" in listing
    public = guest.get("/community/open-day")
    assert public.status_code == 200 and "PUBLIC-BODY" in text(public)
    locked = guest.get("/community/members-notes")
    assert locked.status_code == 403
    assert "MEMBERS-TEASER" in text(locked) and "join the club to read" in text(locked)
    silver = guest.get("/community/silver-notes")
    assert silver.status_code == 403 and "SILVER-TEASER" in text(silver)
    assert "reach Silver to read" in text(silver)
    pages = [listing, text(locked), text(silver), text(guest.get("/community/topics/coffee")),
             text(guest.get("/community/topics/tea"))]
    assert not any(secret in page for page in pages for secret in GATED)
    assert guest.get("/community/topics/nothing").status_code == 404
    assert guest.get("/community/no-such-article").status_code == 404


def test_members_read_member_articles_and_tier_articles_from_their_tier(app, shop):
    client, _ = member(app, shop)
    assert "MEMBERS-SECRET" in text(client.get("/community/members-notes"))
    below = client.get("/community/silver-notes")
    assert below.status_code == 403 and "SILVER-SECRET" not in text(below)
    assert "Reach Silver to read the whole article" in text(below)
    assert "SILVER-SECRET" not in text(client.get("/community/topics/tea"))
    reach_silver(app, shop, client)
    above = client.get("/community/silver-notes")
    assert above.status_code == 200 and "SILVER-SECRET" in text(above)


def test_staff_read_everything(app, shop):
    staff = staff_client(app, shop)
    assert "SILVER-SECRET" in text(staff.get("/community/silver-notes"))


def test_without_the_tiers_plugin_a_tier_article_stays_locked(app, shop):
    client, _ = member(app, shop)
    reach_silver(app, shop, client)
    with app.app_context():
        set_enabled("tiers", False)
    for who in (client, app.test_client()):
        locked = who.get("/community/silver-notes")
        assert locked.status_code == 403 and "SILVER-SECRET" not in text(locked)
        assert "SILVER-TEASER" in text(locked) and "Silver and above" in text(locked)
    assert "MEMBERS-SECRET" in text(client.get("/community/members-notes"))
    assert "SILVER-SECRET" in text(staff_client(app, shop).get("/community/silver-notes"))


def test_a_tier_the_ladder_lacks_is_for_staff_only(make_app, shop, tmp_path):
    content = write_articles(tmp_path / "c", {"platinum": ARTICLES["silver-notes"].replace(
        "audience: silver", "audience: platinum")})
    app = loyalty_app(make_app, plugins=("tiers", "community"), CONTENT_DIR=str(content))
    client, _ = member(app, shop)
    assert client.get("/community/platinum").status_code == 404
    assert "Silver tasting notes" not in text(client.get("/community/"))
    assert "SILVER-SECRET" in text(staff_client(app, shop).get("/community/platinum"))


def test_feed_static_pages_and_search_carry_public_articles_only(app, shop):
    feed = app.test_client().get("/community/feed.atom")
    assert feed.status_code == 200 and feed.mimetype == "application/atom+xml"
    atom = "{http://www.w3.org/2005/Atom}"
    entries = ElementTree.fromstring(feed.data).findall(f"{atom}entry")
    assert [e.find(f"{atom}title").text for e in entries] == ["Open day at the roastery"]
    assert "http://localhost/community/open-day" in feed.get_data(as_text=True)
    for marker in (*GATED, "MEMBERS-TEASER", "SILVER-TEASER"):
        assert marker not in feed.get_data(as_text=True)

    with app.test_request_context():
        from storefront.plugins import collect

        pages = [p for p in collect("shop_static_pages") if p.path.startswith("/community")]
    by_path = {p.path: p for p in pages}
    assert set(by_path) == {"/community/", "/community/open-day", "/community/feed.atom",
                            *(f"/community/topics/{t}" for t in
                              ("brewing", "coffee", "events", "tea"))}
    assert by_path["/community/open-day"].sources == ("community/open-day.md",)
    assert by_path["/community/"].sources == ("community/",)
    assert by_path["/community/feed.atom"].in_sitemap is False
    guest = app.test_client()
    for path in by_path:  # what the static build fetches, as a guest
        response = guest.get(path)
        assert response.status_code == 200, path
        assert not any(secret in text(response) for secret in GATED), path

    client, _ = member(app, shop)
    for who in (guest, client):  # the shop's search covers products, never articles
        for query in ("SECRET", "MEMBERS", "Silver tasting"):
            found = text(who.get(f"/search?q={query}"))
            assert not any(secret in found for secret in GATED)
            assert "Silver tasting notes" not in found


def test_disabled_plugin_answers_404(app):
    with app.app_context():
        set_enabled("community", False)
    guest = app.test_client()
    assert guest.get("/community/").status_code == 404
    assert guest.get("/community/feed.atom").status_code == 404


# Content files ----------------------------------------------------------------------------

BAD = {
    "no-title": "---\ndate: 2026-01-01\nauthor: A\ntopics: [tea]\naudience: public\n---\nText.\n",
    "bad-date": "---\ntitle: T\ndate: someday\nauthor: A\ntopics: [tea]\naudience: public\n"
                "---\nText.\n",
    "bad-topics": "---\ntitle: T\ndate: 2026-01-01\nauthor: A\ntopics: Tea Time\n"
                  "audience: public\n---\nText.\n",
    "typo": "---\ntitle: T\ndate: 2026-01-01\nauthor: A\ntopics: [tea]\naudiance: members\n"
            "---\nText.\n",
    "short-secret": "---\ntitle: T\ndate: 2026-01-01\nauthor: A\ntopics: [tea]\n"
                    "audience: members\n---\nThe only paragraph, which is the secret.\n",
    "broken": "---\ntitle: [unclosed\n---\nText.\n",
    "topics": "---\ntitle: T\ndate: 2026-01-01\nauthor: A\ntopics: [tea]\naudience: public\n"
              "---\nA slug the topic pages use.\n",
    "gold-fan": "---\ntitle: T\ndate: 2026-01-01\nauthor: A\ntopics: [tea]\naudience: diamond\n"
                "teaser: A teaser.\n---\nText.\n",
}


def test_content_check_names_file_and_field(app, tmp_path):
    content = write_articles(tmp_path / "checked", {**ARTICLES, **BAD})
    result = app.test_cli_runner().invoke(main, ["content", "check", "--dir", str(content)])
    assert result.exit_code == 1
    expected = {
        "no-title": "title: is required", "bad-date": "date: must be a date",
        "bad-topics": "topics: must be a list", "typo": "audiance: is not a known field",
        "short-secret": "teaser: an article that is not public needs a teaser",
        "broken": "front matter:", "topics": "slug: 'topics' is taken",
        "gold-fan": "audience: 'diamond' is not a tier",
    }
    for name, problem in expected.items():
        assert f"checked/community/{name}.md: {problem}" in result.output, (name, result.output)
    assert "open-day.md" not in result.output and "members-notes.md" not in result.output


def test_a_bad_article_file_is_skipped_and_logged_never_a_crash(app, content, caplog):
    write_articles(content, {"short-secret": BAD["short-secret"], "broken": BAD["broken"]})
    guest = app.test_client()
    with caplog.at_level("WARNING", logger="storefront.plugins.community"):
        listing = guest.get("/community/")
    assert listing.status_code == 200 and "Open day" in text(listing)
    assert "The only paragraph" not in text(listing)
    assert guest.get("/community/short-secret").status_code == 404
    assert "short-secret.md: teaser" in caplog.text and "broken.md: front matter" in caplog.text


def test_the_demo_articles_pass_the_content_check(make_app):
    app = loyalty_app(make_app, plugins=("tiers", "community"))  # the shop's own content/
    result = app.test_cli_runner().invoke(main, ["content", "check"])
    assert "community/" not in result.output, result.output
    with app.test_request_context():
        from loyalty_plugins.community.articles import all_articles

        found = all_articles()
    assert {"public", "members", "silver"} <= {a.audience for a in found} and len(found) >= 4


# Discussions ------------------------------------------------------------------------------


def test_comments_are_sanitised_markdown_with_nofollow_links(app, shop):
    client, _ = member(app, shop)
    body = ("<script>alert('x')</script> **bold** [site](https://example.com/tips) "
            "[bad](javascript:alert(1)) <img src=x onerror=alert(1)> "
            "<a href=\"javascript:alert(2)\">raw</a>\n\n# Not a heading tag")
    assert comment(app, client, "open-day", body).status_code == 303
    page = text(client.get("/community/open-day"))
    section = page[page.index('id="discussion"'):]
    assert "<script>alert" not in section and "&lt;script&gt;" in section
    assert '<a href="javascript' not in section and "<img" not in section
    assert "[bad](javascript:alert(1))" in section  # left as text, not a link
    assert "&lt;img src=x onerror=alert(1)&gt;" in section  # shown, not run
    assert '<a href="https://example.com/tips" rel="nofollow noopener">site</a>' in section
    assert "<strong>bold</strong>" in section and "<h1>Not a heading" not in section


def test_guests_see_no_comments_and_cannot_post(app, shop):
    client, _ = member(app, shop)
    comment(app, client, "open-day", "A member's view")
    guest = app.test_client()
    page = text(guest.get("/community/open-day"))
    assert "A member's view" not in page and "to read the comments" in page
    refused = post_form(guest, "/login", "/community/open-day/comments", {"body": "spam"})
    assert refused.status_code == 403 and "Log in" in text(refused)
    assert len(comments_of(app)) == 1


def test_members_comment_only_on_articles_they_can_read(app, shop):
    client, _ = member(app, shop)
    refused = post_form(client, "/community/members-notes", "/community/silver-notes/comments",
                        {"body": "Let me in"})
    assert refused.status_code == 403 and comments_of(app, "silver-notes") == []
    assert comment(app, client, "members-notes", "Inside").status_code == 303


def test_edit_and_delete_own_comment_within_the_window_only(app, shop):
    client, _ = member(app, shop)
    comment(app, client, "open-day", "First thought")
    [mine] = comments_of(app)
    edit_url = f"/community/comments/{mine.id}/edit"
    assert client.get(edit_url).status_code == 200
    post_form(client, edit_url, edit_url, {"body": "Second thought"})
    [edited] = comments_of(app)
    assert edited.body == "Second thought" and edited.edited_at is not None
    age_comments(app, 16)  # the default window is 15 minutes
    late = post_form(client, "/community/open-day", edit_url, {"body": "Third"})
    assert late.status_code == 403 and "first 15 minutes" in text(late)
    late = post_form(client, "/community/open-day", f"/community/comments/{mine.id}/delete", {})
    assert late.status_code == 403 and comments_of(app)[0].status == "visible"
    assert "Second thought" in text(client.get("/community/open-day"))

    comment(app, client, "open-day", "Regret this")
    fresh = comments_of(app)[-1]
    done = post_form(client, "/community/open-day", f"/community/comments/{fresh.id}/delete", {})
    assert done.status_code == 303
    assert comments_of(app)[-1].status == "deleted" and comments_of(app)[-1].body == ""
    assert "Regret this" not in text(client.get("/community/open-day"))


def test_members_cannot_touch_other_members_comments(app, shop):
    ana, _ = member(app, shop, email="ana@example.com", name="Ana")
    bob, _ = member(app, shop, email="bob@example.com", name="Bob")
    comment(app, ana, "open-day", "Ana's comment")
    [theirs] = comments_of(app)
    page = text(bob.get("/community/open-day"))
    assert f"/community/comments/{theirs.id}/edit" not in page  # no edit link for Bob
    for action in ("edit", "delete"):
        url = f"/community/comments/{theirs.id}/{action}"
        response = post_form(bob, "/community/open-day", url, {"body": "Bob was here"})
        assert response.status_code == 403
        assert "You can only" in text(response) and "your own comments" in text(response)
    assert bob.get(f"/community/comments/{theirs.id}/edit").status_code == 403
    assert comments_of(app)[0].body == "Ana's comment"
    assert comments_of(app)[0].status == "visible"
    missing = post_form(bob, "/community/open-day", "/community/comments/999/delete", {})
    assert missing.status_code == 404


def test_a_member_reports_a_comment_once(app, shop):
    ana, _ = member(app, shop, email="ana@example.com", name="Ana")
    bob, _ = member(app, shop, email="bob@example.com", name="Bob")
    comment(app, ana, "open-day", "Buy cheap watches")
    [spam] = comments_of(app)
    url = f"/community/comments/{spam.id}/report"
    first = post_form(bob, "/community/open-day", url, {"reason": "advertising"})
    assert first.status_code == 303
    assert "You reported this comment" in text(bob.get("/community/open-day"))
    again = bob.post(url, data={"csrf_token": _token(bob), "reason": "again"})
    assert again.status_code == 409 and "already reported" in text(again)
    own = post_form(ana, "/community/open-day", url, {})
    assert own.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count(Report.id))) == 1


def _token(client) -> str:
    from tests.support.forms import csrf_token

    return csrf_token(text(client.get("/community/open-day")))


def test_staff_hide_unhide_and_delete_from_the_reports_list(app, shop):
    ana, _ = member(app, shop, email="ana@example.com", name="Ana")
    bob, _ = member(app, shop, email="bob@example.com", name="Bob")
    comment(app, ana, "open-day", "Rude words")
    [rude] = comments_of(app)
    post_form(bob, "/community/open-day", f"/community/comments/{rude.id}/report",
              {"reason": "insults <b>people</b>"})
    assert bob.get("/community/moderation").status_code == 404
    assert "Moderation" not in text(bob.get("/community/"))
    staff = staff_client(app, shop)
    assert 'href="/community/moderation"' in text(staff.get("/community/"))
    listing = text(staff.get("/community/moderation"))
    assert "Rude words" in listing and "1 open report" in listing
    assert "insults &lt;b&gt;people&lt;/b&gt;" in listing

    hide = f"/community/moderation/{rude.id}/hide"
    assert post_form(staff, "/community/moderation", hide, {}).status_code == 303
    assert "Rude words" not in text(bob.get("/community/open-day"))
    assert "Rude words" not in text(ana.get("/community/open-day"))
    assert "Hidden from members" in text(staff.get("/community/open-day"))
    with app.app_context():
        assert db.session.scalar(select(Report.resolved_at)) is not None
    assert "Rude words" in text(staff.get("/community/moderation"))  # hidden ones stay listed

    post_form(staff, "/community/moderation", f"/community/moderation/{rude.id}/unhide", {})
    assert "Rude words" in text(bob.get("/community/open-day"))
    post_form(staff, "/community/open-day", f"/community/moderation/{rude.id}/delete", {})
    [gone] = comments_of(app)
    assert gone.status == "deleted" and gone.body == "" and gone.moderated_by == "Sam Staff"
    assert "Rude words" not in text(staff.get("/community/open-day"))
    assert "Nothing to moderate" in text(staff.get("/community/moderation"))
    member_try = post_form(bob, "/community/open-day", hide, {})
    assert member_try.status_code == 404


def test_posting_is_rate_limited_per_member(app, shop):
    with app.app_context():
        save_settings("community", {"rate_limit_count": 2, "rate_limit_minutes": 10})
    client, _ = member(app, shop)
    other, _ = member(app, shop, email="other@example.com", name="Other")
    for n in range(2):
        assert comment(app, client, "open-day", f"Comment {n}").status_code == 303
    post_form(client, "/community/open-day",
              f"/community/comments/{comments_of(app)[-1].id}/delete", {})  # still counts
    limited = comment(app, client, "open-day", "One too many")
    assert limited.status_code == 429
    assert "You have posted 2 comments in the last 10 minutes" in text(limited)
    assert ">One too many</textarea>" in text(limited)  # the text is not lost
    assert comment(app, other, "open-day", "Someone else").status_code == 303
    age_comments(app, 11)
    assert comment(app, client, "open-day", "Later on").status_code == 303
    assert len(comments_of(app)) == 4


def test_rate_limit_holds_when_a_member_posts_at_once_from_many_tabs(app, shop):
    with app.app_context():
        save_settings("community", {"rate_limit_count": 3})
    client, _ = member(app, shop)
    token = _token(client)
    cookie = client.get_cookie("session").value
    barrier, statuses = threading.Barrier(6), []

    def tab():
        browser = app.test_client()
        browser.set_cookie("session", cookie)
        barrier.wait()
        response = browser.post("/community/open-day/comments",
                                data={"csrf_token": token, "body": "at once"})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=tab) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [303, 303, 303, 429, 429, 429]
    assert len(comments_of(app)) == 3


def test_only_a_display_name_is_shown_never_an_email(app, shop):
    named, _ = member(app, shop, email="ana@example.com", name="Ana Roaster")
    hidden, _ = member(app, shop, email="bob@example.com", name="bob@example.com")
    comment(app, named, "open-day", "Named")
    comment(app, hidden, "open-day", "Unnamed")
    post_form(named, "/community/open-day",
              f"/community/comments/{comments_of(app)[-1].id}/report", {})
    staff = staff_client(app, shop)
    for page in (text(named.get("/community/open-day")), text(staff.get("/community/open-day")),
                 text(staff.get("/community/moderation"))):
        section = page[page.index("<main"):]
        assert "ana@example.com" not in section and "bob@example.com" not in section
    page = text(named.get("/community/open-day"))
    assert "Ana Roaster" in page and "A member" in page


def test_settings_are_validated(app):
    with app.app_context():
        for bad in ({"edit_minutes": "-1"}, {"rate_limit_count": "0"},
                    {"max_comment_length": "lots"}):
            with pytest.raises(SettingsError):
                save_settings("community", bad)


def test_comments_can_be_switched_off(app, shop):
    client, _ = member(app, shop)
    with app.app_context():
        save_settings("community", {"comments_enabled": "false"})
    assert "Comments are closed" in text(client.get("/community/open-day"))
    refused = post_form(client, "/community/open-day", "/community/open-day/comments",
                        {"body": "hello"})
    assert refused.status_code == 403 and comments_of(app) == []


def test_every_community_form_needs_a_csrf_token(app, shop):
    client, _ = member(app, shop)
    comment(app, client, "open-day", "Mine")
    staff = staff_client(app, shop)
    posts = [r for r in app.url_map.iter_rules()
             if "POST" in r.methods and r.rule.startswith("/community/")]
    assert len(posts) >= 5
    for rule in posts:
        values = {arg: "open-day" if arg == "slug" else 1 if arg.endswith("id") else "hide"
                  for arg in rule.arguments}
        url = rule.build(values)[1]
        for who in (client, staff):
            response = who.post(url, data={"body": "no token", "reason": "x"})
            assert response.status_code == 400, (rule.rule, response.status_code)
    assert [c.body for c in comments_of(app)] == ["Mine"]
    assert comments_of(app)[0].status == "visible"
