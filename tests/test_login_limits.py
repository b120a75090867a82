"""Log-in limits attacked over real HTTP, against a running server with the default
connection pool: simultaneous guesses, password spraying, the owner of an attacked account,
and two app processes sharing one Redis."""

from __future__ import annotations

import sys
import time
from collections import Counter

import pytest

from tests.conftest import ON_SQLITE
from tests.support.live_server import Visitor, live_server, run_together

PASSWORD = "correct horse battery"
WRONG = 401  # the password was checked and was wrong
REFUSED = 429  # the password was not checked


def guesses(visitor: Visitor, emails: list[str], password=None) -> Counter:
    """Post one log-in per e-mail, all at once; the answers' status codes, counted."""
    fields = visitor.form("/login", "/login")
    answers = run_together([
        lambda i=i, email=email: visitor.post("/login", {
            **fields, "email": email, "password": password or f"guess number {i:03d}"})
        for i, email in enumerate(emails)])
    return Counter(answer.status for answer in answers)


@ON_SQLITE
@pytest.mark.parametrize("store", ["memory", "redis"])
def test_a_hundred_simultaneous_guesses_check_at_most_five_passwords(make_app, shop, store,
                                                                      request):
    overrides = {}
    if store == "redis":
        overrides["RATELIMIT_STORAGE_URI"] = request.getfixturevalue("redis_url")
    app = make_app(**overrides)
    shop.app = app
    shop.create_user("ana@example.com")
    with live_server(app) as server:
        counted = guesses(Visitor(server), ["ana@example.com"] * 100)
    print(f"\n100 simultaneous guesses ({store}): {dict(counted)}")
    assert set(counted) <= {WRONG, REFUSED}, counted
    assert counted[WRONG] == 5 and counted[REFUSED] == 95


@ON_SQLITE
def test_spraying_one_password_over_thirty_accounts_is_held_by_the_address_limit(make_app,
                                                                                  shop):
    app = make_app()  # LOGIN_LIMIT_PER_CLIENT: 20 per 15 minutes
    shop.app = app
    emails = [f"member{i}@example.com" for i in range(30)]
    for email in emails:
        shop.create_user(email, password="another strong password")
    with live_server(app) as server:
        sprayer = Visitor(server, address="127.0.0.2")
        counted = guesses(sprayer, emails, password="Summer2026!!")
        print(f"\none password over 30 accounts: {dict(counted)}")
        # Each account saw at most one guess (its own limit is 5): the address stopped it.
        assert counted == {WRONG: 20, REFUSED: 10}
        other = Visitor(server, address="127.0.0.3")
        answer = other.post_form("/login", "/login", {
            "email": emails[-1], "password": "another strong password"})
        assert answer.status == 302  # someone else, at another address, still gets in


@ON_SQLITE
def test_the_owner_of_an_attacked_account_waits_at_most_the_back_off_and_can_reset(
        make_app, shop):
    import time

    app = make_app(LOGIN_LIMIT_PER_ACCOUNT="5 per 5 seconds")
    shop.app = app
    shop.create_user("ana@example.com")
    with live_server(app) as server:
        attacker = Visitor(server, address="127.0.0.2")
        assert guesses(attacker, ["ana@example.com"] * 100)[WRONG] == 5
        ana = Visitor(server)
        refused = ana.post_form("/login", "/login", {"email": "ana@example.com",
                                                     "password": PASSWORD})
        wait = int(refused.headers["Retry-After"])
        assert refused.status == REFUSED and 1 <= wait <= 5
        assert (f"Too many attempts to log in. Please try again in {wait} second"
                in refused.text)
        time.sleep(wait)  # the back-off, no longer
        answer = ana.post_form("/login", "/login", {"email": "ana@example.com",
                                                    "password": PASSWORD})
        assert answer.status == 302 and answer.headers["Location"] == "/account"

        # Attacked again (from another address: the first one used up its own limit too):
        # Ana does not wait, she resets her password and is in.
        attacker = Visitor(server, address="127.0.0.5")
        assert guesses(attacker, ["ana@example.com"] * 100)[WRONG] == 5
        ana = Visitor(server)
        assert ana.post_form("/login", "/login", {"email": "ana@example.com",
                                                  "password": PASSWORD}).status == REFUSED
        sent = ana.post_form("/password/forgot", "/password/forgot",
                             {"email": "ana@example.com"})
        assert sent.status == 302
        link = shop.link("ana@example.com", "/password/reset/")
        new = "a brand new password"
        changed = ana.post_form(link, link, {"password": new, "confirm": new})
        assert changed.status == 302 and changed.headers["Location"] == "/account"
        account = ana.get("/account")
        assert account.status == 200
        assert "Your password was changed and you are logged in." in account.text
        # Her new password works at once elsewhere too: the reset cleared the count.
        phone = Visitor(server, address="127.0.0.4")
        assert phone.post_form("/login", "/login", {"email": "ana@example.com",
                                                    "password": new}).status == 302


@ON_SQLITE
@pytest.mark.parametrize("store", ["memory", "redis"])
def test_two_app_processes_share_the_counters_in_redis(make_app, shop, store, request):
    """Two apps (as two gunicorn workers or two hosts) on one database: with Redis they
    share one count; each with its own memory:// count separately, so each allows 5."""
    uri = request.getfixturevalue("redis_url") if store == "redis" else "memory://"
    first, second = make_app(RATELIMIT_STORAGE_URI=uri), make_app(RATELIMIT_STORAGE_URI=uri)
    shop.app = first
    shop.create_user("ana@example.com")
    with live_server(first) as one, live_server(second) as two:
        visitors = [Visitor(one), Visitor(two)]
        forms = [v.form("/login", "/login") for v in visitors]
        answers = run_together([
            lambda i=i: visitors[i % 2].post("/login", {
                **forms[i % 2], "email": "ana@example.com", "password": f"guess {i:03d}"})
            for i in range(100)])
    counted = Counter(answer.status for answer in answers)
    print(f"\n100 guesses over two apps ({store}): {dict(counted)}")
    assert counted[WRONG] == (5 if store == "redis" else 10)
    assert counted[WRONG] + counted[REFUSED] == 100


