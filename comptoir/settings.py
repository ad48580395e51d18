"""One Settings object, read from the environment (prefix COMPTOIR_) and `.env`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "dev-only-secret-key-change-me"
DEV_WEBHOOK_SECRET = "whsec_comptoir_development_only"
DEV_STRIPE_KEY = "sk_test_comptoir_local"


class Settings(BaseSettings):
    """Every knob of the platform; defaults run a development stack on loopback."""

    model_config = SettingsConfigDict(env_prefix="COMPTOIR_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = Field(
        default="",
        validation_alias=AliasChoices("DATABASE_URL", "COMPTOIR_DATABASE_URL"),
        description="SQLAlchemy URL; empty means the embedded PostgreSQL under var/pg",
    )
    secret_key: str = DEV_SECRET_KEY
    public_url: str = "http://127.0.0.1:8000"
    var_dir: Path = PROJECT_ROOT / "var"

    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_ui_url: str = "http://127.0.0.1:8233"
    task_queue: str = "comptoir-orders"

    stripe_api_key: str = DEV_STRIPE_KEY
    stripe_api_base: str = "http://127.0.0.1:8420"
    stripe_publishable_key: str = "pk_test_comptoir_local"
    stripe_js_url: str = "http://127.0.0.1:8420/js.stripe.com/v3/"
    stripe_webhook_secret: str = DEV_WEBHOOK_SECRET
    stripe_webhook_tolerance_seconds: int = 300

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    mail_from: str = "Comptoir <no-reply@comptoir.localhost>"

    # Payment fee borne by merchants: 1.4 % + 0.25 EUR per payment (FAQ).
    fee_rate_basis_points: int = 140
    fee_fixed_cents: int = 25

    confirmation_deadline_hours: float = 48
    confirmation_reminder_hours: float = 24
    payment_deadline_minutes: float = 30
    # Time to pay once the shops confirmed a reservation (never past the first pickup slot).
    payment_after_confirmation_hours: float = 24
    merchant_reminder_hours: float = 24
    merchant_escalation_hours: float = 72
    return_window_days: int = 14
    return_window_kind: Literal["working", "calendar"] = "working"

    session_ttl_hours: int = 24 * 7
    password_reset_ttl_minutes: int = 60
    login_max_failures: int = 5
    login_window_minutes: int = 15

    # Connections per process: 10 + 30 = 40 at most, the API's thread pool (anyio's default),
    # so a request never waits on the pool; PostgreSQL's default max_connections is 100.
    db_pool_size: int = 10
    db_max_overflow: int = 30
    db_pool_timeout_seconds: float = 30

    search_max_page_size: int = 100
    activity_max_attempts: int = 5
    # Retry pace of workflow activities (tests shorten them so failures surface fast).
    activity_initial_interval_seconds: float = 1.0
    activity_maximum_interval_seconds: float = 60.0
    activity_timeout_seconds: float = 60.0

    @model_validator(mode="after")
    def refuse_default_secrets_outside_development(self) -> Settings:
        """Production must never run on the secrets that ship in the repository."""
        if self.environment == "production":
            defaults = {
                "COMPTOIR_SECRET_KEY": (self.secret_key, DEV_SECRET_KEY),
                "COMPTOIR_STRIPE_WEBHOOK_SECRET": (self.stripe_webhook_secret, DEV_WEBHOOK_SECRET),
                "COMPTOIR_STRIPE_API_KEY": (self.stripe_api_key, DEV_STRIPE_KEY),
            }
            unsafe = [name for name, (value, default) in defaults.items() if value == default]
            if unsafe:
                raise ValueError(
                    "refusing to start in production with development secrets: set "
                    + ", ".join(unsafe)
                )
            if not self.database_url:
                raise ValueError("refusing to start in production without DATABASE_URL")
        return self

    @property
    def embedded_pg_dir(self) -> Path:
        """Data folder of the embedded PostgreSQL used when DATABASE_URL is empty."""
        return self.var_dir / "pg"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests clear the cache after changing env)."""
    return Settings()
