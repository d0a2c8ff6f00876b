"""A small, safe arithmetic language over one variable `x`, for the `math` transforms of CAN mappings.

Kuksa's CAN provider evaluates `math` with py-expression-eval (`floor((x*40)-100)`, `(x+100)/40`, `x^2`); mapping
files come from users and the internet, so we never hand them to `eval`. This module parses the same everyday
subset (numbers, `x`, `+ - * / %`, `^` and `**` for powers, parentheses, and a fixed set of functions) into a
tree of closures once, at load, and evaluating it is a few Python calls. The work is bounded: expressions are
short, nesting is shallow, powers are capped, and every failure is an `ExpressionError` naming what was wrong.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from homebound.model.errors import HomeboundError

MAX_EXPRESSION_LENGTH = 500
MAX_DEPTH = 40
MAX_EXPONENT = 1000.0

Evaluate = Callable[[float], float]


class ExpressionError(HomeboundError):
    """An expression that cannot be parsed, or a value it cannot be evaluated for (division by zero...)."""


def _round(value: float, digits: float = 0) -> float:
    return float(round(value, int(digits)))


def _power(base: float, exponent: float) -> float:
    if abs(exponent) > MAX_EXPONENT:
        raise ExpressionError(f"exponent {exponent:g} is larger than {MAX_EXPONENT:g}")
    result = math.pow(base, exponent)
    return result


FUNCTIONS: dict[str, tuple[int, int, Callable[..., float]]] = {
    # name: (fewest arguments, most arguments, function)
    "abs": (1, 1, abs),
    "ceil": (1, 1, math.ceil),
    "floor": (1, 1, math.floor),
    "round": (1, 2, _round),
    "trunc": (1, 1, math.trunc),
    "sqrt": (1, 1, math.sqrt),
    "exp": (1, 1, math.exp),
    "log": (1, 2, math.log),
    "log10": (1, 1, math.log10),
    "sin": (1, 1, math.sin),
    "cos": (1, 1, math.cos),
    "tan": (1, 1, math.tan),
    "asin": (1, 1, math.asin),
    "acos": (1, 1, math.acos),
    "atan": (1, 1, math.atan),
    "atan2": (2, 2, math.atan2),
    "pow": (2, 2, _power),
    "min": (1, 16, min),
    "max": (1, 16, max),
}
CONSTANTS = {"PI": math.pi, "E": math.e, "pi": math.pi, "e": math.e}

_TOKEN = re.compile(r"\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
                    r"|([A-Za-z_][A-Za-z_0-9]*)|(\*\*|[-+*/%^(),]))")


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ExpressionError(f"math {text!r}: unexpected {text[position:].strip()[:10]!r} at character "
                                  f"{position + 1}; allowed: numbers, x, + - * / % ^, parentheses and "
                                  f"{', '.join(sorted(FUNCTIONS))}")
        tokens.append(match.group(match.lastindex or 0))
        position = match.end()
    return tokens


class _Parser:
    """Precedence climbing: + - < * / % < unary - < ^ (right-associative) < calls and parentheses."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.position = 0
        self.depth = 0

    def fail(self, message: str) -> ExpressionError:
        return ExpressionError(f"math {self.text!r}: {message}")

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise self.fail("ends too early")
        self.position += 1
        return token

    def expect(self, token: str) -> None:
        found = self.take()
        if found != token:
            raise self.fail(f"expected {token!r}, found {found!r}")

    def parse(self) -> Evaluate:
        node = self.sum()
        if self.peek() is not None:
            raise self.fail(f"unexpected {self.peek()!r} after the end of the expression")
        return node

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"nested more than {MAX_DEPTH} levels deep")

    def sum(self) -> Evaluate:
        left = self.product()
        while self.peek() in ("+", "-"):
            operator = self.take()
            right = self.product()
            left = _add(left, right) if operator == "+" else _subtract(left, right)
        return left

    def product(self) -> Evaluate:
        left = self.unary()
        while self.peek() in ("*", "/", "%"):
            operator = self.take()
            right = self.unary()
            left = _multiply(left, right) if operator == "*" else (
                _divide(left, right) if operator == "/" else _modulo(left, right))
        return left

    def unary(self) -> Evaluate:
        if self.peek() in ("-", "+"):
            operator = self.take()
            self._enter()
            operand = self.unary()
            self.depth -= 1
            return _negate(operand) if operator == "-" else operand
        return self.power()

    def power(self) -> Evaluate:
        base = self.atom()
        if self.peek() in ("^", "**"):
            self.take()
            self._enter()
            exponent = self.unary()
            self.depth -= 1
            return _raise(base, exponent)
        return base

    def atom(self) -> Evaluate:
        token = self.take()
        if token == "(":
            self._enter()
            inner = self.sum()
            self.depth -= 1
            self.expect(")")
            return inner
        if token[0].isdigit() or token[0] == ".":
            constant = float(token)
            return lambda _x: constant
        if token == "x":
            return _identity
        if token in CONSTANTS:
            constant = CONSTANTS[token]
            return lambda _x: constant
        if token in FUNCTIONS:
            return self.call(token)
        raise self.fail(f"unknown name {token!r}; the value is `x`, functions are {', '.join(sorted(FUNCTIONS))}")

    def call(self, name: str) -> Evaluate:
        fewest, most, function = FUNCTIONS[name]
        self.expect("(")
        self._enter()
        arguments = [self.sum()]
        while self.peek() == ",":
            self.take()
            arguments.append(self.sum())
        self.depth -= 1
        self.expect(")")
        if not fewest <= len(arguments) <= most:
            count = str(fewest) if fewest == most else f"{fewest} to {most}"
            raise self.fail(f"{name}() takes {count} arguments, not {len(arguments)}")
        if len(arguments) == 1:
            only = arguments[0]
            return lambda x: float(function(only(x)))
        return lambda x: float(function(*(argument(x) for argument in arguments)))


