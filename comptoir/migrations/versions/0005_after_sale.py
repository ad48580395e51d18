"""after-sale defects: the decline code of a failed card payment, sign-up attempts

Revision ID: 0005_after_sale
Revises: 0004_invoicing_papers
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_after_sale"
down_revision = "0004_invoicing_papers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "payments",
        sa.Column("failure_code", sa.String(length=60), nullable=False, server_default=""),
    )
    op.create_table(
        "sign_up_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_up_attempts")),
    )
    op.create_index(op.f("ix_sign_up_attempts_email"), "sign_up_attempts", ["email"])
    op.create_index(op.f("ix_sign_up_attempts_ip"), "sign_up_attempts", ["ip"])


def downgrade() -> None:
    op.drop_table("sign_up_attempts")
    op.drop_column("payments", "failure_code")
