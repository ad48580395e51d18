"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from comptoir.web.deps import SessionDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(db: SessionDep) -> dict[str, str]:
    """OK when the database answers."""
    db.execute(text("SELECT 1"))
    return {"status": "ok"}
