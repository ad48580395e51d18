"""Page dependencies: who is visiting, page-level authorization, CSRF on every form.

The storefront authenticates by the `comptoir_session` cookie only. Every form carries a
hidden `csrf_token`: the session's token once logged in, otherwise the value of the
`comptoir_csrf` cookie (double-submit), so that even the login and sign-up forms cannot
be posted from another site.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from comptoir.errors import Forbidden, NotFound, Unauthorized
from comptoir.models import Role, User
from comptoir.security import new_token, tokens_equal
from comptoir.services.sessions import SESSION_COOKIE, resolve_session
from comptoir.web.deps import SessionDep
from storefront.i18n import _

ANON_CSRF_COOKIE = "comptoir_csrf"
_TOKEN_MAX_LENGTH = 100


@dataclass
class Visitor:
    """The person behind a request: a user or nobody, and the CSRF token their forms carry.

    The role, name and id are copied when the visitor is identified, so the layout can still
    show them on an error page rendered after the request's database session closed.
    """

    user: User | None
    csrf_token: str
    session_token: str | None = None
    # True when the anonymous CSRF cookie must be (re)set on the response.
    issue_csrf_cookie: bool = False
    role: Role | None = None
    name: str = ""
    user_id: int | None = None

    @property
    def signed_in(self) -> bool:
        return self.role is not None

    @property
    def is_shopper(self) -> bool:
        return self.role == Role.shopper

    @property
    def is_merchant(self) -> bool:
        return self.role == Role.merchant


class LoginRequired(Unauthorized):
    """Raised by pages that need a login; the HTML error handler redirects to /connexion."""

    def __init__(self) -> None:
        super().__init__(_("Connectez-vous pour accéder à cette page."), code="login_required")


class CsrfRejected(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Le formulaire a expiré ou ne vient pas de Comptoir : rechargez la page et "
                "recommencez."
            ),
            code="csrf",
        )


def identify(request: Request, db: Session) -> Visitor:
    """Resolve the visitor once per request (the result is kept on `request.state`)."""
    known: Visitor | None = getattr(request.state, "visitor", None)
    if known is not None:
        return known
    visitor: Visitor
    token = request.cookies.get(SESSION_COOKIE)
    found = resolve_session(db, token) if token else None
    if found is not None:
        login, user = found
        visitor = Visitor(
            user=user,
            csrf_token=login.csrf_token,
            session_token=token,
            role=user.role,
            name=user.first_name or user.email,
            user_id=user.id,
        )
    else:
        anonymous = request.cookies.get(ANON_CSRF_COOKIE, "")
        if 20 <= len(anonymous) <= _TOKEN_MAX_LENGTH:
            visitor = Visitor(user=None, csrf_token=anonymous)
        else:
            visitor = Visitor(user=None, csrf_token=new_token(), issue_csrf_cookie=True)
    request.state.visitor = visitor
    # Kept so the layout's badges (cart count…) read through the request's own session.
    request.state.db = db
    return visitor


def get_visitor(request: Request, db: SessionDep) -> Visitor:
    """Dependency form of `identify`."""
    return identify(request, db)


VisitorDep = Annotated[Visitor, Depends(get_visitor)]


def login_url(next_path: str) -> str:
    """The login page that sends the visitor back to `next_path` afterwards."""
    return "/connexion?next=" + quote(next_path, safe="/")


def safe_next(value: str | None, default: str = "/") -> str:
    """A local path to go to after a form (never another site: no scheme, no `//`)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value


def get_page_user(visitor: VisitorDep) -> User:
    """The logged-in user; anonymous visitors are sent to the login page."""
    if visitor.user is None:
        raise LoginRequired()
    return visitor.user


PageUser = Annotated[User, Depends(get_page_user)]


def _role_guard(role: Role, message: str) -> Callable[[User], User]:
    def check(user: PageUser) -> User:
        if user.role != role:
            raise Forbidden(message)
        return user

    return check


ShopperPage = Annotated[
    User,
    Depends(_role_guard(Role.shopper, _("Cette page est réservée aux comptes client."))),
]
MerchantPage = Annotated[
    User,
    Depends(_role_guard(Role.merchant, _("Cette page est réservée aux comptes vendeur."))),
]


async def checked_form(request: Request, visitor: VisitorDep) -> FormData:
    """The posted form, once its `csrf_token` matches the visitor's (403 page otherwise)."""
    form = await request.form()
    sent = form.get("csrf_token")
    if not isinstance(sent, str) or not tokens_equal(sent, visitor.csrf_token):
        raise CsrfRejected()
    return form


Form = Annotated[FormData, Depends(checked_form)]


def text(form: FormData, name: str, max_length: int = 2000) -> str:
    """A text field of a form, stripped and cut to `max_length` ('' when absent)."""
    value = form.get(name)
    if value is None or isinstance(value, UploadFile):
        return ""
    return value.strip()[:max_length]


# PostgreSQL's integer columns: a larger id names nothing, a larger quantity means nothing.
MAX_INTEGER = 2**31 - 1


def ascii_integer(raw: str) -> int | None:
    """`raw` as an integer when it is plain ASCII digits (an optional minus sign), else None.

    Python's int() also reads "١٢" and str.isdigit() accepts "²"; neither is a number a
    person types in a French form or address, and both led to errors deep down.
    """
    digits = raw[1:] if raw.startswith("-") else raw
    if not digits or len(digits) > 10 or not (digits.isascii() and digits.isdigit()):
        return None
    value = int(raw)
    return value if -MAX_INTEGER <= value <= MAX_INTEGER else None


def numeric_id(value: str, message: str) -> int:
    """A path id; anything but a plain positive number is an unknown page (404)."""
    found = ascii_integer(value)
    if found is None or found < 1:
        raise NotFound(message)
    return found


def integer(form: FormData, name: str, default: int | None = None) -> int | None:
    """An integer field of a form, or `default` when absent or not a plain number."""
    found = ascii_integer(text(form, name, 20))
    return default if found is None else found


def checkbox(form: FormData, name: str) -> bool:
    """Whether a checkbox was ticked."""
    return form.get(name) is not None
