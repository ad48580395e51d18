"""Files stored by content hash, in PostgreSQL, in the storage folder or in an S3-compatible
object store (the `media_storage` setting)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, undefer

from comptoir.errors import ServiceUnavailable
from comptoir.media.images import Rendition
from comptoir.models import MediaFile
from comptoir.settings import Settings, get_settings

_HEX = frozenset("0123456789abcdef")


def is_key(value: str) -> bool:
    """Whether `value` can be a stored file's key (64 lowercase hexadecimal digits)."""
    return len(value) == 64 and set(value) <= _HEX


def _path(key: str) -> Path:
    # Two levels of folders keep any one folder small (256 entries).
    return get_settings().media_dir / key[:2] / key[2:4] / key


@lru_cache
def _s3_client(endpoint_url: str, region: str, access_key: str, secret_key: str) -> Any:
    import boto3  # only installations storing photos in S3 need it loaded
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint_url or None,
        region_name=region,
        aws_access_key_id=access_key or None,
        aws_secret_access_key=secret_key or None,
        # A page waits on it: fail fast (503) rather than hang when the store is away.
        config=Config(connect_timeout=3, read_timeout=20, retries={"max_attempts": 2}),
    )


def _s3(settings: Settings) -> Any:
    return _s3_client(
        settings.media_s3_endpoint_url,
        settings.media_s3_region,
        settings.media_s3_access_key,
        settings.media_s3_secret_key,
    )


STORE_DOWN = "Le stockage des photos est momentanément indisponible ; réessayez dans un instant."


@contextmanager
def _store_errors() -> Iterator[None]:
    """The object store unreachable or refusing: a 503 with a French sentence, not a 500."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (BotoCoreError, ClientError) as error:
        if isinstance(error, ClientError) and error.response.get("Error", {}).get("Code") in (
            "NoSuchKey",
            "404",
        ):
            raise
        raise ServiceUnavailable(STORE_DOWN, code="media_store_unavailable") from error


def _write_file(key: str, data: bytes) -> None:
    path = _path(key)
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside then renamed: a reader never sees half a file.
    handle, partial = tempfile.mkstemp(dir=path.parent)
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(partial, path)


def save(db: Session, file: Rendition) -> None:
    """Store a rendition once (the same bytes are stored once whoever sends them)."""
    settings = get_settings()
    in_database = settings.media_storage == "database"
    if settings.media_storage == "folder":
        _write_file(file.key, file.data)
    elif settings.media_storage == "s3":
        # Same key, same bytes: writing it again is harmless, so no existence check.
        with _store_errors():
            _s3(settings).put_object(
                Bucket=settings.media_s3_bucket,
                Key=settings.media_s3_prefix + file.key,
                Body=file.data,
                ContentType=file.content_type,
                CacheControl="public, max-age=31536000, immutable",
            )
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
    settings = get_settings()
    if settings.media_storage == "s3":
        from botocore.exceptions import ClientError

        try:
            with _store_errors():
                answer = _s3(settings).get_object(
                    Bucket=settings.media_s3_bucket, Key=settings.media_s3_prefix + key
                )
                return found.content_type, answer["Body"].read()
        except ClientError:  # the store has no such object (only "not found" gets here)
            return None
    path = _path(key)
    if not path.exists():
        return None
    return found.content_type, path.read_bytes()
