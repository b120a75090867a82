from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import Forbidden


def init_errors(app: Flask) -> None:
    def page(code: int, title: str, message: str):
        return render_template("error.html", code=code, title=title, message=message), code

    @app.errorhandler(CSRFError)
    def csrf_error(err):
        return page(400, "Form expired", "The form was too old or incomplete. Please go back, "
                    "reload the page and try again.")

    @app.errorhandler(400)
    def bad_request(err):
        return page(400, "Bad request", getattr(err, "description", "") or "Bad request.")

    @app.errorhandler(403)
    def forbidden(err):
        # abort(403, "why") says why; a bare abort(403) gets the general sentence.
        said = getattr(err, "description", "")
        return page(403, "Not allowed", said if said and said != Forbidden.description
                    else "You do not have access to this page.")

    @app.errorhandler(404)
    def not_found(err):
        return page(404, "Not found", "We could not find that page.")

    @app.errorhandler(429)
    def too_many(err):
        return page(429, "Slow down", getattr(err, "description", "") or "Too many attempts.")
