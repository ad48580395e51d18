"""Accounts: sign-up, profile, password change and reset, deletion requests, data export.

Also a small CLI: `python -m comptoir.services.accounts create-operator EMAIL [--password P]`.
"""

from __future__ import annotations

import argparse
import enum
import getpass
import logging
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, func, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from comptoir.errors import BadRequest, Conflict, DomainError, TooManyRequests, Unprocessable
from comptoir.models import (
    Base,
    CartItem,
    ContactMessage,
    DeletionRequest,
    DeletionStatus,
    DeliveryMode,
    Invoice,
    LoginAttempt,
    LoginSession,
    Message,
    OpeningHours,
    Order,
    OrderLine,
    PasswordResetToken,
    Payment,
    PickupSlotRule,
    Refund,
    ReturnRequest,
    Role,
    SentEmail,
    Shop,
    ShopClosure,
    SignUpAttempt,
    User,
    VendorOrder,
)
from comptoir.security import hash_password, new_token, token_digest, verify_password
from comptoir.services.contact_fields import check_phone, check_required, normalize_email
from comptoir.services.outbox import OutgoingMail
from comptoir.services.sessions import check_login_rate, end_all_sessions, find_user_by_email
from comptoir.services.shops import ShopApplication, create_pending_shop
from comptoir.settings import get_settings

log = logging.getLogger("comptoir.accounts")

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
RESET_REQUESTS_PER_WINDOW = 3
RESET_WINDOW = timedelta(minutes=15)
PASSWORD_RESET_PATH = "/mot-de-passe/reinitialiser"
LOGIN_PATH = "/connexion"
PASSWORD_FORGOTTEN_PATH = "/mot-de-passe/oublie"
OPEN_DELETION_STATUSES = (DeletionStatus.requested, DeletionStatus.waiting)
SIGN_UP_ROLES = {"shopper": Role.shopper, "merchant": Role.merchant}


def _now() -> datetime:
    return datetime.now(UTC)


# --- passwords ---------------------------------------------------------------------------


