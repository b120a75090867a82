"""Security headers on every response."""

from __future__ import annotations

from flask import Flask

# No inline script anywhere: the only scripts are the shop's own files and Stripe.js.
DEFAULT_CSP = (
    "default-src 'self'; script-src 'self' https://js.stripe.com; "
    "frame-src https://js.stripe.com https://hooks.stripe.com; "
    "connect-src 'self' https://api.stripe.com; img-src 'self' data:; "
    "style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    policy = app.config.get("CONTENT_SECURITY_POLICY") or DEFAULT_CSP
    defaults = (("Content-Security-Policy", policy), ("X-Content-Type-Options", "nosniff"),
                ("Referrer-Policy", "same-origin"), ("X-Frame-Options", "DENY"))

    @app.after_request
    def security_headers(response):
        for name, value in defaults:
            response.headers.setdefault(name, value)
        return response
