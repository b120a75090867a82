"""The migrations make exactly the schema the models describe, on SQLite and PostgreSQL,
and carry a shop's data over."""

import logging

import yaml
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, select, text

from hooks import hookimpl, plugin_settings
from storefront.cli import main
from storefront.database import migrate
from storefront.extensions import db
from storefront.orders.models import Order
from storefront.plugins.models import PluginState
from tests.support.forms import post_form


def _shipped_tables() -> set[str]:
    """Tables of the shop's and the built-in plugins' models (not of test plugins)."""
    return {mapper.local_table.name for mapper in db.Model.registry.mappers
            if mapper.class_.__module__.startswith(("storefront.", "loyalty_plugins."))}


def test_migrated_schema_equals_the_models(make_app):
    app = make_app(LOAD_ENTRY_POINT_PLUGINS=True)  # the test database ran every migration
    shipped = _shipped_tables()

    def ours(obj, name, type_, reflected, compare_to) -> bool:
        table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", "")
        return table in shipped or type_ not in ("table", "column", "index",
                                                 "unique_constraint", "foreign_key_constraint")

    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "include_object": ours})
        differences = compare_metadata(context, db.metadata)
    assert "dispute" in shipped and "points_lot" in shipped
    assert differences == []


OLD_LADDER = """\
- {code: member, name: Member, threshold: "0"}
- {code: silver, name: Silver, threshold: 300, discount_percent: 5, points_multiplier: 1.25}
- {code: gold, name: Gold, threshold: "1000.00", discount_percent: 10,
   points_multiplier: 1.5, flags: [early_access]}
"""
UNREADABLE_TYPES = "- {code: member, name: Member card, grant: on_joining\n"


def _plugin_settings(app) -> dict[str, dict]:
    with app.app_context(), db.engine.connect() as connection:
        return dict(connection.execute(select(PluginState.name, PluginState.settings)).all())


def _to_revision(app, revision: str) -> None:
    with app.app_context(), db.engine.begin() as connection:
        command.downgrade(migrate.alembic_config(app, connection), revision)


def test_yaml_ladder_and_card_types_become_tables_and_unreadable_text_is_kept(make_app, shop,
                                                                              caplog):
    app = make_app(LOAD_ENTRY_POINT_PLUGINS=True)
    _to_revision(app, "0008")  # a shop from before table settings
    with app.app_context():
        db.session.execute(insert(PluginState), [
            {"name": "tiers", "enabled": True, "updated_by": "",
             "settings": {"tiers": OLD_LADDER, "grace_days": 20}},
            {"name": "cards", "enabled": True, "updated_by": "",
             "settings": {"types": UNREADABLE_TYPES, "stacking": "combinable"}}])
        db.session.commit()

    with caplog.at_level(logging.WARNING, logger="storefront.migrations"):
        migrate.upgrade(app)
    assert "cards.types: the old YAML text could not be read" in caplog.text

    tiers, cards = _plugin_settings(app)["tiers"], _plugin_settings(app)["cards"]
    assert "tiers" not in tiers and tiers["grace_days"] == 20
    assert tiers["ladder"] == [
        {"code": "member", "name": "Member", "threshold": 0},
        {"code": "silver", "name": "Silver", "threshold": 30000, "discount_percent": "5",
         "points_multiplier": "1.25"},
        {"code": "gold", "name": "Gold", "threshold": 100000, "discount_percent": "10",
         "points_multiplier": "1.5", "flags": ["early_access"]}]
    assert "types" not in cards and cards["stacking"] == "combinable"
    assert cards["set-aside"]["types"]["text"] == UNREADABLE_TYPES
    assert "not valid YAML" in cards["set-aside"]["types"]["problem"]

    out = app.test_cli_runner().invoke(main, ["plugins", "settings", "tiers"]).output
    assert "3 gold Gold 1000.00 10 1.5 early_access" in " ".join(out.split())
    out = app.test_cli_runner().invoke(main, ["plugins", "settings", "cards"]).output
    assert "types: an upgrade could not read the old text of this setting" in out
    with app.test_request_context():
        assert [row["code"] for row in plugin_settings("cards")["types"]] == \
            ["member", "preferential"]  # the default types meanwhile

    shop.create_user("boss@example.com", role="owner")
    owner = app.test_client()
    shop.login(owner, "boss@example.com", "correct horse battery")
    page = owner.get("/admin/plugins/cards").get_data(as_text=True)
    assert "Kept aside by an upgrade" in page and "grant: on_joining" in page
    post_form(owner, "/admin/plugins/cards", "/admin/plugins/cards/settings",
              {"stacking": "best_of"})
    assert "set-aside" in _plugin_settings(app)["cards"]  # saving keeps it
    post_form(owner, "/admin/plugins/cards", "/admin/plugins/cards/set-aside/discard", {})
    assert "set-aside" not in _plugin_settings(app)["cards"]
    assert "Kept aside" not in owner.get("/admin/plugins/cards").get_data(as_text=True)