def check_password_strength(password: str) -> None:
    """At least 10 characters and not only digits (422 with the rule otherwise)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Unprocessable(
            f"Le mot de passe doit contenir au moins {MIN_PASSWORD_LENGTH} caractères.",
            code="weak_password",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise Unprocessable(
            f"Le mot de passe ne doit pas dépasser {MAX_PASSWORD_LENGTH} caractères.",
            code="weak_password",
        )
    if password.isdigit():
        raise Unprocessable(
            "Le mot de passe ne doit pas être composé uniquement de chiffres.",
            code="weak_password",
        )


def verify_current_password(db: Session, user: User, password: str, ip: str = "") -> None:
    """Confirm the caller knows the password; failures count like failed logins."""
    # A stolen session must not become a way to guess the password without limit.
    check_login_rate(db, user.email, ip)
    if not verify_password(password, user.password_hash):
        db.add(LoginAttempt(email=user.email.lower(), ip=ip[:64], succeeded=False))
        db.commit()  # the failure must count even though we raise
        raise BadRequest("Le mot de passe actuel est incorrect.", code="wrong_password")


# --- sign-up -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SignUp:
    """What the sign-up form sends ("Je suis un client" / "Je suis un vendeur")."""

    email: str
    password: str
    first_name: str
    last_name: str
    role: str
    accept_terms: bool
    shop: ShopApplication | None = None


def _email_taken_message(email: str) -> str:
    return (
        f"Un compte existe déjà avec l'adresse {email}. Connectez-vous, ou utilisez "
        "« Mot de passe oublié » si vous ne vous en souvenez plus."
    )


def _check_email_free(db: Session, email: str, except_user_id: int | None = None) -> None:
    # Erased accounts count too: the unique index does not distinguish them.
    query = select(User.id).where(func.lower(User.email) == email.lower())
    if except_user_id is not None:
        query = query.where(User.id != except_user_id)
    if db.scalar(query.limit(1)) is not None:
        raise Conflict(_email_taken_message(email), code="email_taken")


def _add_user(db: Session, user: User) -> None:
    """Insert a user; a concurrent sign-up with the same e-mail becomes a 409, not a 500."""
    try:
        with db.begin_nested():
            db.add(user)
            db.flush()
    except IntegrityError as exc:
        raise Conflict(_email_taken_message(user.email), code="email_taken") from exc


def sign_up_answer(email: str) -> str:
    """What every accepted sign-up hears, whether or not the address already had an account."""
    return (
        f"Demande d'inscription enregistrée : un e-mail vient de partir à {normalize_email(email)} "
        "pour la suite. Connectez-vous ensuite avec votre adresse et votre mot de passe."
    )


def check_sign_up_rate(db: Session, email: str, ip: str) -> None:
    """Refuse a sign-up past the window's allowance for this address or this IP, then count it.

    The same limit applies whether the address has an account, so a 429 reveals nothing.
    """
    settings = get_settings()
    since = _now() - timedelta(minutes=settings.sign_up_window_minutes)
    recent = select(func.count()).select_from(SignUpAttempt).where(SignUpAttempt.at >= since)
    by_address = db.scalar(recent.where(SignUpAttempt.email == email)) or 0
    by_ip = db.scalar(recent.where(SignUpAttempt.ip == ip)) if ip else 0
    if by_address >= settings.sign_up_max_per_address or (by_ip or 0) >= settings.sign_up_max_per_ip:
        raise TooManyRequests(
            "Trop de demandes d'inscription en peu de temps. Réessayez dans "
            f"{settings.sign_up_window_minutes} minutes."
        )
    db.add(SignUpAttempt(email=email[:320], ip=ip[:64]))
    db.flush()


def _sign_up_attempt_mail(user: User) -> OutgoingMail:
    """Tell an account's owner that someone tried to sign up with their address."""
    base = get_settings().public_url.rstrip("/")
    return OutgoingMail(
        # One per account per hour at most: the rate limit bounds the rest.
        email_key=f"sign-up-attempt:{user.id}:{_now():%Y%m%d%H}",
        to=user.email,
        template="sign_up_attempt",
        context={
            "first_name": user.first_name,
            "login_url": f"{base}{LOGIN_PATH}",
            "reset_url": f"{base}{PASSWORD_FORGOTTEN_PATH}",
        },
    )


def sign_up(
    db: Session, form: SignUp, ip: str = ""
) -> tuple[User | None, list[OutgoingMail]]:
    """Create a shopper or a merchant (with a pending shop) and the welcome e-mail.

    An address that already has an account gets no new account and no error either: its
    owner is e-mailed instead (None is returned), so the answer never tells who is a member.
    """
    role = SIGN_UP_ROLES.get(form.role)
    if role is None:
        raise Unprocessable(
            "Choisissez « Je suis un client » (shopper) ou « Je suis un vendeur » (merchant).",
            code="invalid_role",
        )
    if not form.accept_terms:
        raise Unprocessable(
            "Vous devez accepter les conditions générales d'utilisation pour créer un compte.",
            code="terms_not_accepted",
        )
    if role == Role.merchant and form.shop is None:
        raise Unprocessable(
            "Un compte vendeur doit présenter sa boutique (champ « shop »).", code="missing_shop"
        )
    if role == Role.shopper and form.shop is not None:
        raise Unprocessable("Seul un compte vendeur présente une boutique.", code="unexpected_shop")
    email = normalize_email(form.email)
    check_password_strength(form.password)
    user = User(
        email=email,
        password_hash=hash_password(form.password),
        role=role,
        first_name=check_required(form.first_name, "prénom"),
        last_name=check_required(form.last_name, "nom"),
    )
    check_sign_up_rate(db, email, ip)
    existing = db.scalar(select(User).where(func.lower(User.email) == email.lower()).limit(1))
    if existing is not None:
        if existing.erased_at is not None or not existing.is_active:
            return None, []  # nobody to tell: an erased or closed account keeps its address
        return None, [_sign_up_attempt_mail(existing)]
    try:
        _add_user(db, user)
    except Conflict:  # the same address signed up a moment ago, concurrently
        return None, []
    shop = create_pending_shop(db, user, form.shop) if form.shop is not None else None
    welcome = OutgoingMail(
        email_key=f"welcome:{user.id}",
        to=user.email,
        template="welcome",
        context={
            "first_name": user.first_name,
            "role": role.value,
            "shop_name": shop.name if shop else "",
        },
    )
    return user, [welcome]


