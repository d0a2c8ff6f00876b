"""Value templates: the direct path for `{{ value_json.key }}` gives exactly what Jinja gives; failures are named."""

from __future__ import annotations

import json

import pytest

from homebound.model.templates import TemplateFailed, _compile, render_command, render_value


@pytest.mark.parametrize(("template", "payload"), [
    ("{{ value_json.power }}", {"power": 1.0}),
    ("{{value_json.power}}", {"power": 12}),
    ("{{ value_json['a'].b }}", {"a": {"b": True}}),
    ('{{ value_json["temperature"] }}', {"temperature": -3.5}),
    ("{{ value_json.x }}", {"x": None}),
    ("{{ value_json.x }}", {"x": [1, 2]}),
    ("{{ value_json.s }}", {"s": " padded "}),
    ("{{ value_json.state | lower }}", {"state": "ON"}),          # not simple: Jinja renders it
    ("{{ (value_json.power / 1000) | round(1) }}", {"power": 1234}),
])
def test_the_direct_path_matches_jinja(template: str, payload: dict[str, object]) -> None:
    text = json.dumps(payload)
    expected = str(_compile(template).render(value=text, value_json=payload)).strip()
    assert render_value(template, text) == expected


@pytest.mark.parametrize(("template", "payload", "message"), [
    ("{{ value_json.power }}", '{"voltage": 230}', "no 'power'"),
    ("{{ value_json.power }}", "not json", "no 'power'"),
    ("{{ value_json.power | nonsense }}", '{"power": 1}', "does not compile"),
    ("{{ value_json.a.b }}", '{"a": 3}', "no 'b'"),
])
def test_failures_are_named(template: str, payload: str, message: str) -> None:
    with pytest.raises(TemplateFailed, match=message):
        render_value(template, payload)


def test_sandbox_refuses_what_a_device_should_not_do() -> None:
    with pytest.raises(TemplateFailed):
        render_value("{{ value.__class__.__mro__[1].__subclasses__() }}", "x")


def test_command_templates() -> None:
    assert render_command(None, True) == "ON"
    assert render_command(None, 21.0) == "21"
    assert render_command('{"brightness": {{ value }}}', 128) == '{"brightness": 128}'
