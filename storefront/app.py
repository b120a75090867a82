"""The Flask application factory."""

from __future__ import annotations

from flask import Flask


def create_app(test_config: dict | None = None, instance_path: str | None = None) -> Flask:
    from storefront import config, plugins
    from storefront.extensions import csrf, db, login_manager
    from storefront.plugins import contract
    from storefront.web import language, proxy, templates, throttle

    app = Flask("storefront", instance_path=instance_path, instance_relative_config=True,
                static_folder=None, template_folder=None)
    config.load(app, test_config)
    throttle.init_app(app)
    proxy.init_app(app)

    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    plugins.init_app(app)
    contract.init_app(app)
    templates.init_app(app)
    language.init_app(app)

    from storefront import database, worker

    database.init_app(app)
    worker.init_app(app)

    from storefront.accounts.views import bp as accounts_bp
    from storefront.accounts.views import init_login
    from storefront.admin.plugin_views import bp as plugin_admin_bp
    from storefront.admin.views import bp as admin_bp
    from storefront.api.views import bp as api_bp
    from storefront.cart.views import bp as cart_bp
    from storefront.catalog.views import bp as catalog_bp
    from storefront.notifications.views import bp as notifications_bp
    from storefront.orders.views import bp as orders_bp
    from storefront.payments.views import bp as payments_bp
    from storefront.web.errors import init_errors

    init_login(app)
    for blueprint in (catalog_bp, cart_bp, orders_bp, payments_bp, accounts_bp, admin_bp,
                      plugin_admin_bp, notifications_bp, api_bp):
        app.register_blueprint(blueprint)
    plugins.check_public_prefixes(app)
    init_errors(app)

    from storefront.cart import count as cart_count
    from storefront.web import guest_pages, headers, static_site

    static_site.init_app(app)
    guest_pages.init_app(app)
    headers.init_app(app)
    cart_count.init_app(app)
    return app


def after_fork(app: Flask) -> None:
    """In a process forked from the one that created ``app`` (gunicorn's workers): the
    database connections opened before the fork stay the parent's, and the plugin timings
    are counted as this process's own."""
    from storefront.extensions import db
    from storefront.plugins import STOPWATCH

    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)  # the child opens its own connections
    app.extensions[STOPWATCH].restart()
