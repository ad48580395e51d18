"""Login, logout, sign-up, forgotten password, account details, deletion and data export."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import Response
from sqlalchemy import select

from comptoir.errors import DomainError
from comptoir.models import DeletionRequest, DeletionStatus
from comptoir.security import token_digest
from comptoir.services import accounts, outbox, sessions
from comptoir.services.shops import ShopApplication
from comptoir.web.deps import SessionDep, client_ip, set_session_cookie
from storefront.deps import Form, PageUser, VisitorDep, checkbox, safe_next, text
from storefront.i18n import _
from storefront.templating import json_download, redirect, render

router = APIRouter()

ROLE_CHOICES = {"client": "shopper", "vendeur": "merchant"}
SHOP_FIELDS = (
    "shop_name", "trade", "legal_name", "siret", "address_line", "postal_code", "city",
    "phone", "shop_email",
)  # fmt: skip


def _home_of(role: str) -> str:
    return "/vendeur" if role == "merchant" else "/"


# --- login and logout --------------------------------------------------------------------


@router.get("/connexion")
def login_page(request: Request, visitor: VisitorDep, next: str = "") -> Response:
    """The login form (already logged in: straight to where they were going)."""
    if visitor.user is not None:
        return redirect(safe_next(next, _home_of(visitor.user.role)))
    return render(request, "account/login.html", {"next": safe_next(next, ""), "email": ""})


@router.post("/connexion")
def login_submit(request: Request, form: Form, db: SessionDep) -> Response:
    """Check the credentials, open the session, go on to `next`."""
    email, next_path = text(form, "email", 320), safe_next(text(form, "next"), "")
    try:
        issued = sessions.login(db, email, text(form, "password", 200), ip=client_ip(request))
    except DomainError as exc:
        return render(
            request,
            "account/login.html",
            {"next": next_path, "email": email, "error": exc.message},
            status_code=exc.status_code,
        )
    name = issued.user.first_name or issued.user.email
    response = redirect(
        next_path or _home_of(issued.user.role),
        _("Bonjour %(name)s, vous êtes connecté.", name=name),
    )
    set_session_cookie(response, issued)
    return response


@router.post("/deconnexion")
def logout(form: Form, visitor: VisitorDep, db: SessionDep) -> Response:
    """End the session and forget the cookie."""
    if visitor.session_token:
        sessions.logout(db, visitor.session_token)
    response = redirect("/", _("Vous êtes déconnecté. À bientôt !"), "info")
    response.delete_cookie(sessions.SESSION_COOKIE, path="/")
    return response


# --- sign-up -----------------------------------------------------------------------------


def _signup_context(values: dict[str, str], role: str, **extra: Any) -> dict[str, Any]:
    return {"values": values, "role": role, **extra}


@router.get("/inscription")
def signup_page(request: Request, visitor: VisitorDep, role: str = "client") -> Response:
    """Sign-up: "Je suis un client" or "Je suis un vendeur"."""
    if visitor.user is not None:
        return redirect(_home_of(visitor.user.role))
    role = role if role in ROLE_CHOICES else "client"
    return render(request, "account/signup.html", _signup_context({}, role))


@router.post("/inscription")
def signup_submit(
    request: Request, form: Form, db: SessionDep, background: BackgroundTasks
) -> Response:
    """Create the account (and the shop application of a merchant); the new member logs in.

    An address that has an account already gets the same answer (and an e-mail).
    """
    role = text(form, "role")
    role = role if role in ROLE_CHOICES else "client"
    names = ("email", "first_name", "last_name", *SHOP_FIELDS)
    values = {name: text(form, name, 320) for name in names}
    shop = None
    if role == "vendeur":
        shop = ShopApplication(
            name=values["shop_name"],
            trade=values["trade"],
            legal_name=values["legal_name"],
            siret=values["siret"].replace(" ", ""),
            address_line=values["address_line"],
            postal_code=values["postal_code"],
            city=values["city"],
            phone=values["phone"],
            email=values["shop_email"] or values["email"],
        )
    password = text(form, "password", 300)
    if password != text(form, "password_confirm", 300):
        return render(
            request,
            "account/signup.html",
            _signup_context(
                values, role, error=_("Les deux mots de passe ne sont pas identiques.")
            ),
            status_code=422,
        )
    try:
        user, mails = accounts.sign_up(
            db,
            accounts.SignUp(
                email=values["email"],
                password=password,
                first_name=values["first_name"],
                last_name=values["last_name"],
                role=ROLE_CHOICES[role],
                accept_terms=checkbox(form, "accept_terms"),
                shop=shop,
            ),
            ip=client_ip(request),
        )
    except DomainError as exc:
        return render(
            request,
            "account/signup.html",
            _signup_context(values, role, error=exc.message),
            status_code=exc.status_code,
        )
    background.add_task(outbox.send_all, mails)
    return redirect("/connexion", accounts.sign_up_answer(values["email"]), "info")


# --- forgotten password ------------------------------------------------------------------


@router.get("/mot-de-passe/oublie")
def forgot_page(request: Request, visitor: VisitorDep) -> Response:
    """Ask for a reset link by e-mail."""
    return render(request, "account/forgot.html", {"email": "", "sent": False})


@router.post("/mot-de-passe/oublie")
def forgot_submit(
    request: Request, form: Form, db: SessionDep, background: BackgroundTasks
) -> Response:
    """Send the link when the account exists; the answer is the same either way."""
    email = text(form, "email", 320)
    mail = accounts.request_password_reset(db, email) if email else None
    if mail is not None:
        background.add_task(outbox.send, mail)
    return render(request, "account/forgot.html", {"email": email, "sent": True})


@router.get("/mot-de-passe/reinitialiser")
def reset_page(request: Request, visitor: VisitorDep, token: str = "") -> Response:
    """Choose a new password from the e-mailed link."""
    return render(request, "account/reset.html", {"token": token[:200]})


@router.post("/mot-de-passe/reinitialiser")
def reset_submit(request: Request, form: Form, db: SessionDep) -> Response:
    """Set the new password; the link then stops working and every session ends."""
    token = text(form, "token", 200)
    password = text(form, "password", 300)
    if password != text(form, "password_confirm", 300):
        return render(
            request,
            "account/reset.html",
            {"token": token, "error": _("Les deux mots de passe ne sont pas identiques.")},
            status_code=422,
        )
    try:
        accounts.confirm_password_reset(db, token, password)
    except DomainError as exc:
        return render(
            request,
            "account/reset.html",
            {"token": token, "error": exc.message},
            status_code=exc.status_code,
        )
    response = redirect(
        "/connexion", _("Votre mot de passe est changé : connectez-vous avec le nouveau.")
    )
    response.delete_cookie(sessions.SESSION_COOKIE, path="/")
    return response


# --- the account page --------------------------------------------------------------------


def _open_deletion(db: SessionDep, user_id: int) -> DeletionRequest | None:
    return db.scalar(
        select(DeletionRequest)
        .where(
            DeletionRequest.user_id == user_id,
            DeletionRequest.status.in_((DeletionStatus.requested, DeletionStatus.waiting)),
        )
        .order_by(DeletionRequest.id.desc())
        .limit(1)
    )


def _account_page(
    request: Request, db: SessionDep, user: PageUser, status_code: int = 200, **extra: Any
) -> Response:
    values = extra.pop("values", None) or {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "email": user.email,
    }
    context = {"values": values, "deletion": _open_deletion(db, user.id), **extra}
    return render(request, "account/account.html", context, status_code=status_code)


@router.get("/compte")
def account_page(request: Request, db: SessionDep, user: PageUser) -> Response:
    """Account details, password, personal data and deletion request."""
    return _account_page(request, db, user)


@router.post("/compte")
def account_submit(request: Request, form: Form, db: SessionDep, user: PageUser) -> Response:
    """Change name, phone or e-mail (a new e-mail needs the current password)."""
    values = {name: text(form, name, 320) for name in ("first_name", "last_name", "phone", "email")}
    try:
        accounts.update_profile(
            db,
            user,
            values,
            current_password=text(form, "current_password", 300) or None,
            ip=client_ip(request),
        )
    except DomainError as exc:
        db.rollback()
        return _account_page(
            request, db, user, exc.status_code, values=values, profile_error=exc.message
        )
    return redirect("/compte", _("Vos coordonnées sont enregistrées."))


@router.post("/compte/mot-de-passe")
def password_submit(
    request: Request, form: Form, db: SessionDep, user: PageUser, visitor: VisitorDep
) -> Response:
    """Change the password; other sessions end, this one stays."""
    new = text(form, "new_password", 300)
    if new != text(form, "new_password_confirm", 300):
        return _account_page(
            request,
            db,
            user,
            422,
            password_error=_("Les deux nouveaux mots de passe ne sont pas identiques."),
        )
    try:
        accounts.change_password(
            db,
            user,
            text(form, "current_password", 300),
            new,
            ip=client_ip(request),
            keep_session_token_hash=token_digest(visitor.session_token or ""),
        )
    except DomainError as exc:
        return _account_page(request, db, user, exc.status_code, password_error=exc.message)
    return redirect("/compte", _("Votre mot de passe est changé."))


@router.post("/compte/suppression")
def deletion_submit(
    request: Request, form: Form, db: SessionDep, user: PageUser, background: BackgroundTasks
) -> Response:
    """Ask for the account's erasure (irreversible; carried out by the platform's team)."""
    if not checkbox(form, "confirm"):
        return _account_page(
            request,
            db,
            user,
            422,
            deletion_error=_(
                "Cochez la case pour confirmer que vous voulez supprimer votre compte."
            ),
        )
    try:
        _request, mail = accounts.request_deletion(db, user, text(form, "reason", 2000))
    except DomainError as exc:
        return _account_page(request, db, user, exc.status_code, deletion_error=exc.message)
    background.add_task(outbox.send, mail)
    return redirect(
        "/compte",
        _(
            "Votre demande de suppression est enregistrée ; vous recevrez un e-mail quand elle "
            "sera traitée."
        ),
    )


@router.get("/compte/donnees")
def personal_data(db: SessionDep, user: PageUser) -> Response:
    """Download everything the platform holds about the account (JSON)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    return json_download(
        accounts.export_personal_data(db, user), f"comptoir-mes-donnees-{stamp}.json"
    )
