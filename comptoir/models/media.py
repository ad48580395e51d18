"""Images: files stored by content hash, photos (their resized renditions), product photos."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from comptoir.models.base import Base, CreatedAt, IntPK


class MediaFile(Base):
    """One encoded image, named by the SHA-256 of its bytes (so its URL never changes meaning)."""

    __tablename__ = "media_files"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(40))
    byte_size: Mapped[int] = mapped_column(Integer)
    # None when the bytes live in the storage folder (setting `media_storage = "folder"`).
    data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[CreatedAt]


class Photo(Base):
    """A checked, cleaned picture in two sizes, each in WebP and in JPEG (the fallback)."""

    __tablename__ = "photos"

    id: Mapped[IntPK]
    # SHA-256 of the cleaned large JPEG: the same picture uploaded twice is stored once.
    source_key: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    thumb_width: Mapped[int] = mapped_column(Integer)
    thumb_height: Mapped[int] = mapped_column(Integer)
    thumb_webp: Mapped[str] = mapped_column(ForeignKey("media_files.key"))
    thumb_jpeg: Mapped[str] = mapped_column(ForeignKey("media_files.key"))
    large_webp: Mapped[str] = mapped_column(ForeignKey("media_files.key"))
    large_jpeg: Mapped[str] = mapped_column(ForeignKey("media_files.key"))
    created_at: Mapped[CreatedAt]


class ProductPhoto(Base):
    """A photo shown on a product, in the merchant's order (position 0 is the main one)."""

    __tablename__ = "product_photos"

    id: Mapped[IntPK]
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)

    photo: Mapped[Photo] = relationship(lazy="raise")

    __table_args__ = (Index("ix_product_photos_product_position", "product_id", "position"),)
