"""A refund borne by several shop parts has one credit note per part (an order-wide operator
refund): credit notes are unique per refund and part, no longer per refund.

Revision ID: 0007_pay_credit_note_per_part
Revises: 0006_handover
"""

from alembic import op

revision = "0007_pay_credit_note_per_part"
down_revision = "0006_handover"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint("uq_credit_notes_refund_id", "credit_notes", type_="unique")
    op.create_unique_constraint(
        "uq_credit_notes_refund_part", "credit_notes", ["refund_id", "vendor_order_id"]
    )


def downgrade() -> None:
    op.drop_constraint("uq_credit_notes_refund_part", "credit_notes", type_="unique")
    op.create_unique_constraint("uq_credit_notes_refund_id", "credit_notes", ["refund_id"])
