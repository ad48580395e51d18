"""docker-compose.yml is valid Compose, reproducible and safe by default (checked offline)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ONE_SHOT = {"migrate", "temporal-init"}
SECRETS = [
    "COMPTOIR_SECRET_KEY",
    "COMPTOIR_STRIPE_API_KEY",
    "COMPTOIR_STRIPE_WEBHOOK_SECRET",
    "POSTGRES_PASSWORD",
]


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    document = yaml.safe_load(COMPOSE.read_text())  # resolves the `<<: *app` merges
    return document["services"]


def test_compose_file_matches_the_compose_specification() -> None:
    checker = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_service_builds_our_dockerfile_or_uses_a_pinned_image(
    services: dict[str, dict[str, Any]],
) -> None:
    expected = {"postgres", "temporal", "temporal-init", "temporal-ui"}
    expected |= {"migrate", "api", "worker", "documents", "admin"}
    assert expected <= set(services)
    for name, service in services.items():
        if "build" in service:
            build = service["build"]
            assert build["context"] == "."
            assert build.get("dockerfile", "Dockerfile") == "Dockerfile", name
            continue
        image = service["image"]
        tag = image.rsplit(":", 1)[-1] if ":" in image.split("/")[-1] else ""
        pinned = "@sha256:" in image or re.fullmatch(r"v?\d+(\.\d+)+([-.].+)?", tag) is not None
        assert pinned, f"{name}: image {image!r} is not pinned to a version"


def test_the_platform_runs_in_production_mode_with_secrets_from_the_environment(
    services: dict[str, dict[str, Any]],
) -> None:
    for name in ("api", "worker", "documents", "admin", "migrate"):
        environment = services[name]["environment"]
        assert environment["COMPTOIR_ENVIRONMENT"] == "production"
        assert environment["COMPTOIR_TEMPORAL_ADDRESS"] == "temporal:7233"
        assert "@postgres:5432/" in environment["DATABASE_URL"]
    text = COMPOSE.read_text()
    for secret in SECRETS:
        # every mention is a required variable: `${NAME:?…}`, never a default value
        mentions = re.findall(rf"\$\{{{secret}([^}}]*)\}}", text)
        assert mentions, secret
        assert all(mention.startswith(":?") for mention in mentions), secret


def test_long_running_services_have_healthchecks_and_publish_on_loopback_only(
    services: dict[str, dict[str, Any]],
) -> None:
    for name, service in services.items():
        if name in ONE_SHOT:
            assert service.get("restart") == "no", name
            continue
        assert "test" in service.get("healthcheck", {}), f"{name} has no healthcheck"
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"
    assert services["api"]["command"][-3:-1] == ["--workers", "2"]
    assert services["temporal"]["environment"]["DB"] == "postgres12"
    assert any("postgres-data:" in volume for volume in services["postgres"]["volumes"])


def test_dockerfile_is_python_311_slim_with_the_weasyprint_libraries() -> None:
    text = DOCKERFILE.read_text()
    assert re.search(r"^FROM python:3\.11-slim", text, re.MULTILINE)
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"):
        assert package in text
    assert re.search(r"^USER (?!root)\S+", text, re.MULTILINE), "the image must not run as root"
    # every path the image copies exists (no .dockerignore: the copies are explicit)
    for line in text.splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), source
