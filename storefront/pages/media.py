"""Stored pictures, by content hash: public, cached for a year by browsers and proxies."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from comptoir.errors import NotFound
from comptoir.media import storage
from comptoir.web.deps import SessionDep

router = APIRouter()

# The URL names the bytes' hash: they can never change, so caches may keep them for good.
IMMUTABLE = "public, max-age=31536000, immutable"
_TYPES = {"webp": "image/webp", "jpg": "image/jpeg"}


@router.get("/media/{name}")
def media_file(name: str, request: Request, db: SessionDep) -> Response:
    """One stored rendition (`<sha256>.webp` or `.jpg`); 304 when the browser has it."""
    key, _, extension = name.partition(".")
    if not storage.is_key(key) or extension not in _TYPES:
        raise NotFound("Cette image n'existe pas.")
    etag = f'"{key}"'
    headers = {"Cache-Control": IMMUTABLE, "ETag": etag, "X-Content-Type-Options": "nosniff"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    found = storage.load(db, key)
    if found is None or found[0] != _TYPES[extension]:
        raise NotFound("Cette image n'existe pas.")
    content_type, data = found
    return Response(data, media_type=content_type, headers=headers)
