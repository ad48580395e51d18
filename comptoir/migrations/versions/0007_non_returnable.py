"""Products a shop does not take back (perishables), and that choice kept on order lines.

Revision ID: 0007_non_returnable
Revises: 0006_handover
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_non_returnable"
down_revision = "0006_handover"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("products", "order_lines"):
        op.add_column(
            table,
            sa.Column("returnable", sa.Boolean(), nullable=False, server_default=sa.true()),
        )


def downgrade() -> None:
    for table in ("order_lines", "products"):
        op.drop_column(table, "returnable")