@ON_SQLITE
def test_when_the_store_is_down_no_password_is_checked(make_app, shop):
    from tests.support.redis import start_server

    try:
        store = start_server()
    except FileNotFoundError as exc:
        pytest.skip(f"needs redis-server: {exc}")
    try:
        app = make_app(RATELIMIT_STORAGE_URI=store.url)
        shop.app = app
        shop.create_user("ana@example.com")
        with live_server(app) as server:
            ana = Visitor(server)
            fields = {"email": "ana@example.com", "password": PASSWORD}
            assert ana.post_form("/login", "/login", fields).status == 302
            store.stop()
            answer = Visitor(server).post_form("/login", "/login", fields)
            assert answer.status == 503
            assert ("This form cannot be used at the moment. Please try again in a few "
                    "minutes.") in answer.text
            assert Visitor(server).get("/").status == 200  # the rest of the shop works
    finally:
        store.stop()


@pytest.mark.parametrize(("setting", "value", "words"), [
    ("LOGIN_LIMIT_PER_ACCOUNT", "five a minute", "is not a limit such as '5 per 15 minutes'"),
    ("MAIL_LIMIT_PER_CLIENT", 10, "is not a limit such as"),
    ("RATELIMIT_STORAGE_URI", "memcached://127.0.0.1:11211", "neither memory:// nor a Redis"),
    ("LOGIN_MAX_FAILURES", 3, "LOGIN_MAX_FAILURES is no longer read"),
    ("PROXY_FIX_X_FOR", -1, "is not a whole number of proxies"),
])
def test_the_app_refuses_to_start_with_a_setting_it_cannot_use(tmp_path, setting, value, words):
    from storefront import create_app
    from storefront.config import ConfigError

    with pytest.raises(ConfigError, match=words) as raised:
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db", setting: value},
                   instance_path=str(tmp_path))
    assert setting in str(raised.value)


def _login_from(client, forwarded_for: str):
    from tests.support.forms import post_form

    return post_form(client, "/login", "/login", {"email": "x@example.com", "password": "x"},
                     headers={"X-Forwarded-For": forwarded_for})


@ON_SQLITE
def test_behind_a_proxy_each_visitor_counts_by_the_forwarded_address(make_app):
    behind = make_app(PROXY_FIX_X_FOR=1, LOGIN_LIMIT_PER_CLIENT="2 per hour")
    client = behind.test_client()
    assert [_login_from(client, "203.0.113.7").status_code for _ in range(3)] == [401, 401, 429]
    assert _login_from(client, "198.51.100.9").status_code == 401  # another visitor
    # Without PROXY_FIX_X_FOR the header is not trusted: a visitor cannot pick an address.
    direct = make_app(LOGIN_LIMIT_PER_CLIENT="2 per hour").test_client()
    assert [_login_from(direct, f"203.0.113.{i}").status_code for i in range(3)] == [
        401, 401, 429]


def test_the_docs_state_the_limits_settings_and_defaults_as_the_code_has_them():
    import re
    from pathlib import Path

    from storefront.config import defaults

    root = Path(__file__).resolve().parent.parent
    operations = (root / "docs" / "operations.md").read_text()
    guide = (root / "docs" / "owner-guide.md").read_text()
    values = defaults("instance")
    table = dict(re.findall(r"^\| [^|]+ \| `(\w+)` \| `([^`]+)` \|$", operations, re.M))
    for name in ("LOGIN_LIMIT_PER_ACCOUNT", "LOGIN_LIMIT_PER_CLIENT", "MAIL_LIMIT_PER_ACCOUNT",
                 "MAIL_LIMIT_PER_CLIENT"):
        assert table[name] == values[name], name
        assert f"`{name}`" in guide
    for name in ("RATELIMIT_STORAGE_URI", "PROXY_FIX_X_FOR"):
        assert f"| `{name}` | `{values[name]}` |" in operations, name
    assert "LOGIN_MAX_FAILURES" not in operations + guide



@ON_SQLITE
def test_simultaneous_log_ins_on_a_threaded_server_never_fail_on_the_counters(make_app,
                                                                               monkeypatch):
    """memory:// on a threaded server (the demo's, gthread workers): 20 rounds of 16
    simultaneous log-ins, each round as the store's expiry timer (10 ms) has just ended.
    limits' memory store starts that timer without a lock; before the shop's threads took
    turns at it, a round now and then started one timer twice: a 500 for that visitor, or
    a timer thread that dies. Every answer must be 401 or 429, and no thread may die."""
    problems: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: problems.append(repr(u.exc_value)))
    answered: Counter = Counter()
    with live_server(make_app()) as server:
        visitor = Visitor(server)
        interval = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)  # threads take turns as often as they can: races show
        try:
            for round_ in range(20):
                answered += guesses(visitor, [f"x{round_}-{i}@example.com" for i in range(16)])
                time.sleep(0.012)
        finally:
            sys.setswitchinterval(interval)
    assert set(answered) <= {WRONG, REFUSED}, answered
    assert problems == []
