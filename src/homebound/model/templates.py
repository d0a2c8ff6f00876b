"""Templates, as Home Assistant writes them (Jinja), rendered with jinja2's sandbox.

Discovery configs come from any device on the network and automations from users, so templates run in
`SandboxedEnvironment`; a template that fails raises `TemplateFailed` naming the template and the reason.
"""

from __future__ import annotations

import json
from functools import lru_cache

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from homebound.model.errors import HomeboundError

# StrictUndefined: `value_json.missing` is an error we report, not an empty string we would store.
_ENVIRONMENT = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined)


class TemplateFailed(HomeboundError):
    pass


@lru_cache(maxsize=4096)
def _compile(source: str):  # type: ignore[no-untyped-def]
    try:
        return _ENVIRONMENT.from_string(source)
    except TemplateError as error:
        raise TemplateFailed(f"template {source!r} does not compile: {error}") from None


def render_value(source: str | None, payload: str) -> str:
    """Apply a `value_template` to a state payload (`value`, and `value_json` when the payload is JSON)."""
    if not source:
        return payload
    try:
        value_json = json.loads(payload)
    except ValueError:
        value_json = None
    try:
        return str(_compile(source).render(value=payload, value_json=value_json)).strip()
    except TemplateError as error:
        raise TemplateFailed(f"template {source!r} failed on {payload[:80]!r}: {error}") from None
    except (TypeError, ValueError, KeyError, AttributeError, ZeroDivisionError) as error:
        raise TemplateFailed(f"template {source!r} failed on {payload[:80]!r}: {error}") from None


def render_command(source: str | None, value: object) -> str:
    """Apply a `command_template` to a command value (`value`)."""
    if not source:
        return _plain(value)
    try:
        return str(_compile(source).render(value=value))
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
