"""Login and logout: a bearer token for API clients, the same token in a cookie for browsers."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, Response
from pydantic import Field

from api.deps import CurrentUser, LoginDep
from api.schemas import Public, Strict
from comptoir.models import Role
from comptoir.services import sessions
from comptoir.web.deps import SessionDep, client_ip, set_session_cookie

router = APIRouter(prefix="/api/auth", tags=["auth"])


class LoginIn(Strict):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=200)


class UserPublic(Public):
    id: int
    email: str
    role: Role
    first_name: str
    last_name: str
    phone: str


class SessionOut(Public):
    token: str
    csrf_token: str
    expires_at: datetime
    user: UserPublic


@router.post("/login", response_model=SessionOut)
def login(body: LoginIn, request: Request, response: Response, db: SessionDep) -> SessionOut:
    """Open a session; the token is returned and also set as a cookie."""
    issued = sessions.login(db, body.email, body.password, ip=client_ip(request))
    set_session_cookie(response, issued)
    return SessionOut(
        token=issued.token,
        csrf_token=issued.csrf_token,
        expires_at=issued.expires_at,
        user=UserPublic.model_validate(issued.user),
    )


@router.post("/logout", status_code=204)
def logout(request: Request, response: Response, login: LoginDep, db: SessionDep) -> Response:
    """End the current session (a no-op when there is none)."""
    from api.deps import request_token

    token, _ = request_token(request)
    if token and login:
        sessions.logout(db, token)
    response = Response(status_code=204)
    response.delete_cookie(sessions.SESSION_COOKIE, path="/")
    return response


@router.get("/me", response_model=UserPublic)
def me(user: CurrentUser) -> UserPublic:
    """Who is logged in."""
    return UserPublic.model_validate(user)
