"""The shopper's phone number on a part to deliver (shown to the shop).

Revision ID: 0006_handover
Revises: 0005_after_sale
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_handover"
down_revision = "0005_after_sale"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "vendor_orders",
        sa.Column("contact_phone", sa.String(length=20), nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_column("vendor_orders", "contact_phone")
