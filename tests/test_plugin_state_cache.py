"""Plugin states are kept in memory per worker process; a change anywhere is seen at once."""

from decimal import Decimal

from storefront.plugins.state import enabled_names, is_enabled, save_settings, set_enabled
from tests.support import sample_plugins as sp


def two_workers(make_app):
    """Two apps on one database: what two gunicorn workers are."""
    return (make_app(EXTRA_PLUGINS=[sp.Discounter()]),
            make_app(EXTRA_PLUGINS=[sp.Discounter()]))


def test_disabling_in_one_worker_takes_effect_at_once_in_the_other(make_app):
    owner, other = two_workers(make_app)
    visitor = other.test_client()
    assert visitor.get("/plugins/discounter/hello").status_code == 200  # cached as enabled
    with other.test_request_context():
        assert is_enabled("discounter")
    with owner.test_request_context():
        set_enabled("discounter", False, actor="test")
    assert visitor.get("/plugins/discounter/hello").status_code == 404
    assert "/plugins/discounter/static/sample.css" not in visitor.get("/").get_data(True)
    with other.test_request_context():
        assert not is_enabled("discounter")
    with owner.test_request_context():
        set_enabled("discounter", True, actor="test")
    assert visitor.get("/plugins/discounter/hello").status_code == 200


def test_settings_saved_in_one_worker_are_read_at_once_in_the_other(make_app):
    from hooks import plugin_settings

    owner, other = two_workers(make_app)
    with other.test_request_context():
        assert plugin_settings("discounter")["percent"] == Decimal(10)
    with owner.test_request_context():
        save_settings("discounter", {"percent": "15"}, actor="test")
    with other.test_request_context():
        settings = plugin_settings("discounter")
        assert settings["percent"] == Decimal(15)
        settings["percent"] = Decimal(99)  # a plugin changing its copy changes nothing
    with other.test_request_context():
        assert plugin_settings("discounter")["percent"] == Decimal(15)


def test_a_request_reads_the_state_once(make_app):
    owner, app = two_workers(make_app)
    with app.test_request_context():
        first = enabled_names()
        with owner.test_request_context():  # a change while the request runs is not half-seen
            set_enabled("discounter", False, actor="test")
        assert enabled_names() is first
    with app.test_request_context():
        assert "discounter" not in enabled_names()


def test_a_shop_without_plugins_reads_no_state(make_app):
    from sqlalchemy import event

    from storefront.extensions import db

    app = make_app()
    statements: list[str] = []
    with app.app_context():
        engine = db.engine
    app.test_client().get("/pages/about")  # pool and caches warm

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert app.test_client().get("/pages/about").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert not any("plugin_state" in s for s in statements), statements
