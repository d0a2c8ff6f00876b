"""Templates, as Home Assistant writes them (Jinja), rendered with jinja2's sandbox.

Discovery configs come from any device on the network and automations from users, so templates run in
`SandboxedEnvironment`; a template that fails raises `TemplateFailed` naming the template and the reason.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from homebound.model.errors import HomeboundError

# StrictUndefined: `value_json.missing` is an error we report, not an empty string we would store.
_ENVIRONMENT = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined)
# Home Assistant's own JSON filters, which device configs use (`{{ {...} | to_json }}`).
_ENVIRONMENT.filters["to_json"] = lambda value: json.dumps(value)
_ENVIRONMENT.filters["from_json"] = lambda value: json.loads(value)


class TemplateFailed(HomeboundError):
    pass


@lru_cache(maxsize=4096)
def _compile(source: str):  # type: ignore[no-untyped-def]
    try:
        return _ENVIRONMENT.from_string(source)
    except TemplateError as error:
        raise TemplateFailed(f"template {source!r} does not compile: {error}") from None


# `{{ value_json.a.b }}` and `{{ value_json['a'] }}` are most of the templates devices publish, and they run on
# every state message: they are read directly (about ten times faster than a Jinja render, same result).
_STEP_PATTERN = r"""\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*'([^']*)'\s*\]|\[\s*"([^"]*)"\s*\]"""
_SIMPLE = re.compile(r"^\{\{\s*value_json("
                     r"""(?:\.[A-Za-z_][A-Za-z0-9_]*|\[\s*'[^']*'\s*\]|\[\s*"[^"]*"\s*\])+"""
                     r")\s*\}\}$")
_STEP = re.compile(_STEP_PATTERN)
_DICT_ATTRIBUTES = frozenset(dir(dict))


@lru_cache(maxsize=4096)
def _simple_keys(source: str) -> tuple[str, ...] | None:
    match = _SIMPLE.match(source)
    if match is None:
        return None
    keys = tuple(a or b or c for a, b, c in _STEP.findall(match.group(1)))
    # Jinja resolves `value_json.items` to the dict's method: leave such names to Jinja itself.
    return None if any(key in _DICT_ATTRIBUTES for key in keys) else keys


def _jinja_string(value: object) -> str:
    return str(value)


def render_value(source: str | None, payload: str) -> str:
    """Apply a `value_template` to a state payload (`value`, and `value_json` when the payload is JSON)."""
    if not source:
        return payload
    try:
        value_json = json.loads(payload)
    except (ValueError, RecursionError):
        value_json = None
    keys = _simple_keys(source)
    if keys is not None:
        current: object = value_json
        for key in keys:
            if not isinstance(current, dict) or key not in current:
                raise TemplateFailed(f"template {source!r} failed on {payload[:80]!r}: no {key!r} in "
                                     f"{type(current).__name__ if not isinstance(current, dict) else 'the JSON'}")
            current = current[key]
        return _jinja_string(current).strip()
    try:
        return str(_compile(source).render(value=payload, value_json=value_json)).strip()
    except TemplateError as error:
        raise TemplateFailed(f"template {source!r} failed on {payload[:80]!r}: {error}") from None
    except (TypeError, ValueError, KeyError, AttributeError, ZeroDivisionError) as error:
        raise TemplateFailed(f"template {source!r} failed on {payload[:80]!r}: {error}") from None


def render_command(source: str | None, value: object, variables: dict[str, object] | None = None) -> str:
    """Apply a `command_template` to a command value (`value`, and any other variables the kind offers, such
    as an alarm panel's `action` and `code`)."""
    if not source:
        return _plain(value)
    try:
        return str(_compile(source).render(**(variables or {}), value=value))
    except (TemplateError, TypeError, ValueError, KeyError, AttributeError) as error:
        raise TemplateFailed(f"command template {source!r} failed on {value!r}: {error}") from None


def _plain(value: object) -> str:
    if isinstance(value, bool):
        return "ON" if value else "OFF"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def render(source: str, context: dict[str, object]) -> str:
    """Render a template with a context (automations' `{{ trigger.value }}`); plain text passes through."""
    if "{" not in source:
        return source
    try:
        return str(_compile(source).render(**context))
    except (TemplateError, TypeError, ValueError, KeyError, AttributeError) as error:
        raise TemplateFailed(f"template {source!r} failed: {error}") from None
