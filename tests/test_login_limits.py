"""Log-in limits attacked over real HTTP, against a running server with the default
connection pool: simultaneous guesses, password spraying, the owner of an attacked account,
and two app processes sharing one Redis."""

from __future__ import annotations

from collections import Counter

import pytest

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
