"""Files stored by content hash, in PostgreSQL or in the storage folder (a setting)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, undefer

from comptoir.media.images import Rendition
from comptoir.models import MediaFile
from comptoir.settings import get_settings

_HEX = frozenset("0123456789abcdef")


def is_key(value: str) -> bool:
    """Whether `value` can be a stored file's key (64 lowercase hexadecimal digits)."""
    return len(value) == 64 and set(value) <= _HEX


def _path(key: str) -> Path:
    # Two levels of folders keep any one folder small (256 entries).
    return get_settings().media_dir / key[:2] / key[2:4] / key


def save(db: Session, file: Rendition) -> None:
    """Store a rendition once (the same bytes are stored once whoever sends them)."""
    in_database = get_settings().media_storage == "database"
    if not in_database:
        path = _path(file.key)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            # Written aside then renamed: a reader never sees half a file.
            handle, partial = tempfile.mkstemp(dir=path.parent)
            with os.fdopen(handle, "wb") as out:
                out.write(file.data)
            os.replace(partial, path)
    db.execute(
        insert(MediaFile)
        .values(
            key=file.key,
            content_type=file.content_type,
            byte_size=len(file.data),
            data=file.data if in_database else None,
        )
        .on_conflict_do_nothing(index_elements=["key"])
    )


def load(db: Session, key: str) -> tuple[str, bytes] | None:
    """(content type, bytes) of a stored file, or None when there is no such file."""
    found = db.scalar(select(MediaFile).where(MediaFile.key == key).options(undefer(MediaFile.data)))
    if found is None:
        return None
    if found.data is not None:
        return found.content_type, found.data
    path = _path(key)
    if not path.exists():
        return None
    return found.content_type, path.read_bytes()
