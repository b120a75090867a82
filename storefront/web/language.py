"""The language of a request, and the switcher that changes it.

The language of a request is, in order: the one the static build is writing; the signed-in
customer's choice (saved on their account); a guest's choice (the ``language`` cookie, set by
the switcher); the best match of the browser's Accept-Language; the shop's DEFAULT_LANGUAGE.
Texts and formats in that language come from storefront.i18n.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    has_request_context,
    redirect,
    request,
)
from flask_login import current_user

from storefront import i18n
from storefront.extensions import csrf, db
from storefront.web.static_site import build_language
from storefront.web.templates import plugin_dirs
from storefront.web.urls import from_this_site, safe_next

COOKIE = "language"
COOKIE_MAX_AGE = 365 * 24 * 3600

bp = Blueprint("language", __name__)


def select_language() -> str | None:
    """The language of this request (see the module's doc); None means the default."""
    if not has_request_context():
        return None
    languages = current_app.config["LANGUAGES"]
    building = build_language()
    if building:
        return building
    if current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    chosen = request.cookies.get(COOKIE)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages)


@bp.post("/language")
@csrf.exempt  # checked by from_this_site: no token, so a page stays the same for every guest
def choose():
    """The switcher: remembers the language in a cookie and, for a signed-in customer, on
    the account; then back to the page it was sent from. Another site cannot make a visitor
    post it: the Origin check refuses it, and the session cookie (SameSite=Lax) is not sent
    with another site's POST anyway."""
    if not from_this_site():
        abort(400)
    language = request.form.get("language", "")
    if language not in current_app.config["LANGUAGES"]:
        abort(400)
    if current_user.is_authenticated and current_user.language != language:
        current_user.language = language
        db.session.commit()
    response = redirect(safe_next(request.form.get("next"), "/"), code=303)
    response.set_cookie(COOKIE, language, max_age=COOKIE_MAX_AGE, samesite="Lax",
                        httponly=True, secure=request.is_secure)
    return response


def translation_directories(app: Flask) -> list[str]:
    """Each plugin's ``translations`` folder, then the shop's: a later catalog wins a text
    both have, so a plugin cannot change the shop's own wording."""
    return [*plugin_dirs(app, "translations"), str(i18n.CORE_TRANSLATIONS)]


def init_app(app: Flask) -> None:
    i18n.init_app(app, select_language, translation_directories(app))
    app.register_blueprint(bp)
