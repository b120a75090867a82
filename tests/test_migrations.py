"""The migrations make exactly the schema the models describe, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from storefront.extensions import db


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
