"""Login, logout and session resolution (one scheme for API and web pages).

A login creates a server-side session. The API client sends the token as
`Authorization: Bearer <token>`; the browser gets it in the HttpOnly cookie
`comptoir_session` and must echo the session's CSRF token (header `X-CSRF-Token`
or form field `csrf_token`) on every unsafe request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from comptoir.errors import TooManyRequests, Unauthorized
from comptoir.models import LoginAttempt, LoginSession, User
from comptoir.security import new_token, token_digest, verify_password
from comptoir.settings import get_settings

SESSION_COOKIE = "comptoir_session"


@dataclass(frozen=True)
class IssuedSession:
    token: str
    csrf_token: str
    expires_at: datetime
    user: User


def _now() -> datetime:
    return datetime.now(UTC)


def find_user_by_email(db: Session, email: str) -> User | None:
    """The live (not erased) account with this e-mail, case-insensitively."""
    return db.scalar(
        select(User).where(func.lower(User.email) == email.strip().lower(), User.erased_at.is_(None))
    )


def check_login_rate(db: Session, email: str, ip: str) -> None:
    """Refuse a login after too many recent failures for this e-mail or this address."""
    settings = get_settings()
    since = _now() - timedelta(minutes=settings.login_window_minutes)
    failures = db.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(
            LoginAttempt.at >= since,
            LoginAttempt.succeeded.is_(False),
            (func.lower(LoginAttempt.email) == email.strip().lower()) | (LoginAttempt.ip == ip),
        )
    )
    if (failures or 0) >= settings.login_max_failures:
        raise TooManyRequests(
            "Trop de tentatives de connexion échouées. Réessayez dans "
            f"{settings.login_window_minutes} minutes ou réinitialisez votre mot de passe."
        )


def login(db: Session, email: str, password: str, ip: str = "") -> IssuedSession:
    """Check the credentials (rate-limited) and open a session."""
    check_login_rate(db, email, ip)
    user = find_user_by_email(db, email)
    ok = verify_password(password, user.password_hash if user else None)
    if not ok or user is None or not user.is_active:
        db.add(LoginAttempt(email=email.strip().lower()[:320], ip=ip[:64], succeeded=False))
        db.commit()  # the failure must count even though we raise
        raise Unauthorized("Adresse e-mail ou mot de passe incorrect.", code="invalid_credentials")
    db.add(LoginAttempt(email=user.email.lower(), ip=ip[:64], succeeded=True))
    return open_session(db, user)


def open_session(db: Session, user: User) -> IssuedSession:
    """Create a session for `user` (after login or sign-up)."""
    token, csrf = new_token(), new_token()
    expires = _now() + timedelta(hours=get_settings().session_ttl_hours)
    db.add(LoginSession(token_hash=token_digest(token), user_id=user.id, csrf_token=csrf, expires_at=expires))
    db.flush()
    return IssuedSession(token=token, csrf_token=csrf, expires_at=expires, user=user)


def resolve_session(db: Session, token: str) -> tuple[LoginSession, User] | None:
    """The live session and user of a token, or None when unknown, expired or erased."""
    row = db.execute(
        select(LoginSession, User)
        .join(User, User.id == LoginSession.user_id)
        .where(LoginSession.token_hash == token_digest(token))
    ).first()
    if row is None:
        return None
    session, user = row
    if session.expires_at <= _now() or not user.is_active or user.erased_at is not None:
        return None
    return session, user


def logout(db: Session, token: str) -> None:
    """End the session of this token."""
    db.execute(delete(LoginSession).where(LoginSession.token_hash == token_digest(token)))


def end_all_sessions(db: Session, user_id: int) -> None:
    """End every session of a user (password change, erasure)."""
    db.execute(delete(LoginSession).where(LoginSession.user_id == user_id))
