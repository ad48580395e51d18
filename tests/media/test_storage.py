"""Where photos' bytes live: PostgreSQL, the storage folder, or an S3-compatible object store
(a real one here: moto's S3 server on loopback, spoken to with boto3 as in production)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from fastapi.testclient import TestClient
from moto.server import ThreadedMotoServer
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.errors import ServiceUnavailable
from comptoir.media import storage
from comptoir.media.images import Rendition
from comptoir.models import MediaFile
from comptoir.settings import get_settings
from devstack.services import free_port

BUCKET = "comptoir-media-test"


def _rendition(text: str) -> Rendition:
    data = f"pas vraiment une image : {text}".encode()
    return Rendition(hashlib.sha256(data).hexdigest(), "image/webp", 480, 320, data)


def _use(monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(f"COMPTOIR_{name.upper()}", value)
    get_settings.cache_clear()
    storage._s3_client.cache_clear()


@pytest.fixture
def settings_restored() -> Iterator[None]:
    yield
    get_settings.cache_clear()
    storage._s3_client.cache_clear()


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client(
        "s3", endpoint_url=endpoint, region_name="fr-par",
        aws_access_key_id="comptoir", aws_secret_access_key="secret",
    ).create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "fr-par"})  # fmt: skip
    yield endpoint
    server.stop()


def _s3_env(endpoint: str) -> dict[str, str]:
    return {
        "media_storage": "s3", "media_s3_endpoint_url": endpoint, "media_s3_bucket": BUCKET,
        "media_s3_access_key": "comptoir", "media_s3_secret_key": "secret",
    }  # fmt: skip


@pytest.mark.usefixtures("settings_restored")
def test_photos_in_an_s3_store_are_served_like_the_others(
    client: TestClient, db: Session, s3_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use(monkeypatch, **_s3_env(s3_endpoint))
    photo = _rendition("s3")
    storage.save(db, photo)
    storage.save(db, photo)  # the same bytes again: one object, one row
    db.commit()
    row = db.scalars(select(MediaFile).where(MediaFile.key == photo.key)).one()
    assert row.byte_size == len(photo.data)
    assert db.scalar(select(MediaFile.data).where(MediaFile.key == photo.key)) is None
    stored = boto3.client(
        "s3", endpoint_url=s3_endpoint, region_name="fr-par",
        aws_access_key_id="comptoir", aws_secret_access_key="secret",
    ).get_object(Bucket=BUCKET, Key=f"media/{photo.key}")  # fmt: skip
    assert stored["Body"].read() == photo.data and stored["ContentType"] == "image/webp"
    served = client.get(f"/media/{photo.key}.webp")
    assert served.status_code == 200 and served.content == photo.data
    assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
    # A row whose object is gone from the store is a 404, not a 500.
    lost = _rendition("perdue")
    db.add(MediaFile(key=lost.key, content_type="image/webp", byte_size=3, data=None))
    db.commit()
    assert client.get(f"/media/{lost.key}.webp").status_code == 404


@pytest.mark.usefixtures("settings_restored")
def test_an_unreachable_store_is_a_clear_503(
    client: TestClient, db: Session, s3_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use(monkeypatch, **_s3_env(s3_endpoint))
    photo = _rendition("avant la panne")
    storage.save(db, photo)
    db.commit()
    closed = f"http://127.0.0.1:{free_port()}"
    _use(monkeypatch, **_s3_env(closed))
    with pytest.raises(ServiceUnavailable, match="stockage des photos"):
        storage.save(db, _rendition("pendant la panne"))
    db.rollback()
    answer = client.get(f"/media/{photo.key}.webp")
    assert answer.status_code == 503
    assert "stockage des photos est momentanément indisponible" in answer.text


@pytest.mark.usefixtures("settings_restored")
def test_photos_in_the_storage_folder(
    client: TestClient, db: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use(monkeypatch, media_storage="folder", media_dir=str(tmp_path))
    photo = _rendition("dossier")
    storage.save(db, photo)
    db.commit()
    on_disk = tmp_path / photo.key[:2] / photo.key[2:4] / photo.key
    assert on_disk.read_bytes() == photo.data
    assert client.get(f"/media/{photo.key}.webp").content == photo.data
    on_disk.unlink()
    assert client.get(f"/media/{photo.key}.webp").status_code == 404
