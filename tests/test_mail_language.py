"""Mail is written in its recipient's language: a member's in the language saved on their
account (whoever asks for the mail, in whatever language), a bare address's in the language
of the request that asked for it; the subject as well as the body."""

from tests.support.forms import post_form

SPANISH = {"Accept-Language": "es"}
ENGLISH = {"Accept-Language": "en"}
SKU = "TEA-SEN-100"  # 14.00 + 4.90 shipping


def _member(app, shop, email, name, language):
    """A member who registered and chose ``language`` with the switcher; logged in."""
    client = app.test_client()
    shop.register(client, email=email, name=name)
    post_form(client, "/account", "/language", {"language": language},
              headers={"Origin": "http://localhost"})
    return client


def _last_mail_to(shop, email):
    return [mail for mail in shop.mails() if f"To: {email}" in mail][-1]


def test_the_password_reset_mail_is_in_the_members_language_not_the_browsers(app, shop):
    _member(app, shop, "ana@example.com", "Ana", "es")
    _member(app, shop, "bob@example.com", "Bob", "en")
    # Each asks from a browser in the other language: the account's choice wins.
    for email, headers in (("ana@example.com", ENGLISH), ("bob@example.com", SPANISH)):
        post_form(app.test_client(), "/password/forgot", "/password/forgot",
                  {"email": email}, headers=headers)

    spanish = _last_mail_to(shop, "ana@example.com")
    assert "Subject: Restablece tu contraseña" in spanish
    assert "Hola, Ana:" in spanish
    assert "Alguien (esperamos que tú) ha pedido restablecer la contraseña" in spanish
    assert "Reset your password" not in spanish and "someone (we hope you)" not in spanish

    english = _last_mail_to(shop, "bob@example.com")
    assert "Subject: Reset your password" in english
    assert "Hello Bob," in english
    assert "someone (we hope you) asked to reset the password" in english
    assert "Restablece" not in english and "Alguien" not in english


def test_a_registration_link_is_in_the_language_of_the_request_that_asked_for_it(app, shop):
    for email, headers in (("eva@example.com", SPANISH), ("tom@example.com", ENGLISH)):
        post_form(app.test_client(), "/register", "/register", {
            "name": email[:3].title(), "email": email, "password": "correct horse battery",
            "confirm": "correct horse battery"}, headers=headers)

    spanish = _last_mail_to(shop, "eva@example.com")
    assert ("Subject: Confirma tu dirección de correo electrónico para terminar de crear tu "
            "cuenta") in spanish
    assert "Hola, Eva:" in spanish
    assert "Abre este enlace para terminar de crear tu cuenta" in spanish

    english = _last_mail_to(shop, "tom@example.com")
    assert "Subject: Confirm your email address to finish registering" in english
    assert "Hello Tom," in english and "please open this link to finish creating" in english


def test_someone_registering_with_a_members_address_is_told_in_the_members_language(app, shop):
    _member(app, shop, "ana@example.com", "Ana", "es")
    post_form(app.test_client(), "/register", "/register", {
        "name": "Mallory", "email": "ana@example.com", "password": "correct horse battery",
        "confirm": "correct horse battery"}, headers=ENGLISH)
    mail = _last_mail_to(shop, "ana@example.com")
    assert "Subject: Alguien ha intentado crear una cuenta con tu dirección" in mail
    assert "Si has olvidado tu contraseña, elige una nueva aquí:" in mail


def test_the_order_mail_the_worker_writes_is_in_the_members_language(app, shop):
    for email, name, language in (("ana@example.com", "Ana", "es"),
                                  ("bob@example.com", "Bob", "en")):
        client = _member(app, shop, email, name, language)
        shop.add(client, SKU)
        assert shop.checkout(client, email=email, name=name).status_code in (302, 303)

    spanish = _last_mail_to(shop, "ana@example.com")
    assert "Hola, Ana:" in spanish and "Gracias por tu pedido SF-" in spanish
    assert "Haz una transferencia de 18,90" in spanish  # the amount as Spanish writes it
    assert "thank you for your order" not in spanish

    english = _last_mail_to(shop, "bob@example.com")
    assert "Subject: We received your order SF-" in english
    assert "Hello Bob," in english and "Please transfer €18.90 with the reference SF-" in english


def test_a_guests_order_mail_is_in_the_language_they_ordered_in(app, shop):
    """The worker writes it (no request, no account): the order keeps its language."""
    guest = app.test_client()
    guest.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    shop.add(guest, "EQP-GRD-01")
    assert shop.checkout(guest, email="invitada@example.com").status_code == 303
    mail = next(m for m in reversed(shop.mails()) if "to: invitada@example.com" in m.lower())
    assert "Subject: Hemos recibido tu pedido SF-" in mail
    assert "69,00\xa0€" in mail or "73,90\xa0€" in mail
    assert "Please pay" not in mail
