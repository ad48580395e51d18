"""Route-by-route authorization matrix, generated from the app's own routes.

Every `/api` route must appear in ROUTES with who may call it and, for `{id}` routes,
whose object the ids point at. For each route: anonymous → 401 (unless public), a wrong
role → 403, another tenant's object → 404, an unknown id → 404, the owner → neither
401/403/404 nor a 5xx. Routes that act through Temporal answer all of that before
reaching it; their owner gets 409/503 here (Temporal is on a closed port on purpose).
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from tests.security.matrix import (
    ROLE_OF,
    ROUTES,
    UNKNOWN_ID,
    UNKNOWN_INT,
    Access,
    app_path,
    owners_of,
)
from tests.security.routes import api_routes
from tests.security.world import ROLES, World, build_world

pytestmark = pytest.mark.timeout(120)


def test_every_api_route_is_classified() -> None:
    """A new route cannot be missed: it fails here until it has a line in ROUTES."""
    classified = {(method, app_path(path)) for method, path in ROUTES}
    served = api_routes()
    unclassified = sorted(served - classified)
    assert not unclassified, f"routes missing from the authorization matrix: {unclassified}"
    gone = sorted(classified - served)
    assert not gone, f"matrix lines for routes the app no longer serves: {gone}"


def _call(
    client: TestClient,
    world: World,
    method: str,
    path: str,
    access: Access,
    role: str | None,
    ids: dict[str, int | str] | None = None,
) -> Response:
    client.cookies.clear()  # only the bearer header (or nothing) identifies the caller
    world.caller = role
    url = path.format(**(ids or world.ids))
    kwargs: dict[str, Any] = {"headers": world.headers[role] if role else {}}
    if access.body is not None:
        kwargs["json"] = access.body(world)
    if access.files is not None:
        kwargs["files"] = access.files(world)
    response = client.request(method, url, **kwargs)
    client.cookies.clear()
    return response


def _expect(problems: list[str], who: str, response: Response, ok: bool, wanted: str) -> None:
    if not ok:
        problems.append(
            f"{who}: got {response.status_code} (wanted {wanted}) {response.text[:200]}"
        )


@pytest.mark.parametrize(("method", "path"), sorted(ROUTES), ids=lambda v: str(v))
def test_route_authorization(
    shared_client: TestClient, shared_db: Session, method: str, path: str
) -> None:
    """anonymous 401, wrong role 403, other tenant 404, unknown id 404, owner allowed."""
    access = ROUTES[(method, path)]
    client = shared_client
    world = build_world(shared_db)  # fresh tenants and objects: earlier routes' writes stay apart
    problems: list[str] = []

    anonymous = _call(client, world, method, path, access, None)
    if access.public:
        ok = anonymous.status_code not in (401, 403) and anonymous.status_code < 500
        if access.owner_status is not None:
            ok = ok and anonymous.status_code in access.owner_status
        else:
            ok = ok and anonymous.is_success
        _expect(problems, "anonymous", anonymous, ok, "public access")
    else:
        _expect(problems, "anonymous", anonymous, anonymous.status_code == 401, "401")

    if not access.public:
        assert access.allowed is not None
        for role in ROLES:
            if ROLE_OF[role] not in access.allowed:
                response = _call(client, world, method, path, access, role)
                _expect(problems, role, response, response.status_code == 403, "403")
        for role in access.others:
            response = _call(client, world, method, path, access, role)
            _expect(
                problems, f"{role} (another tenant)", response, response.status_code == 404, "404"
            )

    owners = (
        [None]
        if access.public
        else [r for r in ROLES if ROLE_OF[r] in (access.allowed or ()) and r not in access.others]
    )
    if access.missing_id is not None:
        unknown = {**world.ids, access.missing_id: UNKNOWN_ID.get(access.missing_id, UNKNOWN_INT)}
        response = _call(client, world, method, path, access, owners[0], ids=unknown)
        _expect(
            problems,
            f"{owners[0] or 'anonymous'} (unknown id)",
            response,
            response.status_code == 404,
            "404",
        )

    if not access.public:
        for role in owners:
            response = _call(client, world, method, path, access, role)
            if access.owner_status is not None:
                ok = response.status_code in access.owner_status
                wanted = str(sorted(access.owner_status))
            else:
                ok = response.is_success
                wanted = "2xx"
            _expect(problems, f"{role} (owner)", response, ok, wanted)

    assert not problems, f"{method} {path}:\n" + "\n".join(problems)


# Ids a client can send but no row can have: beyond PostgreSQL's int4, and not positive.
IMPOSSIBLE_IDS = (2**31, 2**63 - 1, 0, -1)
ID_ROUTES = sorted(
    key for key, access in ROUTES.items() if access.missing_id and access.missing_id != "slug"
)


@pytest.mark.parametrize(("method", "path"), ID_ROUTES, ids=lambda v: str(v))
def test_impossible_ids_are_not_found(
    shared_client: TestClient, shared_db: Session, method: str, path: str
) -> None:
    """An id no row can have is an unknown object (404) or a refused input (422), never a 500."""
    access = ROUTES[(method, path)]
    world = build_world(shared_db)
    caller = owners_of(access)[0]
    problems = []
    for value in IMPOSSIBLE_IDS:
        ids = {**world.ids, access.missing_id or "": value}
        response = _call(shared_client, world, method, path, access, caller, ids=ids)
        if response.status_code not in (404, 422):
            problems.append(
                f"{access.missing_id}={value}: {response.status_code} {response.text[:120]}"
            )
    assert not problems, f"{method} {path} as {caller}:\n" + "\n".join(problems)
