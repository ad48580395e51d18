"""A few shopper ↔ shop conversations, so the merchants' support inbox is not empty."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "messages.json"


@dataclass(frozen=True)
class DemoMessage:
    from_shop: bool
    body: str
    hours_ago: float  # when it was sent, before the load
    read: bool = True


@dataclass(frozen=True)
class Conversation:
    shopper_email: str
    shop_slug: str
    messages: tuple[DemoMessage, ...]


def load_conversations(path: Path = DATA_FILE) -> tuple[Conversation, ...]:
    """The conversations of `demo/data/messages.json`."""
    return tuple(
        Conversation(
            item["shopper_email"],
            item["shop_slug"],
            tuple(DemoMessage(**message) for message in item["messages"]),
        )
        for item in json.loads(path.read_text("utf-8"))
    )


CONVERSATIONS: tuple[Conversation, ...] = load_conversations()
