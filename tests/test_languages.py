"""Spanish and English (issue 18): the language of a page comes from the member's saved choice,
else a guest's choice, else Accept-Language, else DEFAULT_LANGUAGE; the switcher sets it; amounts
are written as the language writes them; the catalogs are complete."""

from __future__ import annotations

import pytest

from storefront import create_app
from storefront.config import ConfigError
from storefront.i18n.catalogs import all_languages, built_in_sources, check
from tests.conftest import TEST_SECRET
from tests.support.forms import post_form

PRODUCT = "/products/hand-grinder"


SITE = "http://localhost"  # where the test client's requests go


def switch(client, page: str, language: str, **fields: str):
    """Press a language's button in the footer of ``page``, as a browser posts it (with the
    page's Origin)."""
    return post_form(client, page, "/language", {"language": language, **fields},
                     headers={"Origin": SITE})


def language_of(page) -> str:
    html = page.get_data(as_text=True)
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_a_browser_asking_for_spanish_gets_spanish_pages_and_amounts(client):
    page = client.get(PRODUCT, headers={"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"})
    html = page.get_data(as_text=True)
    assert language_of(page) == "es"
    assert "69,00\xa0€" in html and "Idioma" in html
    english = client.get(PRODUCT, headers={"Accept-Language": "en-GB"})
    assert language_of(english) == "en" and "€69.00" in english.get_data(as_text=True)


def test_a_language_nobody_offers_falls_back_to_the_shops_default(make_app):
    assert language_of(make_app().test_client().get(
        PRODUCT, headers={"Accept-Language": "fr"})) == "en"
    spanish_shop = make_app(DEFAULT_LANGUAGE="es").test_client()
    assert language_of(spanish_shop.get(PRODUCT)) == "es"
    assert language_of(spanish_shop.get(PRODUCT, headers={"Accept-Language": "fr"})) == "es"


def test_a_guest_switches_language_and_comes_back_to_the_same_page(client):
    answer = switch(client, f"{PRODUCT}?from=mail", "es")
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"{PRODUCT}?from=mail"
    assert "language=es" in answer.headers["Set-Cookie"]
    # The choice wins over what the browser asks for, on every page.
    assert language_of(client.get(PRODUCT, headers={"Accept-Language": "en"})) == "es"
    assert language_of(client.get("/cart", headers={"Accept-Language": "en"})) == "es"
    switch(client, PRODUCT, "en")
    assert language_of(client.get(PRODUCT, headers={"Accept-Language": "es"})) == "en"


def test_guest_pages_are_kept_per_language(client, app):
    """The guest page cache holds a product page per language: a Spanish visitor never gets
    the English copy, nor the other way round."""
    assert app.extensions.get("storefront.guest_pages") is not None
    for _ in range(2):
        assert "€69.00" in client.get(PRODUCT).get_data(as_text=True)
        spanish = client.get(PRODUCT, headers={"Accept-Language": "es"}).get_data(as_text=True)
        assert "69,00\xa0€" in spanish and "€69.00" not in spanish


def test_a_members_choice_is_saved_on_the_account(app, shop):
    shop.create_user("lucia@example.com")
    phone, laptop = app.test_client(), app.test_client()
    shop.login(phone, "lucia@example.com", "correct horse battery")
    switch(phone, "/account", "es")
    # Another device, whose browser asks for English: the account's choice wins.
    shop.login(laptop, "lucia@example.com", "correct horse battery")
    assert language_of(laptop.get("/account", headers={"Accept-Language": "en"})) == "es"


@pytest.mark.parametrize("language", ["fr", "", "es<script>"])
def test_an_unknown_language_is_refused(client, language):
    assert switch(client, PRODUCT, language).status_code == 400


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil"])
def test_the_switcher_never_sends_anyone_to_another_site(client, target):
    answer = switch(client, PRODUCT, "es", next=target)
    assert answer.status_code == 303 and answer.headers["Location"] == "/"


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Origin": "null"},  # a sandboxed page
    {"Referer": "https://evil.example/localhost/"},
    {"Origin": "http://localhost.evil.example"},
    {},  # neither: refused too
])
def test_another_site_cannot_switch_a_visitors_language(client, headers):
    """The form carries no CSRF token (a guest's cached page needs no session); the switch
    is refused unless it comes from a page of the shop."""
    answer = client.post("/language", data={"language": "es"}, headers=headers)
    assert answer.status_code == 400 and "Set-Cookie" not in answer.headers


