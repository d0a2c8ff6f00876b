"""What every command talking to a running hub shares: the `--hub` option and one way to call the REST API,
with one clear line when no hub answers or the hub refuses."""

from __future__ import annotations

from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.markup import escape

DEFAULT_HUB = "http://127.0.0.1:8321"
HubOption = Annotated[str, typer.Option("--hub", envvar="HOMEBOUND_HUB", help="Base URL of a running hub.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (for scripts) instead of a table.")]
SHOWN_CHARS = 200


def shown(value: object) -> str:
    """Text from the network as a terminal cell: markup escaped, cut to a readable length."""
    text = str(value)
    if len(text) > SHOWN_CHARS:
        text = text[:SHOWN_CHARS] + "…"
    return escape(text)

_errors = Console(stderr=True)


def call_hub(method: str, hub: str, path: str, *, hint: str = "", timeout: float = 10.0,
             send: dict[str, object] | None = None) -> object:
    """The JSON the hub answers; exits 1 with the hub's own message when it refuses, or when none answers. What
    is in `send` goes as a JSON body, with the command line named as who asks (`rest:cli`)."""
    try:
        response = httpx.request(method, f"{hub.rstrip('/')}{path}", timeout=timeout, json=send,
                                 headers={"x-homebound-principal": "cli"} if send is not None else None)
    except httpx.TransportError as error:
        _errors.print(f"[red]error:[/red] no hub answers at {escape(hub)} ({escape(str(error))})"
                      + (f"; {hint}" if hint else ""), highlight=False)
        raise typer.Exit(1) from None
    try:
        body: object = response.json()
    except ValueError:
        _errors.print(f"[red]error:[/red] {escape(hub)} answered {response.status_code} without JSON: is it a "
                      "Homebound hub?", highlight=False)
        raise typer.Exit(1) from None
    if response.status_code >= 400:
        problem = body.get("error") if isinstance(body, dict) else None
        message = problem.get("message") if isinstance(problem, dict) else body
        _errors.print(f"[red]error:[/red] {escape(str(message))}", highlight=False)
        raise typer.Exit(1)
    return body


def hub_object(method: str, hub: str, path: str, *, hint: str = "",
               send: dict[str, object] | None = None) -> dict[str, object]:
    """`call_hub` for endpoints answering a JSON object."""
    answer = call_hub(method, hub, path, hint=hint, send=send)
    if not isinstance(answer, dict):
        _errors.print(f"[red]error:[/red] {escape(hub)}{escape(path)} did not answer a JSON object", highlight=False)
        raise typer.Exit(1)
    return answer


def hub_list(method: str, hub: str, path: str, *, hint: str = "") -> list[dict[str, object]]:
    """`call_hub` for endpoints answering a JSON list of objects."""
    body = call_hub(method, hub, path, hint=hint)
    if not isinstance(body, list) or not all(isinstance(item, dict) for item in body):
        _errors.print(f"[red]error:[/red] {escape(hub)}{escape(path)} did not answer a JSON list", highlight=False)
        raise typer.Exit(1)
    return body