def create_operator(
    db: Session, email: str, password: str, first_name: str = "", last_name: str = ""
) -> User:
    """An operator account (only from the CLI or demo data, never by sign-up)."""
    email = normalize_email(email)
    check_password_strength(password)
    _check_email_free(db, email)
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=Role.operator,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )
    _add_user(db, user)
    return user


# --- password reset ----------------------------------------------------------------------


def request_password_reset(db: Session, email: str) -> OutgoingMail | None:
    """A single-use reset link for the account, or None (unknown, inactive, too many asks).

    The caller answers the same way in every case, so nobody learns who has an account.
    """
    user = find_user_by_email(db, email)
    if user is None or not user.is_active:
        return None
    since = _now() - RESET_WINDOW
    recent = db.scalar(
        select(func.count())
        .select_from(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.created_at >= since)
    )
    if (recent or 0) >= RESET_REQUESTS_PER_WINDOW:
        log.info("password reset for user %s not sent: rate limit reached", user.id)
        return None
    settings = get_settings()
    token = new_token()
    digest = token_digest(token)
    db.add(
        PasswordResetToken(
            token_hash=digest,
            user_id=user.id,
            expires_at=_now() + timedelta(minutes=settings.password_reset_ttl_minutes),
        )
    )
    db.flush()
    return OutgoingMail(
        email_key=f"password-reset:{digest}",
        to=user.email,
        template="password_reset",
        context={
            "first_name": user.first_name,
            "reset_url": f"{settings.public_url.rstrip('/')}{PASSWORD_RESET_PATH}?token={token}",
            "ttl_minutes": settings.password_reset_ttl_minutes,
        },
    )


def confirm_password_reset(db: Session, token: str, new_password: str) -> User:
    """Set the new password from a reset link; the link then stops working, sessions end."""
    row = db.scalar(
        select(PasswordResetToken)
        .where(PasswordResetToken.token_hash == token_digest(token.strip()))
        .with_for_update()  # two clicks on the same link: only one gets through
    )
    user = db.get(User, row.user_id) if row is not None else None
    if row is None or user is None or user.erased_at is not None or not user.is_active:
        raise BadRequest(
            "Ce lien de réinitialisation n'est pas valide. Demandez-en un nouveau depuis "
            "« Mot de passe oublié ».",
            code="invalid_reset_token",
        )
    if row.used_at is not None:
        raise BadRequest(
            "Ce lien de réinitialisation a déjà servi. Demandez-en un nouveau depuis "
            "« Mot de passe oublié ».",
            code="reset_token_used",
        )
    if row.expires_at <= _now():
        raise BadRequest(
            "Ce lien de réinitialisation a expiré. Demandez-en un nouveau depuis "
            "« Mot de passe oublié ».",
            code="reset_token_expired",
        )
    check_password_strength(new_password)
    now = _now()
    user.password_hash = hash_password(new_password)
    # Every other link sent before this one dies with it.
    db.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    end_all_sessions(db, user.id)
    # The owner proved they hold the mailbox: lift the lock earned by failed logins.
    db.execute(
        delete(LoginAttempt).where(
            func.lower(LoginAttempt.email) == user.email.lower(), LoginAttempt.succeeded.is_(False)
        )
    )
    db.flush()
    return user


# --- profile -----------------------------------------------------------------------------


PROFILE_FIELDS = frozenset({"first_name", "last_name", "phone", "email"})


