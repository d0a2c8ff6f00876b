"""The Kuksa databroker's `sdv.databroker.v1` subscription query language: parse once, evaluate per update.

As the databroker documents it (doc/QUERY.md there): `SELECT path[ AS name][, ...] [WHERE condition]`, where a
condition combines comparisons (`=`, `!=`, `<>`, `<`, `<=`, `>`, `>=`, `[NOT] BETWEEN a AND b`) of signals and
literals (numbers, 'strings', true, false) with AND, OR, NOT and parentheses; a selected item may itself be a
parenthesised condition (`(Vehicle.Speed = 0) AS stopped`). Keywords are case-insensitive, paths are not.

A reply is due whenever a signal named anywhere in the query changes and the condition holds; it carries every
selected item, named by its path or its alias (`field_N` for an unnamed expression, as the databroker does).
A comparison involving a signal with no value yet is false.

The query comes from the network: its size, its number of items and its nesting are bounded, and every refusal
is a `QueryError` saying what was wrong and where.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from homebound.model.catalog import Catalog
from homebound.model.datatypes import DataType
from homebound.model.errors import ErrorCode, HomeboundError
from homebound.model.signal import Value

MAX_QUERY_CHARS = 8192
MAX_TOKENS = 1024
MAX_DEPTH = 32
MAX_ITEMS = 256

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<string>'(?:[^']|'')*')
  | (?P<number>-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?)
  | (?P<op><=|>=|<>|!=|=|<|>)
  | (?P<punct>[(),])
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)
""", re.VERBOSE)
_KEYWORDS = {"SELECT", "WHERE", "AND", "OR", "NOT", "AS", "BETWEEN", "TRUE", "FALSE"}
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq, "!=": operator.ne, "<>": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
    ">=": operator.ge,
}


class QueryError(HomeboundError):
    """A query that cannot be run: the message names what was wrong and where."""

    code = ErrorCode.BAD_REQUEST


class _Missing:
    """The value of a signal that has none yet."""


MISSING = _Missing()
Values = Mapping[str, Value]


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # string, number, op, punct, word, keyword, end
    text: str
    at: int


def _tokens(text: str) -> list[_Token]:
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query is {len(text)} characters long; at most {MAX_QUERY_CHARS} are accepted")
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise QueryError(f"unexpected character {text[position]!r} at position {position}")
        kind = match.lastgroup or ""
        if kind != "space":
            word = match.group()
            if kind == "word" and word.upper() in _KEYWORDS:
                tokens.append(_Token("keyword", word.upper(), position))
            else:
                tokens.append(_Token(kind, word, position))
            if len(tokens) > MAX_TOKENS:
                raise QueryError(f"query has more than {MAX_TOKENS} tokens")
        position = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


# ---- the compiled expression tree --------------------------------------------------------------------------------

class _Expr(Protocol):
    """An expression: `kind` is "number", "string", "bool" or "array" (for a whole array signal)."""

    @property
    def kind(self) -> str: ...

    def value(self, values: Values) -> object: ...


@dataclass(frozen=True, slots=True)
class _Signal:
    path: str
    kind: str

    def value(self, values: Values) -> object:
        return values.get(self.path, MISSING)


@dataclass(frozen=True, slots=True)
class _Literal:
    literal: object
    kind: str

    def value(self, values: Values) -> object:
        return self.literal


@dataclass(frozen=True, slots=True)
class _Comparison:
    left: _Expr
    compare: Callable[[Any, Any], bool]
    right: _Expr
    kind: str = "bool"

    def value(self, values: Values) -> object:
        left, right = self.left.value(values), self.right.value(values)
        if left is MISSING or right is MISSING:
            return False
        return self.compare(left, right)


@dataclass(frozen=True, slots=True)
class _Logic:
    name: str  # AND, OR
    parts: tuple[_Expr, ...]
    kind: str = "bool"

    def value(self, values: Values) -> object:
        if self.name == "AND":
            return all(part.value(values) is True for part in self.parts)
        return any(part.value(values) is True for part in self.parts)


@dataclass(frozen=True, slots=True)
class _Not:
    inner: _Expr
    kind: str = "bool"

    def value(self, values: Values) -> object:
        result = self.inner.value(values)
        return False if result is MISSING else result is not True


@dataclass(frozen=True, slots=True)
class Selected:
    """One item of the SELECT list: the name it is replied under, and the signal it is (None for a condition)."""

    name: str
    path: str | None
    expression: _Expr


@dataclass(frozen=True)
class Query:
    """A compiled query: what it selects, when it replies, and which signals it reads."""

    text: str
    selected: tuple[Selected, ...]
    condition: _Expr | None
    inputs: tuple[str, ...] = field(default=())

    def reply(self, values: Values) -> list[tuple[Selected, object]] | None:
        """The selected items and their values (MISSING when a signal has none) if the condition holds."""
        if self.condition is not None and self.condition.value(values) is not True:
            return None
        return [(item, item.expression.value(values)) for item in self.selected]


# ---- the parser --------------------------------------------------------------------------------------------------

def _kind(datatype: DataType) -> str:
    if datatype.is_array:
        return "array"
    if datatype is DataType.STRING:
        return "string"
    if datatype is DataType.BOOLEAN:
        return "bool"
    return "number"


