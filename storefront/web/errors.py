from flask import Flask, current_app, redirect, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, Forbidden, HTTPException, TooManyRequests
from werkzeug.routing import RoutingException


def _described(err, general: str) -> str:
    """What ``abort(code, "why")`` said, else ``general``; Werkzeug's own English sentence
    for a bare abort is shown in the page's language."""
    said = getattr(err, "description", "")
    if not said:
        return general
    werkzeug = {
        BadRequest.description: _("The browser (or proxy) sent a request that this server "
                                  "could not understand."),
        TooManyRequests.description: _("This user has exceeded an allotted request count. "
                                       "Try again later."),
    }
    return werkzeug.get(said, said)


def _without_stray_slash() -> str | None:
    """Where a URL that matched no page because of a trailing slash belongs: the same path
    without it, when that is a page (Werkzeug redirects only the other way, to add one)."""
    path = request.path
    if (request.url_rule is not None or len(path) < 2 or not path.endswith("/")
            or path.startswith("//")):  # "//host/" stripped would leave the shop
        return None
    bare = path.rstrip("/")
    try:
        current_app.url_map.bind_to_environ(request.environ).match(bare, method=request.method)
    except (HTTPException, RoutingException):
        return None
    query = request.query_string.decode("latin-1")
    return request.script_root + bare + (f"?{query}" if query else "")


def init_errors(app: Flask) -> None:
    def page(code: int, title: str, message: str):
        return render_template("error.html", code=code, title=title, message=message), code

    @app.errorhandler(CSRFError)
    def csrf_error(err):
        return page(400, _("Form expired"), _("The form was too old or incomplete. Please go "
                                              "back, reload the page and try again."))

    @app.errorhandler(400)
    def bad_request(err):
        return page(400, _("Bad request"), _described(err, _("Bad request.")))

    @app.errorhandler(403)
    def forbidden(err):
        # abort(403, "why") says why; a bare abort(403) gets the general sentence.
        said = getattr(err, "description", "")
        return page(403, _("Not allowed"), said if said and said != Forbidden.description
                    else _("You do not have access to this page."))

    @app.errorhandler(404)
    def not_found(err):
        if target := _without_stray_slash():
            return redirect(target, 308)  # 308: a form posted there is posted again
        return page(404, _("Not found"), _("We could not find that page."))

    @app.errorhandler(429)
    def too_many(err):
        return page(429, _("Slow down"), _described(err, _("Too many attempts.")))
