"""Users, login sessions, password-reset tokens, login attempts, deletion requests."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, DateTime, Enum, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from comptoir.models.base import Base, CreatedAt, IntPK


class Role(enum.StrEnum):
    shopper = "shopper"
    merchant = "merchant"
    operator = "operator"


def enum_column(enum_type: type[enum.Enum], name: str) -> Enum:
    """A VARCHAR-backed enum column (no native PG enum: adding a value needs no migration)."""
    return Enum(enum_type, name=name, native_enum=False, length=40, validate_strings=True)


class User(Base):
    __tablename__ = "users"

    id: Mapped[IntPK]
    email: Mapped[str] = mapped_column(String(320))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[CreatedAt]
    deletion_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("uq_users_email_lower", func.lower(email), unique=True),)

    @property
    def display_name(self) -> str:
        full = f"{self.first_name} {self.last_name}".strip()
        return full or self.email


class LoginSession(Base):
    """A server-side session; only the SHA-256 of the bearer token is stored."""

    __tablename__ = "login_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[CreatedAt]
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PasswordResetToken(Base):
    __tablename__ = "password_reset_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[CreatedAt]
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginAttempt(Base):
    __tablename__ = "login_attempts"

    id: Mapped[IntPK]
    email: Mapped[str] = mapped_column(String(320), index=True)
    ip: Mapped[str] = mapped_column(String(64), default="")
    succeeded: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[CreatedAt]


class SignUpAttempt(Base):
    """A sign-up request, counted per address and per IP to rate-limit sign-ups."""

    __tablename__ = "sign_up_attempts"

    id: Mapped[IntPK]
    email: Mapped[str] = mapped_column(String(320), index=True)
    ip: Mapped[str] = mapped_column(String(64), default="", index=True)
    at: Mapped[CreatedAt]


class DeletionStatus(enum.StrEnum):
    requested = "requested"
    waiting = "waiting"
    completed = "completed"
    refused = "refused"


class DeletionRequest(Base):
    __tablename__ = "deletion_requests"

    id: Mapped[IntPK]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    email_at_request: Mapped[str] = mapped_column(String(320))
    reason: Mapped[str] = mapped_column(String(2000), default="")
    status: Mapped[DeletionStatus] = mapped_column(
        enum_column(DeletionStatus, "deletion_status"), default=DeletionStatus.requested
    )
    requested_at: Mapped[CreatedAt]
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    handled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
