"""`Cache-Control: no-store` on every answer that may carry personal data.

An answer to a request that carries credentials (bearer token or session cookie), any write,
and any answer that opens a session may hold an account, orders or a payment's client
secret: no browser, proxy or shared cache may keep it. Public catalogue pages and static
files keep their default caching.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from comptoir.services.sessions import SESSION_COOKIE

API_NO_STORE = "no-store"
PAGE_NO_STORE = "private, no-store"
SAFE_METHODS = ("GET", "HEAD")


def _has_credentials(headers: Headers) -> bool:
    return "authorization" in headers or f"{SESSION_COOKIE}=" in headers.get("cookie", "")


def _opens_session(headers: MutableHeaders) -> bool:
    return any(v.startswith(f"{SESSION_COOKIE}=") for v in headers.getlist("set-cookie"))


class NoStoreForPersonalData:
    """ASGI middleware adding the header on answers that may be personal."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if scope["type"] != "http" or path.startswith("/static"):
            await self.app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        is_api = path.startswith("/api")
        personal = _has_credentials(request_headers) or (
            is_api and scope["method"] not in SAFE_METHODS
        )

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                already = "no-store" in headers.get("Cache-Control", "")
                if (personal or _opens_session(headers)) and not already:
                    headers["Cache-Control"] = API_NO_STORE if is_api else PAGE_NO_STORE
            await send(message)

        await self.app(scope, receive, send_with_header)
