"""invoicing papers: credit notes, commission invoices, shops' legal mentions

Revision ID: 0004_invoicing_papers
Revises: 0003_settlements
Create Date: 2026-12-05 13:20:00
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0004_invoicing_papers"
down_revision = "0003_settlements"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("shops", sa.Column("legal_form", sa.String(length=60), server_default="", nullable=False))
    op.add_column("shops", sa.Column("share_capital_cents", sa.BigInteger(), nullable=True))
    op.add_column("shops", sa.Column("registration", sa.String(length=120), server_default="", nullable=False))
    op.add_column("invoices", sa.Column("invoiced", postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.create_table(
        "document_counters",
        sa.Column("series", sa.String(length=60), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("series", name=op.f("pk_document_counters")),
    )
    op.create_table(
        "credit_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("refund_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("vendor_order_id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("credited", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("total_ht_cents", sa.Integer(), nullable=False),
        sa.Column("total_vat_cents", sa.Integer(), nullable=False),
        sa.Column("total_ttc_cents", sa.Integer(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("total_ht_cents + total_vat_cents = total_ttc_cents", name=op.f("ck_credit_notes_totals_add_up")),
        sa.CheckConstraint("total_ttc_cents > 0", name=op.f("ck_credit_notes_positive_total")),
        sa.ForeignKeyConstraint(["refund_id"], ["refunds.id"], name=op.f("fk_credit_notes_refund_id_refunds"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"], name=op.f("fk_credit_notes_invoice_id_invoices"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["vendor_order_id"], ["vendor_orders.id"], name=op.f("fk_credit_notes_vendor_order_id_vendor_orders"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_credit_notes_shop_id_shops"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_notes")),
        sa.UniqueConstraint("refund_id", name=op.f("uq_credit_notes_refund_id")),
        sa.UniqueConstraint("shop_id", "sequence", name="uq_credit_notes_shop_sequence"),
    )
    op.create_index(op.f("ix_credit_notes_invoice_id"), "credit_notes", ["invoice_id"], unique=False)
    op.create_index(op.f("ix_credit_notes_vendor_order_id"), "credit_notes", ["vendor_order_id"], unique=False)
    op.create_index(op.f("ix_credit_notes_shop_id"), "credit_notes", ["shop_id"], unique=False)
    op.create_table(
        "commission_invoices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payments_count", sa.Integer(), nullable=False),
        sa.Column("total_ht_cents", sa.Integer(), nullable=False),
        sa.Column("total_vat_cents", sa.Integer(), nullable=False),
        sa.Column("total_ttc_cents", sa.Integer(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("total_ht_cents + total_vat_cents = total_ttc_cents", name=op.f("ck_commission_invoices_totals_add_up")),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_commission_invoices_shop_id_shops"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_invoices")),
        sa.UniqueConstraint("sequence", name=op.f("uq_commission_invoices_sequence")),
        sa.UniqueConstraint("shop_id", "month", name="uq_commission_invoices_shop_month"),
    )
    op.create_index(op.f("ix_commission_invoices_shop_id"), "commission_invoices", ["shop_id"], unique=False)


def downgrade() -> None:
    op.drop_table("commission_invoices")
    op.drop_table("credit_notes")
    op.drop_table("document_counters")
    op.drop_column("invoices", "invoiced")
    op.drop_column("shops", "registration")
    op.drop_column("shops", "share_capital_cents")
    op.drop_column("shops", "legal_form")