def update_profile(
    db: Session,
    user: User,
    changes: Mapping[str, str],
    current_password: str | None = None,
    ip: str = "",
) -> User:
    """Change name, phone or e-mail; a new e-mail needs the current password."""
    unknown = set(changes) - PROFILE_FIELDS
    if unknown:
        raise Unprocessable("Champs non modifiables : " + ", ".join(sorted(unknown)) + ".")
    cleaned: dict[str, str] = {}
    if "first_name" in changes:
        cleaned["first_name"] = check_required(changes["first_name"], "prénom")
    if "last_name" in changes:
        cleaned["last_name"] = check_required(changes["last_name"], "nom")
    if "phone" in changes:
        cleaned["phone"] = check_phone(changes["phone"])
    if "email" in changes:
        email = normalize_email(changes["email"])
        if email != user.email:
            if not current_password:
                raise BadRequest(
                    "Pour changer d'adresse e-mail, confirmez avec votre mot de passe actuel "
                    "(current_password).",
                    code="password_required",
                )
            # Checked before anything changes: a failure commits the attempt, nothing else.
            verify_current_password(db, user, current_password, ip)
            _check_email_free(db, email, except_user_id=user.id)
            cleaned["email"] = email
    for name, value in cleaned.items():
        setattr(user, name, value)
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError as exc:
        raise Conflict(_email_taken_message(user.email), code="email_taken") from exc
    return user


def change_password(
    db: Session,
    user: User,
    current_password: str,
    new_password: str,
    ip: str = "",
    keep_session_token_hash: str | None = None,
) -> None:
    """Replace the password; every other session of the account ends."""
    verify_current_password(db, user, current_password, ip)
    check_password_strength(new_password)
    user.password_hash = hash_password(new_password)
    others = delete(LoginSession).where(LoginSession.user_id == user.id)
    if keep_session_token_hash is not None:
        others = others.where(LoginSession.token_hash != keep_session_token_hash)
    db.execute(others)
    db.flush()


# --- deletion requests -------------------------------------------------------------------


def request_deletion(
    db: Session, user: User, reason: str = ""
) -> tuple[DeletionRequest, OutgoingMail]:
    """Record the wish to have the account erased (operators carry it out later)."""
    # Lock the user row so two quick clicks cannot open two requests.
    db.execute(select(User.id).where(User.id == user.id).with_for_update())
    open_request = db.scalar(
        select(DeletionRequest).where(
            DeletionRequest.user_id == user.id,
            DeletionRequest.status.in_(OPEN_DELETION_STATUSES),
        )
    )
    if open_request is not None:
        raise Conflict(
            "Une demande de suppression de votre compte est déjà en cours de traitement "
            f"(n° {open_request.id}).",
            code="deletion_already_requested",
        )
    request = DeletionRequest(
        user_id=user.id, email_at_request=user.email, reason=reason.strip()[:2000]
    )
    db.add(request)
    user.deletion_requested_at = _now()
    db.flush()
    mail = OutgoingMail(
        email_key=f"deletion-requested:{request.id}",
        to=user.email,
        template="deletion_requested",
        context={"first_name": user.first_name, "request_id": request.id},
    )
    return request, mail


# --- export (right of access and portability) --------------------------------------------

# Secrets and internals that describe no person: never exported.
_NOT_EXPORTED = frozenset(
    {"password_hash", "token_hash", "csrf_token", "client_secret", "search_vector", "pdf"}
)


