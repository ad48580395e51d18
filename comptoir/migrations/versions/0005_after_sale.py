"""after-sale defects: the decline code of a failed card payment

Revision ID: 0005_after_sale
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_after_sale"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "payments",
        sa.Column("failure_code", sa.String(length=60), nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_column("payments", "failure_code")