def test_a_page_of_the_shop_may_switch_by_its_referer_alone(client):
    answer = client.post("/language", data={"language": "es"},
                         headers={"Referer": f"{SITE}{PRODUCT}"})
    assert answer.status_code == 303 and "language=es" in answer.headers["Set-Cookie"]


def test_a_guest_page_with_the_switcher_starts_no_session(client):
    """The switcher adds no token to the page: a new visitor to a page without a form of its
    own gets no session cookie, as before there was a switcher."""
    page = client.get("/pages/about")
    assert "language-switch" in page.get_data(as_text=True)
    assert "Set-Cookie" not in page.headers


@pytest.mark.parametrize(("settings", "message"), [
    ({"LANGUAGES": ["en", "fr"]}, "LANGUAGES ['en', 'fr'] must list codes out of: en, es"),
    ({"DEFAULT_LANGUAGE": "de"}, "DEFAULT_LANGUAGE 'de' must be one of LANGUAGES"),
])
def test_a_language_setting_the_shop_cannot_serve_stops_it_starting(tmp_path, settings, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        create_app({"SECRET_KEY": TEST_SECRET, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                    **settings}, instance_path=str(tmp_path))


def test_an_english_only_shop_shows_no_switcher(make_app):
    page = make_app(LANGUAGES="en").test_client().get(
        PRODUCT, headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "language-switch" not in page and '<html lang="en"' in page


@pytest.mark.parametrize("source", built_in_sources(), ids=lambda source: source.name)
def test_every_text_of_the_shop_and_its_plugins_is_translated(source):
    """The check CI runs: a text without a Spanish translation, a translation nobody uses
    any more, or a compiled catalog older than its .po fails the build."""
    assert check(source, all_languages()) == []


def test_a_page_is_shown_in_the_readers_language_where_the_owner_wrote_one(make_app, tmp_path):
    """content/pages/about.es.md is about.md in Spanish; a language without its own file
    gets the main one."""
    import shutil

    from tests.conftest import ROOT

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "pages" / "shipping.es.md").unlink()
    client = make_app(CONTENT_DIR=str(content)).test_client()
    spanish = client.get("/pages/about", headers={"Accept-Language": "es"})
    assert "Quiénes somos" in spanish.get_data(as_text=True)
    assert "About us" in client.get("/pages/about").get_data(as_text=True)
    fallback = client.get("/pages/shipping", headers={"Accept-Language": "es"})
    assert "Shipping and returns" in fallback.get_data(as_text=True)
    assert '<html lang="es"' in fallback.get_data(as_text=True)


def test_a_translation_of_a_page_that_does_not_exist_is_reported(make_app, tmp_path):
    from storefront.cli import main

    content = tmp_path / "content"
    (content / "pages").mkdir(parents=True)
    (content / "pages" / "faq.es.md").write_text("---\ntitle: Preguntas\n---\nHola.\n")
    app = make_app(CONTENT_DIR=str(content))
    result = app.test_cli_runner().invoke(main, ["content", "check", "--dir", str(content)])
    assert result.exit_code == 1
    assert ("pages/faq.es.md: file: translates faq.md, which does not exist (or is not "
            "valid)") in result.output


def test_a_new_member_keeps_the_language_they_registered_in(app, shop):
    from sqlalchemy import select

    from storefront.accounts.models import User
    from storefront.extensions import db

    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es-ES,es;q=0.9"
    post_form(browser, "/register", "/register", {
        "name": "Pilar", "email": "pilar@example.com", "password": "correct horse battery",
        "confirm": "correct horse battery"})
    browser.get(shop.link("pilar@example.com", "/register/finish/"))
    with app.app_context():
        assert db.session.scalar(select(User.language).where(
            User.email == "pilar@example.com")) == "es"
    # Later mail (here a password reset asked from an English browser) is in Spanish.
    post_form(app.test_client(), "/password/forgot", "/password/forgot",
              {"email": "pilar@example.com"}, headers={"Accept-Language": "en"})
    assert "Subject: Restablece tu contraseña" in shop.mails()[-1]


def test_a_forms_own_messages_are_in_the_readers_language(client):
    for language, message in (("es", "Este campo es obligatorio."),
                              ("en", "This field is required."),
                              ("es", "Este campo es obligatorio.")):
        answer = post_form(client, "/login", "/login", {"email": "", "password": ""},
                           headers={"Accept-Language": language})
        assert message in answer.get_data(as_text=True)
