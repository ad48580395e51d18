"""Accounts: sign-up, password reset, profile, password change, deletion request, export."""

from __future__ import annotations

import json
from datetime import datetime

from fastapi import APIRouter, BackgroundTasks, Request, Response
from pydantic import Field

from api.deps import CurrentUser, LoginDep
from api.routes.auth import UserPublic
from api.schemas import Message, Public, Strict
from comptoir.models import DeletionStatus
from comptoir.services import accounts, outbox
from comptoir.services.shops import ShopApplication
from comptoir.web.deps import SessionDep, client_ip

router = APIRouter(prefix="/api/accounts", tags=["accounts"])

RESET_REQUESTED_MESSAGE = (
    "Si un compte existe pour cette adresse, un e-mail contenant un lien de "
    "réinitialisation vient d'être envoyé. Pensez à regarder dans vos courriers indésirables."
)


class ShopApplicationIn(Strict):
    name: str = Field(max_length=200)
    trade: str = Field(max_length=60)
    legal_name: str = Field(max_length=200)
    siret: str = Field(max_length=20)
    address_line: str = Field(max_length=300)
    postal_code: str = Field(max_length=10)
    city: str = Field(max_length=120)
    phone: str = Field(max_length=40)
    email: str = Field(max_length=320)


class SignUpIn(Strict):
    email: str = Field(max_length=320)
    password: str = Field(max_length=200)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    role: str = Field(max_length=20, description="shopper (« Je suis un client ») ou merchant")
    accept_terms: bool = False
    shop: ShopApplicationIn | None = None


class AccountOut(UserPublic):
    created_at: datetime
    deletion_requested_at: datetime | None


class PasswordResetIn(Strict):
    email: str = Field(max_length=320)


class PasswordResetConfirmIn(Strict):
    token: str = Field(max_length=200)
    new_password: str = Field(max_length=200)


class ProfileIn(Strict):
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=320)
    current_password: str | None = Field(default=None, max_length=200)


class PasswordChangeIn(Strict):
    current_password: str = Field(max_length=200)
    new_password: str = Field(max_length=200)


class DeletionRequestIn(Strict):
    reason: str = Field(default="", max_length=2000)


class DeletionRequestOut(Public):
    id: int
    status: DeletionStatus
    requested_at: datetime
    message: str = (
        "Votre demande de suppression est enregistrée ; l'équipe la traitera et vous "
        "confirmera l'effacement par e-mail."
    )


@router.post("", status_code=202, response_model=Message)
def sign_up(
    body: SignUpIn, request: Request, background: BackgroundTasks, db: SessionDep
) -> Message:
    """Create a shopper or merchant account (a merchant's shop waits for approval).

    The answer is the same for an address that already has an account (its owner is
    e-mailed instead), so nobody learns who is a member; the new member then logs in.
    """
    shop = ShopApplication(**body.shop.model_dump()) if body.shop else None
    form = accounts.SignUp(
        email=body.email,
        password=body.password,
        first_name=body.first_name,
        last_name=body.last_name,
        role=body.role,
        accept_terms=body.accept_terms,
        shop=shop,
    )
    _, mails = accounts.sign_up(db, form, ip=client_ip(request))
    background.add_task(outbox.send_all, mails)
    return Message(message=accounts.sign_up_answer(body.email))


@router.post("/password-reset", status_code=202, response_model=Message)
def request_password_reset(
    body: PasswordResetIn, background: BackgroundTasks, db: SessionDep
) -> Message:
    """E-mail a single-use reset link; the answer is the same whether the account exists."""
    mail = accounts.request_password_reset(db, body.email)
    if mail is not None:
        background.add_task(outbox.send, mail)
    return Message(message=RESET_REQUESTED_MESSAGE)


@router.post("/password-reset/confirm", response_model=Message)
def confirm_password_reset(body: PasswordResetConfirmIn, db: SessionDep) -> Message:
    """Choose a new password with the e-mailed token; every open session ends."""
    accounts.confirm_password_reset(db, body.token, body.new_password)
    return Message(message="Votre mot de passe est changé ; connectez-vous avec le nouveau.")


@router.get("/me", response_model=AccountOut)
def read_account(user: CurrentUser) -> AccountOut:
    """The caller's account."""
    return AccountOut.model_validate(user)


@router.patch("/me", response_model=AccountOut)
def update_account(
    body: ProfileIn, request: Request, user: CurrentUser, db: SessionDep
) -> AccountOut:
    """Change name, phone or e-mail (a new e-mail needs `current_password`)."""
    changes = body.model_dump(exclude_unset=True, exclude_none=True, exclude={"current_password"})
    accounts.update_profile(
        db, user, changes, current_password=body.current_password, ip=client_ip(request)
    )
    return AccountOut.model_validate(user)


@router.post("/me/password", response_model=Message)
def change_password(
    body: PasswordChangeIn, request: Request, login: LoginDep, user: CurrentUser, db: SessionDep
) -> Message:
    """Replace the password; the caller's other sessions end, this one stays open."""
    accounts.change_password(
        db,
        user,
        body.current_password,
        body.new_password,
        ip=client_ip(request),
        keep_session_token_hash=login[0].token_hash if login else None,
    )
    return Message(message="Votre mot de passe est changé ; vos autres sessions sont fermées.")


@router.post("/me/deletion-request", status_code=201, response_model=DeletionRequestOut)
def request_deletion(
    body: DeletionRequestIn, user: CurrentUser, background: BackgroundTasks, db: SessionDep
) -> DeletionRequestOut:
    """Ask for the account's erasure (carried out later by an operator)."""
    request, mail = accounts.request_deletion(db, user, body.reason)
    background.add_task(outbox.send, mail)
    return DeletionRequestOut.model_validate(request)


@router.get("/me/export")
def export_account(user: CurrentUser, db: SessionDep) -> Response:
    """Download every piece of personal data held about the caller, as JSON."""
    data = accounts.export_personal_data(db, user)
    filename = f"comptoir-mes-donnees-{user.id}-{datetime.now().date().isoformat()}.json"
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2, default=str),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
