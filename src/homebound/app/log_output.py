"""Log lines fit for a terminal, whatever text they carry: cut to a readable length, control characters shown
as escapes.

Device names, topics and payloads in log messages come from the network. A megabyte-long device name slowed the
console logger quadratically (rich wraps every line), and an ANSI escape sequence in a name would drive the
owner's terminal. Every handler Homebound installs carries this filter, so no caller can forget it.
"""

from __future__ import annotations

import logging
import re

from rich.console import Console
from rich.logging import RichHandler

MAX_LOG_CHARS = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}" if ord(match.group()) < 0x100 else f"\\u{ord(match.group()):04x}"


def clean(text: str, limit: int = MAX_LOG_CHARS) -> str:
    if len(text) > limit:
        text = text[:limit] + f"… ({len(text) - limit} more characters)"
    return _CONTROL.sub(_escape, text)


class UntrustedTextFilter(logging.Filter):
    """Formats the message once, then cuts and escapes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string from a caller must not lose the line
            message = f"{record.msg!r} {record.args!r}"
        cleaned = clean(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, ()
        return True


def configure_logging(console: Console, level: int) -> None:
    """Log to `console` through rich (no markup: messages are plain text), every line cleaned."""
    handler = RichHandler(console=console, show_path=False, markup=False)
    handler.addFilter(UntrustedTextFilter())
    logging.basicConfig(level=level, format="%(message)s", handlers=[handler], force=True)