def test_the_table_settings_migration_goes_back_to_yaml(make_app):
    app = make_app(LOAD_ENTRY_POINT_PLUGINS=True)
    with app.app_context():
        db.session.add(PluginState(name="tiers", enabled=True, settings={"ladder": [
            {"code": "member", "name": "Member", "threshold": 0},
            {"code": "gold", "name": "Gold", "threshold": 12345, "flags": ["early_access"]}]}))
        db.session.add(PluginState(name="cards", enabled=True, settings={
            "set-aside": {"types": {"text": UNREADABLE_TYPES, "problem": "not valid YAML"}}}))
        db.session.commit()
    _to_revision(app, "0008")
    tiers, cards = _plugin_settings(app)["tiers"], _plugin_settings(app)["cards"]
    assert yaml.safe_load(tiers["tiers"]) == [
        {"code": "member", "name": "Member", "threshold": "0.00"},
        {"code": "gold", "name": "Gold", "threshold": "123.45", "flags": ["early_access"]}]
    assert cards == {"types": UNREADABLE_TYPES}
    migrate.upgrade(app)
    assert _plugin_settings(app)["tiers"]["ladder"][1]["threshold"] == 12345


def test_orders_placed_before_the_customer_key_get_it_from_their_address(make_app, shop):
    app = make_app(LOAD_ENTRY_POINT_PLUGINS=True)
    shop.app = app
    client = app.test_client()
    shop.add(client, "COF-ETH-250")
    assert shop.checkout(client, email="Mixed.Case@Example.COM").status_code == 303
    _to_revision(app, "0019")  # a shop from before the key
    migrate.upgrade(app)
    with app.app_context():
        assert db.session.scalar(select(Order.customer)) == "mixed.case@example.com"


def test_welcome_rewards_given_before_move_to_the_rewards_plugin_with_their_state(make_app,
                                                                               shop):
    from loyalty_plugins.rewards.models import Reward

    app = make_app(LOAD_ENTRY_POINT_PLUGINS=True)
    shop.app = app
    used = shop.create_user("used@example.com")
    held = shop.create_user("held@example.com")
    _to_revision(app, "welcome_0001")  # a shop whose welcome plugin kept its own rewards
    with app.app_context(), db.engine.begin() as connection:
        for user_id, state, order_id in ((used, "used", 7), (held, "reserved", 8)):
            connection.execute(text(
                "INSERT INTO welcome_member (user_id, outcome, gift, points, reward_percent,"
                " reward_amount, reward_until, reward_status, reward_order_id, note,"
                " created_at) VALUES (:user, 'welcomed', 'reward', 0, 10, NULL,"
                " '2027-01-05 10:00:00', :state, :order, '', '2026-12-06 10:00:00')"),
                {"user": user_id, "state": state, "order": order_id})
    migrate.upgrade(app)
    with app.app_context():
        moved = {row.key: (row.status, row.order_id, row.percent, row.label)
                 for row in db.session.scalars(select(Reward))}
    assert moved == {f"welcome:{used}": ("used", 7, 10, "Welcome gift"),
                     f"welcome:{held}": ("reserved", 8, 10, "Welcome gift")}


class _Late:
    """A plugin whose migration depends on the core's newest revision."""

    name = "late"

    def __init__(self, folder):
        self.folder = folder

    @hookimpl
    def shop_migration_dirs(self):
        return [str(self.folder)]


def _late_plugin(tmp_path, core_head: str) -> _Late:
    folder = tmp_path / "late_migrations"
    folder.mkdir()
    (folder / "l001_thing.py").write_text(f'''"""late plugin: its table

Revision ID: l001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "l001"
down_revision = None
branch_labels = ("late",)
depends_on = "{core_head}"


def upgrade() -> None:
    op.create_table("late_thing", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("late_thing")
''')
    return _Late(folder)


def test_uninstalling_a_plugin_whose_migration_needs_the_newest_core_keeps_the_core_current(
        make_app, tmp_path):
    core_head = migrate.schema_state(make_app()).position().split()[0]
    late = make_app(EXTRA_PLUGINS=[_late_plugin(tmp_path, core_head)])
    assert [str(found) for found in migrate.upgrade(late).applied] == ["late l001"]
    without = make_app()  # the plugin was uninstalled: Alembic no longer knows its mark
    state = migrate.schema_state(without)
    assert state.current and state.position() == core_head
    assert migrate.upgrade(without).applied == ()  # nothing run again, nothing failed
    result = without.test_cli_runner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert f"Already at revision {core_head}; nothing to apply." in result.output
    (tmp_path / "again").mkdir()
    again = make_app(EXTRA_PLUGINS=[_late_plugin(tmp_path / "again", core_head)])
    assert migrate.schema_state(again).current  # back: its table and mark were kept
    assert "late l001" in migrate.schema_state(again).position()
