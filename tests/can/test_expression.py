"""`math` transforms are evaluated by our own small parser: Kuksa's everyday formulas work, nothing else runs."""

from __future__ import annotations

import pytest

from homebound.adapters.can.expression import Expression, ExpressionError


@pytest.mark.parametrize(("text", "x", "expected"), [
    ("floor((x*40)-100)", 2.0, -20.0),         # Kuksa's mirror tilt, dbc2vss
    ("(x+100)/40", -20.0, 2.0),                # and back, vss2dbc
    ("floor(x+0.5)", 12.5, 13.0),              # Kuksa's steering angle
    ("x^2 + 2*x - 1", 3.0, 14.0),              # py-expression-eval's power operator
    ("x ** 2", 3.0, 9.0),
    ("-x % 7", 3.0, 4.0),
    ("round(x * 1000)", 26716.5, 26716500.0),
    ("round(x, 1)", 1.26, 1.3),
    ("max(0, min(100, x))", 130.0, 100.0),
    ("abs(x) * PI / 180", -180.0, 3.141592653589793),
    ("2^3^2", 0.0, 512.0),                      # powers bind to the right
    ("-2^2", 0.0, -4.0),                        # and above unary minus
])
def test_everyday_formulas_evaluate(text: str, x: float, expected: float) -> None:
    assert Expression(text)(x) == pytest.approx(expected)


@pytest.mark.parametrize(("text", "message"), [
    ("__import__('os').system('true')", "unexpected"),
    ("x.real", "unexpected"),
    ("open(x)", "unknown name 'open'"),
    ("y + 1", "unknown name 'y'"),
    ("floor(x, 2, 3)", "floor\\(\\) takes 1 arguments, not 3"),
    ("(x + 1", "ends too early"),
    ("x + 1)", "unexpected '\\)'"),
    ("", "empty"),
    ("x" + "+x" * 300, "longer than 500"),
    ("(" * 45 + "x" + ")" * 45, "nested more than 40"),
])
def test_anything_else_is_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        Expression(text)


@pytest.mark.parametrize(("text", "x", "message"), [
    ("1/x", 0.0, "fails for x = 0.0"),
    ("sqrt(x)", -1.0, "fails for x = -1.0"),
    ("x^5000", 2.0, "exponent 5000 is larger than 1000"),
    ("exp(x)", 1000.0, "fails for x = 1000.0"),
])
def test_evaluation_failures_are_errors_not_crashes(text: str, x: float, message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        Expression(text)(x)
