"""Why a write failed: the database is away (keep everything and retry), or it refuses particular rows (set those
aside and write the rest). Telling the two apart is what lets one bad value never block the others, and a
database outage never lose anything."""

from __future__ import annotations

import sqlalchemy as sa

from homebound.hub.durability import StorageUnavailable
from homebound.model.errors import shown

__all__ = ["RowRefused", "StorageUnavailable", "describe", "refuses_rows"]


class RowRefused(Exception):
    """One row that cannot be stored as it is (its reason is kept with it in the quarantine)."""


def refuses_rows(error: BaseException) -> bool:
    """True when the database refused the data itself (a bad value, a broken constraint, text the driver cannot
    encode), not its availability."""
    return isinstance(error, sa.exc.DataError | sa.exc.IntegrityError | RowRefused | UnicodeError)


def describe(error: BaseException) -> str:
    original = getattr(error, "orig", None)
    return shown(str(original if original is not None else error).strip(), 300)
