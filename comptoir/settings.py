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
    # Invoice PDFs (CPU-bound) run on their own queue and worker (`workflows.worker --documents`).
    documents_task_queue: str = "comptoir-documents"

    stripe_api_key: str = DEV_STRIPE_KEY
    stripe_api_base: str = "http://127.0.0.1:8420"
    stripe_publishable_key: str = "pk_test_comptoir_local"
    stripe_js_url: str = "http://127.0.0.1:8420/js.stripe.com/v3/"
    stripe_webhook_secret: str = DEV_WEBHOOK_SECRET
    stripe_webhook_tolerance_seconds: int = 300

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    mail_from: str = "Comptoir <no-reply@comptoir.localhost>"

    # The platform's identity on the papers it issues: in the shops' name under a billing
    # mandate (invoices, credit notes) and in its own name (monthly commission invoices).
    platform_name: str = "Comptoir"
    platform_legal_name: str = "Comptoir SAS"
    platform_legal_form: str = "SAS"
    platform_share_capital_cents: int = 1_000_000
    platform_registration: str = "RCS Lyon"
    platform_siret: str = "73282932000074"
    platform_vat_number: str = "FR44732829320"
    platform_address_line: str = "1 place de la Comédie"
    platform_postal_code: str = "69001"
    platform_city: str = "Lyon"
    platform_email: str = "factures@comptoir.localhost"
    # VAT on the platform's commission (the payment fee), included in the fee withheld.
    commission_vat_rate_bp: int = 2000

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
    # A part ready in the shop and not collected: shopper reminded, then flagged (no-show).
    pickup_reminder_days: float = 2
    pickup_no_show_days: float = 4
    # A shipped part the shopper does not confirm completes by itself after this delay.
    delivery_auto_complete_days: float = 7
    return_window_days: int = 14
    return_window_kind: Literal["working", "calendar"] = "working"

    # Settlements: a Temporal Schedule settles every shop once per period (weeks, Paris time).
    # Cron in Paris time ("0 3 * * 1": Mondays at 03:00, settling the week before); an
    # interval > 0 replaces it (fire every N minutes: demos, tests).
    settlement_cron: str = "0 3 * * 1"
    settlement_interval_minutes: float = 0
    settlement_period_days: int = 7
    settlement_schedule_id: str = "comptoir-settlements"
    # The platform's commission invoices of last month, issued and e-mailed to every shop
    # that bore fees: cron in Paris time, by default the 1st of each month at 04:00.
    commission_cron: str = "0 4 1 * *"
    commission_schedule_id: str = "comptoir-commission-invoices"
    # The platform as the SEPA debtor (pain.001 files for shops without Stripe Connect).
    sepa_debtor_name: str = "Comptoir"
    sepa_debtor_iban: str = "FR7630006000011234567890189"
    sepa_debtor_bic: str = "AGRIFRPP"

    session_ttl_hours: int = 24 * 7
    password_reset_ttl_minutes: int = 60
    login_max_failures: int = 5
    login_window_minutes: int = 15
    # At most one "new message" e-mail per conversation and direction in this many minutes.
    message_notice_minutes: int = 15
    # Sign-ups accepted per address and per IP within the window (then 429).
    sign_up_max_per_address: int = 3
    sign_up_max_per_ip: int = 10
    sign_up_window_minutes: int = 60

    # Connections per process: 10 + 30 = 40 at most, the API's thread pool (anyio's default),
    # so a request never waits on the pool; PostgreSQL's default max_connections is 100.
    db_pool_size: int = 10
    db_max_overflow: int = 30
    db_pool_timeout_seconds: float = 30

    search_max_page_size: int = 100

    # Who runs the platform, for the legal pages (mentions légales, CGU, privacy policy).
    # The defaults describe the invented demo town's operator.
    operator_name: str = "Comptoir de Montlouvier, SCIC SAS (démonstration)"
    operator_address: str = "Hôtel de ville, 1 place de la Mairie, 37999 Montlouvier-sur-Loire"
    operator_registration: str = "RCS Tours 000 000 000 (fictif)"
    operator_email: str = "contact@comptoir.test"
    publication_director: str = "La présidence de la SCIC Comptoir de Montlouvier"
    host_name: str = "Hébergé par l'opérateur, sur ses propres serveurs"
    host_address: str = "Hôtel de ville, 1 place de la Mairie, 37999 Montlouvier-sur-Loire"
    mediator_name: str = "Médiateur de la consommation de la FCD (exemple à remplacer)"
    mediator_address: str = "12 rue Euler, 75008 Paris"
    mediator_url: str = "https://www.mediateurfcd.fr"
    # How long order data is kept (invoices: 10 years, Code de commerce L.123-22).
    data_retention_years: int = 10

    # Where photos' bytes live: "database" (PostgreSQL, nothing else to back up), "folder"
    # (files under `media_dir`, named by their SHA-256; the table keeps only their key) or
    # "s3" (an S3-compatible object store shared by every process of a cluster).
    media_storage: Literal["database", "folder", "s3"] = "database"
    media_dir: Path = PROJECT_ROOT / "var" / "media"
    media_s3_bucket: str = "comptoir-media"
    media_s3_endpoint_url: str = ""  # empty: AWS itself; else MinIO, Garage, Scaleway…
    media_s3_region: str = "fr-par"
    media_s3_access_key: str = ""
    media_s3_secret_key: str = ""
    media_s3_prefix: str = "media/"
    max_photos_per_product: int = 8
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
