"""Templates, as Home Assistant writes them (Jinja), rendered in a sandbox that cannot loop long or build huge
values.

Discovery configs come from any device on the network and automations from users, so a template is hostile input
and runs on the event loop. jinja2's `SandboxedEnvironment` keeps it away from Python's internals; on top of
that the work it can cause is bounded by construction: loops nest at most one deep, `range` is at most 1,000
long, `**` takes small exponents only, repeating a string or list (`*`, `%` formats, `center`, `ljust`...) may
not build more than 64 KiB, templates are at most 4 KiB, and the output is cut off at 64 KiB. A template that
breaks a rule or fails raises `TemplateFailed` naming the template and the reason.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import orjson
from jinja2 import StrictUndefined, TemplateError, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from homebound.model.errors import HomeboundError, shown

MAX_TEMPLATE_CHARS = 4096
MAX_OUTPUT_CHARS = 65_536
MAX_RANGE = 1000
MAX_EXPONENT = 64
MAX_LOOP_DEPTH = 1
_SIZED_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs", "format", "format_map"})
_FORBIDDEN_NODES = (nodes.Macro, nodes.CallBlock, nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)


class TemplateFailed(HomeboundError):
    pass


def _bounded_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise SecurityError(f"range of {len(numbers)} items is over the limit of {MAX_RANGE}")
    return numbers


def _size(value: object) -> int | None:
    return len(value) if isinstance(value, str | list | tuple | bytes) else None


class BoundedEnvironment(SandboxedEnvironment):
    """The sandbox, with the arithmetic and string methods that can build huge values checked first."""

    intercepted_binops = frozenset({"**", "*", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"exponent {shown(right)} is over the limit of {MAX_EXPONENT}")
        if operator == "*":
            for sized, times in ((left, right), (right, left)):
                length = _size(sized)
                if length is not None and isinstance(times, int) and length * times > MAX_OUTPUT_CHARS:
                    raise SecurityError(f"repeating {length} items {times} times is over {MAX_OUTPUT_CHARS}")
        if operator == "%" and isinstance(left, str) and re.search(r"%[-+ #0]*(\d{4,}|\*)", left):
            raise SecurityError("a %-format width of over 999 characters is not allowed")
        return super().call_binop(context, operator, left, right)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr in _SIZED_METHODS and isinstance(obj, str):
            return False
        return super().is_safe_attribute(obj, attr, value)


# StrictUndefined: `value_json.missing` is an error we report, not an empty string we would store.
_ENVIRONMENT = BoundedEnvironment(autoescape=False, undefined=StrictUndefined)
_ENVIRONMENT.globals["range"] = _bounded_range
for _name in ("center", "indent", "format", "wordwrap", "filesizeformat"):
    _ENVIRONMENT.filters.pop(_name, None)
# Home Assistant's own JSON filters, which device configs use (`{{ {...} | to_json }}`); strict and bounded JSON.
_ENVIRONMENT.filters["to_json"] = lambda value: orjson.dumps(value).decode()
_ENVIRONMENT.filters["from_json"] = lambda value: orjson.loads(value)


def _check_shape(tree: nodes.Template) -> None:
    """Refuse what could make a render long: macros, includes, and loops inside loops."""
    for node in tree.find_all(_FORBIDDEN_NODES):
        raise SecurityError(f"{type(node).__name__.lower()} is not allowed in a template")

    def depth(node: nodes.Node, loops: int) -> None:
        if isinstance(node, nodes.For):
            loops += 1
            if loops > MAX_LOOP_DEPTH:
                raise SecurityError("loops inside loops are not allowed in a template")
        for child in node.iter_child_nodes():
            depth(child, loops)

    depth(tree, 0)


@lru_cache(maxsize=4096)
def _compile(source: str):  # type: ignore[no-untyped-def]
    if len(source) > MAX_TEMPLATE_CHARS:
        raise TemplateFailed(f"template of {len(source)} characters is over the limit of {MAX_TEMPLATE_CHARS}")
    try:
        _check_shape(_ENVIRONMENT.parse(source))
        return _ENVIRONMENT.from_string(source)
    except (TemplateError, RecursionError) as error:
        raise TemplateFailed(f"template {shown(source)} does not compile: {shown(str(error), 200)}") from None


def _bounded(text: str, source: str) -> str:
    if len(text) > MAX_OUTPUT_CHARS:
        raise TemplateFailed(f"template {shown(source)} produced {len(text)} characters, over the limit of "
                             f"{MAX_OUTPUT_CHARS}")
    return text


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


_RENDER_ERRORS = (TemplateError, TypeError, ValueError, KeyError, AttributeError, ArithmeticError, IndexError,
                  RecursionError, MemoryError)


def _jinja_string(value: object) -> str:
    return str(value)


def render_value(source: str | None, payload: str) -> str:
    """Apply a `value_template` to a state payload (`value`, and `value_json` when the payload is JSON)."""
    if not source:
        return payload
    try:
        value_json = orjson.loads(payload)
    except orjson.JSONDecodeError:
        value_json = None
    keys = _simple_keys(source)
    if keys is not None:
        current: object = value_json
        for key in keys:
            if not isinstance(current, dict) or key not in current:
                raise TemplateFailed(f"template {shown(source)} failed on {shown(payload)}: no {shown(key)} in "
                                     f"{type(current).__name__ if not isinstance(current, dict) else 'the JSON'}")
            current = current[key]
        return _bounded(_jinja_string(current), source).strip()
    try:
        return _bounded(str(_compile(source).render(value=payload, value_json=value_json)), source).strip()
    except _RENDER_ERRORS as error:
        raise TemplateFailed(f"template {shown(source)} failed on {shown(payload)}: {shown(str(error), 200)}") \
            from None


def render_command(source: str | None, value: object, variables: dict[str, object] | None = None) -> str:
    """Apply a `command_template` to a command value (`value`, and any other variables the kind offers, such
    as an alarm panel's `action` and `code`)."""
    if not source:
        return _plain(value)
    try:
        return _bounded(str(_compile(source).render(**(variables or {}), value=value)), source)
    except _RENDER_ERRORS as error:
        raise TemplateFailed(f"command template {shown(source)} failed on {shown(value)}: "
                             f"{shown(str(error), 200)}") from None


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
        return _bounded(str(_compile(source).render(**context)), source)
    except _RENDER_ERRORS as error:
        raise TemplateFailed(f"template {shown(source)} failed: {shown(str(error), 200)}") from None
