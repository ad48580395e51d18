"""shop window: product photos, shop banner and category order, CGV texts and their acceptance

Revision ID: 0002_shop_window
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002_shop_window"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "media_files",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        # NULL when the bytes live in the storage folder instead (COMPTOIR_MEDIA_STORAGE).
        sa.Column("data", postgresql.BYTEA(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_media_files")),
    )
    op.create_table(
        "photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_key", sa.String(length=64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("thumb_width", sa.Integer(), nullable=False),
        sa.Column("thumb_height", sa.Integer(), nullable=False),
        sa.Column("thumb_webp", sa.String(length=64), nullable=False),
        sa.Column("thumb_jpeg", sa.String(length=64), nullable=False),
        sa.Column("large_webp", sa.String(length=64), nullable=False),
        sa.Column("large_jpeg", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photos")),
    )
    op.create_index(op.f("ix_photos_source_key"), "photos", ["source_key"], unique=True)
    for column in ("thumb_webp", "thumb_jpeg", "large_webp", "large_jpeg"):
        op.create_foreign_key(
            op.f(f"fk_photos_{column}_media_files"), "photos", "media_files", [column], ["key"]
        )
    op.create_table(
        "product_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("photo_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], name=op.f("fk_product_photos_product_id_products"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["photo_id"], ["photos.id"], name=op.f("fk_product_photos_photo_id_photos"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_photos")),
    )
    op.create_index("ix_product_photos_product_position", "product_photos", ["product_id", "position"])
    op.add_column("shops", sa.Column("banner_photo_id", sa.Integer(), nullable=True))
    op.create_foreign_key(
        op.f("fk_shops_banner_photo_id_photos"), "shops", "photos", ["banner_photo_id"], ["id"],
        ondelete="SET NULL",
    )
    op.add_column("shops", sa.Column("cgv_text", sa.Text(), server_default="", nullable=False))
    op.add_column(
        "shops",
        sa.Column("category_order", postgresql.JSONB(), server_default=sa.text("'[]'::jsonb"), nullable=False),
    )
    op.add_column("orders", sa.Column("terms_accepted_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("orders", sa.Column("terms_digest", sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column("orders", "terms_digest")
    op.drop_column("orders", "terms_accepted_at")
    op.drop_column("shops", "category_order")
    op.drop_column("shops", "cgv_text")
    op.drop_constraint(op.f("fk_shops_banner_photo_id_photos"), "shops", type_="foreignkey")
    op.drop_column("shops", "banner_photo_id")
    op.drop_index("ix_product_photos_product_position", table_name="product_photos")
    op.drop_table("product_photos")
    op.drop_index(op.f("ix_photos_source_key"), table_name="photos")
    op.drop_table("photos")
    op.drop_table("media_files")
