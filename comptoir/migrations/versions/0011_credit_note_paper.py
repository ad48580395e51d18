"""Credit note PDFs are rendered by the documents worker, after the refund's transaction: the
credit note keeps what it says (`paper`, JSON) and its PDF is filled in afterwards.

Revision ID: 0011_credit_note_paper
Revises: 0010_search_name_index
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0011_credit_note_paper"
down_revision = "0010_search_name_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("credit_notes", sa.Column("paper", postgresql.JSONB(), nullable=True))
    op.alter_column("credit_notes", "pdf", existing_type=sa.LargeBinary(), nullable=True)


def downgrade() -> None:
    # A credit note not rendered yet has nothing to keep in a NOT NULL column: refuse.
    op.execute(
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM credit_notes WHERE pdf IS NULL) THEN "
        "RAISE EXCEPTION 'credit notes waiting for their PDF: render them first'; END IF; END $$"
    )
    op.alter_column("credit_notes", "pdf", existing_type=sa.LargeBinary(), nullable=False)
    op.drop_column("credit_notes", "paper")
