"""The app's routes, read from the app itself (so a new route shows up in the tests)."""

from __future__ import annotations

from typing import Any


def _flat_routes(app: Any) -> list[Any]:
    try:  # FastAPI ≥ 0.160 keeps included routers lazily; this walks into them
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI lists routes flat
        return list(app.routes)
    return list(iter_route_contexts(app.routes))


def app_routes(prefix: str = "") -> set[tuple[str, str]]:
    """(method, path) of every route of `api.main.create_app()` under `prefix` (HEAD left out)."""
    from api.main import create_app

    app = create_app()
    found: set[tuple[str, str]] = set()
    for route in _flat_routes(app):
        path = getattr(route, "path", None) or ""
        if not path.startswith(prefix):
            continue
        for method in getattr(route, "methods", None) or ():
            if method != "HEAD":
                found.add((method, path))
    # The schema too: a route the walk above might miss is still served.
    for path, operations in app.openapi().get("paths", {}).items():
        if path.startswith(prefix):
            found.update((m.upper(), path) for m in operations if m.upper() != "HEAD")
    return found


def api_routes() -> set[tuple[str, str]]:
    """Every JSON API route."""
    return app_routes("/api")