class _Parser:
    def __init__(self, text: str, catalog: Catalog) -> None:
        self.tokens = _tokens(text)
        self.index = 0
        self.depth = 0
        self.catalog = catalog
        self.inputs: dict[str, None] = {}

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def _take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def _accept(self, kind: str, text: str | None = None) -> bool:
        token = self.current
        if token.kind == kind and (text is None or token.text == text):
            self.index += 1
            return True
        return False

    def _expect(self, kind: str, text: str, what: str) -> None:
        if not self._accept(kind, text):
            raise self._error(f"expected {what}")

    def _error(self, message: str) -> QueryError:
        token = self.current
        found = "the end of the query" if token.kind == "end" else repr(token.text)
        return QueryError(f"{message} at position {token.at}, found {found}")

    def _nested(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError(f"query nests deeper than {MAX_DEPTH} levels")

    def query(self, text: str) -> Query:
        self._expect("keyword", "SELECT", "SELECT")
        selected = [self._selected(0)]
        while self._accept("punct", ","):
            if len(selected) >= MAX_ITEMS:
                raise QueryError(f"query selects more than {MAX_ITEMS} items")
            selected.append(self._selected(len(selected)))
        condition = None
        if self._accept("keyword", "WHERE"):
            condition = self._condition()
            if condition.kind != "bool":
                raise QueryError("the WHERE clause must be a condition (a comparison, or a boolean signal)")
        if self.current.kind != "end":
            raise self._error("expected ',', WHERE or the end of the query")
        if not self.inputs:
            raise QueryError("the query names no signal, so it would never reply")
        return Query(text, tuple(selected), condition, tuple(self.inputs))

    def _selected(self, index: int) -> Selected:
        token = self.current
        if token.kind == "word":
            expression = self._signal(self._take())
            path: str | None = token.text
        elif self._accept("punct", "("):
            self._nested()
            expression = self._condition()
            self.depth -= 1
            self._expect("punct", ")", "')'")
            path = None
        else:
            raise self._error("expected a signal path or a parenthesised condition")
        name = path or f"field_{index}"
        if self._accept("keyword", "AS"):
            alias = self._take()
            if alias.kind != "word":
                raise QueryError(f"expected a name after AS at position {alias.at}")
            name = alias.text
        return Selected(name, path, expression)

    def _condition(self) -> _Expr:
        parts = [self._conjunction()]
        while self._accept("keyword", "OR"):
            parts.append(self._conjunction())
        return parts[0] if len(parts) == 1 else self._logic("OR", parts)

    def _conjunction(self) -> _Expr:
        parts = [self._negation()]
        while self._accept("keyword", "AND"):
            parts.append(self._negation())
        return parts[0] if len(parts) == 1 else self._logic("AND", parts)

    def _logic(self, name: str, parts: list[_Expr]) -> _Expr:
        for part in parts:
            if part.kind != "bool":
                raise QueryError(f"{name} joins conditions, not a {part.kind} value")
        return _Logic(name, tuple(parts))

    def _negation(self) -> _Expr:
        if self._accept("keyword", "NOT"):
            self._nested()
            inner = self._negation()
            self.depth -= 1
            if inner.kind != "bool":
                raise QueryError(f"NOT applies to a condition, not a {inner.kind} value")
            return _Not(inner)
        return self._comparison()

    def _comparison(self) -> _Expr:
        left = self._operand()
        token = self.current
        if token.kind == "op":
            self._take()
            return self._compare(left, token.text, self._operand())
        negated = self._accept("keyword", "NOT")
        if self._accept("keyword", "BETWEEN"):
            low = self._operand()
            self._expect("keyword", "AND", "AND in BETWEEN ... AND ...")
            high = self._operand()
            between = _Logic("AND", (self._compare(left, ">=", low), self._compare(left, "<=", high)))
            return _Not(between) if negated else between
        if negated:
            raise self._error("expected BETWEEN after NOT")
        return left

    def _compare(self, left: _Expr, op: str, right: _Expr) -> _Expr:
        if left.kind == "array" or right.kind == "array":
            raise QueryError(f"cannot compare whole arrays with {op}")
        if left.kind != right.kind:
            raise QueryError(f"cannot compare a {left.kind} with a {right.kind} ({op})")
        if op in ("<", "<=", ">", ">=") and left.kind != "number":
            raise QueryError(f"{op} compares numbers, not {left.kind} values")
        return _Comparison(left, _COMPARE[op], right)

    def _operand(self) -> _Expr:
        token = self._take()
        if token.kind == "word":
            return self._signal(token)
        if token.kind == "number":
            number = float(token.text)
            if not math.isfinite(number):
                raise QueryError(f"number {token.text} at position {token.at} is out of range")
            return _Literal(int(token.text) if re.fullmatch(r"-?\d+", token.text) else number, "number")
        if token.kind == "string":
            return _Literal(token.text[1:-1].replace("''", "'"), "string")
        if token.kind == "keyword" and token.text in ("TRUE", "FALSE"):
            return _Literal(token.text == "TRUE", "bool")
        if token.kind == "punct" and token.text == "(":
            self._nested()
            inner = self._condition()
            self.depth -= 1
            self._expect("punct", ")", "')'")
            return inner
        self.index -= 1
        raise self._error("expected a signal path, a value or '('")

    def _signal(self, token: _Token) -> _Expr:
        meta = self.catalog.signals.get(token.text)
        if meta is None:
            suggestions = self.catalog.suggest(token.text)
            hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
            raise QueryError(f"unknown signal {token.text!r} at position {token.at}{hint}")
        self.inputs[token.text] = None
        return _Signal(token.text, _kind(meta.datatype))


def compile_query(text: str, catalog: Catalog) -> Query:
    """Parse and type-check a query against a thing's catalog (QueryError says why it cannot)."""
    return _Parser(text, catalog).query(text)
