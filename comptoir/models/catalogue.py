"""Categories and products; the French full-text vector is a stored generated column."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from comptoir.models.base import Base, CreatedAt, IntPK
from comptoir.models.shops import Shop

# `comptoir_fr` = the `french` configuration with accents folded (created by the first
# migration, as is the IMMUTABLE wrapper `comptoir_unaccent` used by the trigram index).
SEARCH_CONFIG = "comptoir_fr"
SEARCH_VECTOR_SQL = (
    f"setweight(to_tsvector('{SEARCH_CONFIG}'::regconfig, coalesce(name, '')), 'A') || "
    f"setweight(to_tsvector('{SEARCH_CONFIG}'::regconfig, coalesce(brand, '')), 'B') || "
    f"setweight(to_tsvector('{SEARCH_CONFIG}'::regconfig, coalesce(description, '')), 'C')"
)


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[IntPK]
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))


class Product(Base):
    __tablename__ = "products"

    id: Mapped[IntPK]
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL"), index=True
    )
    sku: Mapped[str] = mapped_column(String(64), default="")
    name: Mapped[str] = mapped_column(String(200))
    brand: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    price_cents: Mapped[int] = mapped_column(Integer)
    # Online-only promotion price (FAQ: in-store and online offers are distinct).
    promo_price_cents: Mapped[int | None] = mapped_column(Integer)
    # VAT rate in basis points: 550 = 5.5 %, 1000 = 10 %, 2000 = 20 %.
    vat_rate_bp: Mapped[int] = mapped_column(Integer, default=2000)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    requires_confirmation: Mapped[bool] = mapped_column(Boolean, default=False)
    # False for goods the shop does not take back (perishables, hygiene): the return form
    # leaves them out and the vendor-order workflow refuses them.
    returnable: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    unit_label: Mapped[str] = mapped_column(String(40), default="pièce")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    search_vector: Mapped[str] = mapped_column(
        TSVECTOR, Computed(SEARCH_VECTOR_SQL, persisted=True), deferred=True
    )

    shop: Mapped[Shop] = relationship(lazy="raise")
    category: Mapped[Category | None] = relationship(lazy="raise")

    __table_args__ = (
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
        CheckConstraint(
            "promo_price_cents IS NULL OR (promo_price_cents >= 0 AND promo_price_cents < price_cents)",
            name="promo_below_price",
        ),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("vat_rate_bp BETWEEN 0 AND 10000", name="vat_rate_range"),
        Index("ix_products_search_vector", "search_vector", postgresql_using="gin"),
        Index(
            "ix_products_name_trgm",
            text("comptoir_unaccent(lower(name)) gin_trgm_ops"),
            postgresql_using="gin",
        ),
        # The name and brand words alone (weights A, B): "say it in the name" (migration 0010).
        Index(
            "ix_products_name_vector",
            text("ts_filter(search_vector, '{a,b}'::\"char\"[])"),
            postgresql_using="gin",
        ),
        Index("ix_products_shop_sku", "shop_id", "sku"),
        Index("ix_products_created_at", "created_at"),
    )

    @property
    def effective_price_cents(self) -> int:
        """What a shopper pays online: the promotion price when there is one."""
        return self.promo_price_cents if self.promo_price_cents is not None else self.price_cents


class SearchWord(Base):
    """The catalogue's lexicon: every distinct word of a product name, lowercased and
    without accents (`comptoir_name_words`), for correcting a shopper's typos word by word.

    Kept by triggers on `products` (migration 0009): words of new or renamed products are
    added, words no product name says any more are removed. It holds thousands of rows
    where the catalogue holds millions, so a trigram lookup of a misspelt word is cheap.
    """

    __tablename__ = "search_words"

    word: Mapped[str] = mapped_column(Text, primary_key=True)

    __table_args__ = (
        Index(
            "ix_search_words_trgm",
            "word",
            postgresql_using="gin",
            postgresql_ops={"word": "gin_trgm_ops"},
        ),
    )
