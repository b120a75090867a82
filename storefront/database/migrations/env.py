"""Alembic environment: run by `storefront db upgrade` with the app's own connection."""

from alembic import context

from storefront.database.tables import import_all
from storefront.extensions import db

import_all()
config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=db.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
