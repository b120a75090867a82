"""domain events and their deliveries replace the failed-reaction table

Revision ID: 0010
Revises: 0009

Each reaction still waiting in ``failed_reaction`` becomes an event addressed to that one
plugin, due at once, with its attempts and last error kept; the worker delivers it like any
other. Reactions that were done or dismissed are history and are not carried over.
"""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# hook -> (event type, aggregate type, the argument naming the aggregate)
REACTIONS = {
    "shop_order_placed": ("order.placed", "order", "order_id"),
    "shop_order_paid": ("order.paid", "order", "order_id"),
    "shop_order_refunded": ("order.refunded", "order", "order_id"),
    "shop_order_cancelled": ("order.cancelled", "order", "order_id"),
    "shop_order_disputed": ("order.disputed", "order", "order_id"),
    "shop_customer_registered": ("customer.registered", "customer", "user_id"),
    "shop_customer_verified": ("customer.verified", "customer", "user_id"),
}


def upgrade() -> None:
    events = op.create_table(
        "domain_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("aggregate_type", sa.String(length=32), nullable=False),
        sa.Column("aggregate_id", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_domain_event")),
        sa.UniqueConstraint("uid", name=op.f("uq_domain_event_uid")),
    )
    op.create_index(op.f("ix_domain_event_type"), "domain_event", ["type"])
    op.create_index("ix_domain_event_aggregate", "domain_event",
                    ["aggregate_type", "aggregate_id"])
    deliveries = op.create_table(
        "event_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("consumer", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["domain_event.id"], ondelete="CASCADE",
                                name=op.f("fk_event_delivery_event_id_domain_event")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_delivery")),
        sa.UniqueConstraint("event_id", "consumer", name="uq_event_delivery_event_consumer"),
    )
    op.create_index("ix_event_delivery_due", "event_delivery", ["status", "next_attempt_at"])
    _carry_over(events, deliveries)
    with op.batch_alter_table("failed_reaction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_failed_reaction_status"))
        batch_op.drop_index(batch_op.f("ix_failed_reaction_plugin"))
    op.drop_table("failed_reaction")


def _carry_over(events: sa.Table, deliveries: sa.Table) -> None:
    bind = op.get_bind()
    failed = sa.table("failed_reaction", sa.column("plugin"), sa.column("hook"),
                      sa.column("arguments", sa.JSON), sa.column("attempts"),
                      sa.column("last_error"), sa.column("status"),
                      sa.column("created_at", sa.DateTime))
    now = datetime.now(UTC).replace(tzinfo=None)
    for row in bind.execute(sa.select(failed).where(failed.c.status == "pending")):
        if row.hook not in REACTIONS:
            continue
        event_type, aggregate_type, key = REACTIONS[row.hook]
        arguments = dict(row.arguments or {})
        event_id = bind.execute(events.insert().values(
            uid=str(uuid.uuid4()), type=event_type, version=1, aggregate_type=aggregate_type,
            aggregate_id=str(arguments.get(key, "")), payload=arguments, source="shop",
            occurred_at=row.created_at or now)).inserted_primary_key[0]
        bind.execute(deliveries.insert().values(
            event_id=event_id, consumer=row.plugin, status="failed", attempts=row.attempts,
            last_error=row.last_error or "", next_attempt_at=now))


def downgrade() -> None:
    op.create_table(
        "failed_reaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plugin", sa.String(length=64), nullable=False),
        sa.Column("hook", sa.String(length=64), nullable=False),
        sa.Column("arguments", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_failed_reaction")),
    )
    with op.batch_alter_table("failed_reaction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_failed_reaction_plugin"), ["plugin"], unique=False)
        batch_op.create_index(batch_op.f("ix_failed_reaction_status"), ["status"], unique=False)
    op.drop_index("ix_event_delivery_due", table_name="event_delivery")
    op.drop_table("event_delivery")
    op.drop_index("ix_domain_event_aggregate", table_name="domain_event")
    op.drop_index(op.f("ix_domain_event_type"), table_name="domain_event")
    op.drop_table("domain_event")