def _identity(x: float) -> float:
    return x


def _add(a: Evaluate, b: Evaluate) -> Evaluate:
    return lambda x: a(x) + b(x)


def _subtract(a: Evaluate, b: Evaluate) -> Evaluate:
    return lambda x: a(x) - b(x)


def _multiply(a: Evaluate, b: Evaluate) -> Evaluate:
    return lambda x: a(x) * b(x)


def _divide(a: Evaluate, b: Evaluate) -> Evaluate:
    return lambda x: a(x) / b(x)


def _modulo(a: Evaluate, b: Evaluate) -> Evaluate:
    return lambda x: a(x) % b(x)


def _negate(a: Evaluate) -> Evaluate:
    return lambda x: -a(x)


def _raise(a: Evaluate, b: Evaluate) -> Evaluate:
    return lambda x: _power(a(x), b(x))


class Expression:
    """A parsed `math` transform; call it with the value `x`. Errors while evaluating are ExpressionError."""

    __slots__ = ("_evaluate", "text")

    def __init__(self, text: str) -> None:
        if not isinstance(text, str):
            raise ExpressionError(f"math must be a text such as \"x*0.1\", not {type(text).__name__}")
        if len(text) > MAX_EXPRESSION_LENGTH:
            raise ExpressionError(f"math expression of {len(text)} characters is longer than "
                                  f"{MAX_EXPRESSION_LENGTH}")
        if not text.strip():
            raise ExpressionError("math expression is empty")
        self.text = text
        self._evaluate = _Parser(text).parse()

    def __call__(self, x: float) -> float:
        try:
            result = self._evaluate(float(x))
        except ExpressionError:
            raise
        except (ArithmeticError, ValueError, TypeError) as error:
            raise ExpressionError(f"math {self.text!r} fails for x = {x!r}: {error}") from None
        if math.isnan(result) or math.isinf(result):
            raise ExpressionError(f"math {self.text!r} gives {result} for x = {x!r}")
        return result

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"
