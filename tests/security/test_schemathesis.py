"""schemathesis against the app's OpenAPI schema, in-process (ASGI), anonymous and as a shopper.

Every JSON operation gets a bounded number of generated requests; no answer may be a 5xx,
and answers must match the schema (body and content type). Undocumented error statuses
(401/403/404/409) are the authorization matrix's business, not checked here. Each
operation runs on its own; every failing operation is listed, not only the first.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)
from sqlalchemy.orm import Session

from comptoir.models import Role
from tests.factories import create_product, create_shop, create_user
from tests.security.world import bearer

pytestmark = pytest.mark.timeout(150)

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# A few examples per operation keep both runs (≈ 2 × 80 operations) around a minute.
MAX_EXAMPLES = 6
FUZZ = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,  # the same inputs on every run: a failure here is reproducible
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    report_multiple_bugs=False,
)


def _schema() -> Any:
    """The app's own `app.openapi()`, bound to the app so calls stay in-process (ASGI)."""
    from api.main import create_app

    app = create_app()
    loaded = schemathesis.openapi.from_dict(app.openapi())
    loaded.app = app
    return loaded


def _operations(schema: Any) -> list[Any]:
    operations = []
    for result in schema.get_all_operations():
        operations.append(result.ok())
    return operations


def _new_session(db: Session, role: Role | None) -> dict[str, str] | None:
    """A user of their own for one operation: a generated logout or deletion stays local.

    A merchant gets a shop with a product, so their routes reach real rows.
    """
    if role is None:
        return None
    db.rollback()
    user = create_user(db, role)
    if role == Role.merchant:
        create_product(db, create_shop(db, owner=user), stock=5)
    headers = bearer(db, user)
    db.commit()
    return headers


def _fuzzer(operation: Any, headers: dict[str, str] | None) -> Any:
    """A hypothesis test calling `operation` with generated inputs and validating answers."""

    @FUZZ
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    return run


def _fuzz(db: Session, role: Role | None, prefix: str = "/", at_least: int = 50) -> None:
    schema = _schema()
    operations = [op for op in _operations(schema) if op.path.startswith(prefix)]
    assert len(operations) >= at_least, "the schema lost its operations"
    create_product(db, create_shop(db), stock=5)  # public reads find something besides 404s
    db.commit()
    failures: list[str] = []
    for operation in operations:
        headers = _new_session(db, role)
        try:
            _fuzzer(operation, headers)()
        # schemathesis groups distinct failures in a BaseExceptionGroup; collect those too.
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - report every operation
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:1500])
    assert not failures, f"{len(failures)} operation(s) failed:\n\n" + "\n\n".join(failures)


def test_api_fuzzed_as_anonymous(db: Session) -> None:
    """Anonymous: no 5xx, schema-conformant answers, on every operation."""
    _fuzz(db, None)


def test_api_fuzzed_as_shopper(db: Session) -> None:
    """Logged in as a shopper: no 5xx, schema-conformant answers, on every operation."""
    _fuzz(db, Role.shopper)


def test_merchant_api_fuzzed_as_merchant(db: Session) -> None:
    """The merchant's routes as a merchant with a shop and a product."""
    _fuzz(db, Role.merchant, prefix="/api/merchant", at_least=25)


def test_operator_api_fuzzed_as_operator(db: Session) -> None:
    """The operators' routes as an operator."""
    _fuzz(db, Role.operator, prefix="/api/operator", at_least=5)
