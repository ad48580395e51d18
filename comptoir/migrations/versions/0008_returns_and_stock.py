"""Products a shop does not take back (perishables), kept on order lines; returned goods
put back in stock once per return.

Revision ID: 0008_returns_and_stock
Revises: 0007_pay_credit_note_per_part
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008_returns_and_stock"
down_revision = "0007_pay_credit_note_per_part"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("products", "order_lines"):
        op.add_column(
            table,
            sa.Column("returnable", sa.Boolean(), nullable=False, server_default=sa.true()),
        )
    op.add_column(
        "return_requests", sa.Column("restocked_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "return_requests",
        sa.Column(
            "restocked_lines",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=False,
            server_default=sa.text("'{}'::jsonb"),
        ),
    )


def downgrade() -> None:
    op.drop_column("return_requests", "restocked_lines")
    op.drop_column("return_requests", "restocked_at")
    for table in ("order_lines", "products"):
        op.drop_column(table, "returnable")