def _json_value(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _row(obj: Base) -> dict[str, Any]:
    mapper = inspect(obj).mapper
    return {
        attr.key: _json_value(getattr(obj, attr.key))
        for attr in mapper.column_attrs
        if attr.key not in _NOT_EXPORTED and not attr.deferred
    }


def _rows(db: Session, model: type[Base], *conditions: Any) -> list[dict[str, Any]]:
    pk = inspect(model).primary_key[0]
    return [_row(obj) for obj in db.scalars(select(model).where(*conditions).order_by(pk))]


def export_personal_data(db: Session, user: User) -> dict[str, Any]:
    """Everything the platform holds about `user`, as JSON-ready data."""
    order_ids = list(db.scalars(select(Order.id).where(Order.shopper_id == user.id)))
    vendor_order_ids = list(
        db.scalars(select(VendorOrder.id).where(VendorOrder.order_id.in_(order_ids)))
    )
    orders = _rows(db, Order, Order.id.in_(order_ids))
    vendor_orders = _rows(db, VendorOrder, VendorOrder.id.in_(vendor_order_ids))
    lines = _rows(db, OrderLine, OrderLine.vendor_order_id.in_(vendor_order_ids))
    for vendor_order in vendor_orders:
        vendor_order["lines"] = [
            line for line in lines if line["vendor_order_id"] == vendor_order["id"]
        ]
    for order in orders:
        order["vendor_orders"] = [v for v in vendor_orders if v["order_id"] == order["id"]]
    shops = []
    for shop in db.scalars(select(Shop).where(Shop.owner_id == user.id).order_by(Shop.id)):
        data = _row(shop)
        data["opening_hours"] = _rows(db, OpeningHours, OpeningHours.shop_id == shop.id)
        data["closures"] = _rows(db, ShopClosure, ShopClosure.shop_id == shop.id)
        data["pickup_slot_rules"] = _rows(db, PickupSlotRule, PickupSlotRule.shop_id == shop.id)
        data["delivery_modes"] = _rows(db, DeliveryMode, DeliveryMode.shop_id == shop.id)
        shops.append(data)
    email = func.lower(user.email)
    return {
        "exported_at": _now().isoformat(),
        "account": _row(user),
        "orders": orders,
        "payments": _rows(db, Payment, Payment.order_id.in_(order_ids)),
        "refunds": _rows(db, Refund, Refund.order_id.in_(order_ids)),
        "invoices": _rows(db, Invoice, Invoice.vendor_order_id.in_(vendor_order_ids)),
        "return_requests": _rows(
            db, ReturnRequest, ReturnRequest.vendor_order_id.in_(vendor_order_ids)
        ),
        "cart": _rows(db, CartItem, CartItem.user_id == user.id),
        "messages": _rows(
            db, Message, (Message.shopper_id == user.id) | (Message.sender_id == user.id)
        ),
        "contact_messages": _rows(db, ContactMessage, func.lower(ContactMessage.email) == email),
        "deletion_requests": _rows(db, DeletionRequest, DeletionRequest.user_id == user.id),
        "shops": shops,
        "sessions": _rows(db, LoginSession, LoginSession.user_id == user.id),
        "login_attempts": _rows(db, LoginAttempt, func.lower(LoginAttempt.email) == email),
        "sign_up_attempts": _rows(db, SignUpAttempt, SignUpAttempt.email == email),
        "emails_sent": _rows(db, SentEmail, func.lower(SentEmail.to_address) == email),
    }


# --- command line ------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """`create-operator EMAIL [--password P] [--first-name F] [--last-name L]`."""
    parser = argparse.ArgumentParser(prog="python -m comptoir.services.accounts")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-operator", help="créer un compte opérateur")
    create.add_argument("email")
    create.add_argument("--password", help="mot de passe (demandé s'il est omis)")
    create.add_argument("--first-name", default="")
    create.add_argument("--last-name", default="")
    args = parser.parse_args(argv)

    password = args.password
    if password is None:
        password = getpass.getpass("Mot de passe : ")
        if getpass.getpass("Mot de passe (confirmation) : ") != password:
            print("Les deux mots de passe diffèrent.", file=sys.stderr)
            return 1
    from comptoir.db import session_scope

    try:
        with session_scope() as db:
            user = create_operator(db, args.email, password, args.first_name, args.last_name)
            user_id, email = user.id, user.email
    except DomainError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    print(f"Compte opérateur n° {user_id} créé pour {email}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
