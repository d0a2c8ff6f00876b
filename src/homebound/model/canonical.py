"""Canonical JSON: the one spelling of a value that is hashed (the audit chain) or signed (command envelopes)."""

from __future__ import annotations

import json


def canonical_json(value: object) -> bytes:
    """Sorted keys, no spaces, UTF-8 (not ASCII escapes), and no NaN or infinity, which JSON does not have."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")
