"""Terms of sale: each shop's CGV (its own text or the platform's default) and the record of
what a shopper accepted at checkout (when, and the SHA-256 of the exact texts)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.models import Order, Shop

MAX_CGV_LENGTH = 30_000
_DEFAULT_CGV = (Path(__file__).parent.parent / "templates" / "legal" / "default_cgv.txt")


def default_cgv(shop: Shop) -> str:
    """The platform's default terms of sale, filled in with the shop's identity."""
    return _DEFAULT_CGV.read_text(encoding="utf-8").format(
        shop=shop.name,
        legal_name=shop.legal_name or shop.name,
        address=f"{shop.address_line}, {shop.postal_code} {shop.city}".strip(", "),
        siret=shop.siret or "—",
        email=shop.email or "—",
        returns=shop.return_policy or "14 jours pour changer d'avis, à compter de la réception.",
    )


def shop_cgv(shop: Shop) -> str:
    """The terms of sale a shopper accepts when buying from `shop`."""
    return shop.cgv_text.strip() or default_cgv(shop)


def terms_digest(shops: Iterable[Shop]) -> str:
    """SHA-256 of the CGV texts of these shops, in shop id order: which version was accepted."""
    digest = hashlib.sha256()
    for shop in sorted(shops, key=lambda s: s.id):
        digest.update(f"{shop.id}\n{shop_cgv(shop)}\n\x1e".encode())
    return digest.hexdigest()


def record_acceptance(
    db: Session, order: Order, shop_ids: Iterable[int], now: datetime | None = None
) -> None:
    """Note on the order that its shopper accepted the CGV of its shops, as they read now."""
    shops = db.scalars(select(Shop).where(Shop.id.in_(set(shop_ids))))
    order.terms_accepted_at = now or datetime.now(UTC)
    order.terms_digest = terms_digest(shops)
    db.flush()
