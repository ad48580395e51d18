"""Contact page: operators read the contact form's messages, newest first, read-only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from comptoir.models import ContactMessage, User
from tests.admin_ui.console import errors_of, open_page

pytestmark = pytest.mark.timeout(120)


def test_contact_messages_are_listed_newest_first(
    db: Session, operator: User, client: TestClient
) -> None:
    sent = client.post(
        "/api/contact",
        json={"name": "Nina", "email": "nina@example.test", "subject": "Suggestion",
              "body": "Proposez la **savonnerie** ![x](http://evil) !"},  # fmt: skip
    )
    assert sent.status_code in (200, 201, 202), sent.text
    db.add(
        ContactMessage(
            name="Ancien", email="ancien@example.test", subject="Question", body="Bonjour",
            created_at=datetime.now(UTC) - timedelta(days=3),
        )
    )
    db.commit()
    app = open_page(db, operator, "contact")
    assert not errors_of(app)
    (table,) = app.dataframe
    frame = table.value
    assert list(frame["nom"]) == ["Nina", "Ancien"]
    assert frame.iloc[0]["message"] == "Proposez la **savonnerie** ![x](http://evil) !"
    assert frame.iloc[0]["e-mail"] == "nina@example.test"
    assert [b.key for b in app.button] == ["logout"] and not app.text_area  # read-only


def test_no_message_says_so(db: Session, operator: User) -> None:
    app = open_page(db, operator, "contact")
    assert [i.value for i in app.info] == ["Aucun message reçu."]
