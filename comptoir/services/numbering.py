"""Gapless numbering series of the papers (credit notes per shop, commission invoices).

A number is taken under a row lock held until the caller's commit, in the transaction that
stores the paper: a rollback gives the number back, so a series never has a gap.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from comptoir.models import DocumentCounter


def next_number(db: Session, series: str) -> int:
    """The next number of `series` (1, 2, …); concurrent callers wait for each other's commit."""
    db.execute(
        insert(DocumentCounter)
        .values(series=series, last_number=0)
        .on_conflict_do_nothing(index_elements=[DocumentCounter.series])
    )
    counter = db.scalar(
        select(DocumentCounter)
        .where(DocumentCounter.series == series)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert counter is not None  # inserted just above when missing
    counter.last_number += 1
    db.flush()
    return counter.last_number
