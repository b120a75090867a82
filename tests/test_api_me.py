"""GET /api/me: who is signed in, read by the static site's pages from another origin."""

from __future__ import annotations

import pytest

SITE = "https://www.example.com"


@pytest.fixture
def app(make_app):
    return make_app(LOAD_ENTRY_POINT_PLUGINS=True, STATIC_SITE_URL=SITE + "/",
                    PLUGINS_ENABLED_BY_DEFAULT=["points", "tiers"])


def test_a_guest_is_not_signed_in(client):
    response = client.get("/api/me")
    assert response.status_code == 200
    assert response.get_json() == {"signed_in": False, "name": None, "tier": None,
                                   "points": None}
    assert "no-store" in response.headers["Cache-Control"]


def test_a_member_sees_name_tier_and_points(app, client, shop):
    user_id = shop.create_user("mia@example.com", name="Mia Member")
    with app.app_context():
        from hooks import call
        from storefront.extensions import db

        call("points_grant", user_id=user_id, points=250, reason="welcome", key="test:welcome",
             actor="test")
        db.session.commit()
    shop.login(client, "mia@example.com", "correct horse battery")

    me = client.get("/api/me").get_json()
    assert me == {"signed_in": True, "name": "Mia Member", "tier": "Member", "points": 250}


def test_without_the_points_plugin_there_are_no_points(make_app, shop):
    app = make_app(LOAD_ENTRY_POINT_PLUGINS=True)
    client = app.test_client()
    shop.create_user("ana@example.com", name="Ana")
    shop.login(client, "ana@example.com", "correct horse battery")
    assert client.get("/api/me").get_json() == {"signed_in": True, "name": "Ana",
                                               "tier": None, "points": None}


def test_cors_allows_exactly_the_static_site_with_credentials(client):
    response = client.get("/api/me", headers={"Origin": SITE})
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "Origin" in response.headers["Vary"]


@pytest.mark.parametrize("origin", ["https://evil.example", "http://www.example.com",
                                    "https://www.example.com.evil.example", "null"])
def test_no_cors_for_any_other_origin(client, origin):
    response = client.get("/api/me", headers={"Origin": origin})
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "Origin" in response.headers["Vary"]


def test_no_cors_when_no_static_site_is_configured(make_app):
    client = make_app().test_client()
    response = client.get("/api/me", headers={"Origin": SITE})
    assert "Access-Control-Allow-Origin" not in response.headers
