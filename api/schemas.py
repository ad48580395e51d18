"""Pydantic bases shared by every route module."""

from __future__ import annotations

from datetime import time
from typing import Annotated

from pydantic import BaseModel, ConfigDict, WithJsonSchema


class Strict(BaseModel):
    """Base of every request body: unknown fields are rejected (no mass assignment)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Public(BaseModel):
    """Base of every response body, read from ORM objects."""

    model_config = ConfigDict(from_attributes=True)


class Message(BaseModel):
    message: str


# A shop's wall-clock time (Europe/Paris implied), "HH:MM" or "HH:MM:SS". JSON Schema's
# `format: time` means RFC 3339 with an offset, which opening hours do not have.
LocalTime = Annotated[
    time,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]+)?)?$",
            "description": "heure locale de la boutique (Europe/Paris), HH:MM ou HH:MM:SS",
            "examples": ["09:00", "19:30:00"],
        }
    ),
]
