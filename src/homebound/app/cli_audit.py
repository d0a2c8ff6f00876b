"""`homebound audit list|verify`: read and check the audit log straight from the database, hub running or not."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated

import sqlalchemy as sa
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from homebound.hub.audit import Anchor, AuditEntry, clean_text
from homebound.model.errors import HomeboundError
from homebound.storage.audit_store import AuditStore
from homebound.storage.database import DEFAULT_URL, Database, redact

app = typer.Typer(help="The audit log: who did what, when, and how it ended; and whether anyone changed it.",
                  no_args_is_help=True)
console = Console()
errors = Console(stderr=True)

StorageOption = Annotated[str, typer.Option("--storage", help="Database URL: sqlite:///file.db or postgresql://...")]
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_since(text: str, now: float | None = None) -> float:
    """`2h`, `7d` (that long ago), an ISO 8601 date or time (local unless it names a zone), or epoch seconds."""
    value = text.strip()
    if match := _DURATION.fullmatch(value):
        return (time.time() if now is None else now) - float(match.group(1)) * _SECONDS[match.group(2)]
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        raise typer.BadParameter(f"{value[:40]!r} is not a time: use 2h, 7d, 2026-12-01, 2026-12-01T08:00 or "
                                 "epoch seconds") from None


def _open(url: str) -> AuditStore:
    """The audit log of an existing database; a missing file or a database without the log is one clear line."""
    try:
        database = Database(url)
    except HomeboundError as error:
        errors.print(f"[red]error:[/red] {escape(str(error))}", highlight=False)
        raise typer.Exit(2) from None
    file = database.engine.url.database if database.dialect == "sqlite" else None
    if file and file != ":memory:" and not Path(file).expanduser().exists():
        errors.print(f"[red]error:[/red] no database at {escape(file)} (give --storage)", highlight=False)
        raise typer.Exit(2)
    try:
        present = sa.inspect(database.engine).has_table("audit_log")
    except sa.exc.OperationalError as error:
        errors.print(f"[red]error:[/red] cannot open database {escape(redact(url))}: "
                     f"{escape(clean_text(getattr(error, 'orig', error), 300))}", highlight=False)
        raise typer.Exit(2) from None
    if not present:
        errors.print(f"[red]error:[/red] {escape(redact(url))} has no audit log yet: the hub creates it when it "
                     "starts (`homebound serve`)", highlight=False)
        raise typer.Exit(2)
    return AuditStore(database)


def _cell(value: object, limit: int = 60) -> str:
    return escape(clean_text("" if value is None else value, limit))


def _time(ts: float) -> str:
    return datetime.fromtimestamp(ts).astimezone().isoformat(timespec="seconds")


@app.command("list")
def list_records(
    storage: StorageOption = DEFAULT_URL,
    since: Annotated[str | None, typer.Option(help="Only records since: 2h, 7d, an ISO date or time, epoch s.")] = None,
    actor: Annotated[str | None, typer.Option(help="Only this actor (a principal, e.g. rest:ana).")] = None,
    thing: Annotated[str | None, typer.Option(help="Only this vehicle or device.")] = None,
    action: Annotated[str | None, typer.Option(help="Only this action and those below it (command matches "
                                                    "command.created, command.failed...).")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, the newest.", min=1, max=10_000)] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (for scripts) instead of a table.")] = False,
) -> None:
    """List audit records, oldest first (as stored: `homebound audit verify` says whether they were changed)."""
    store = _open(storage)
    entries = store.records(since=None if since is None else parse_since(since), actor=actor, thing=thing,
                            action=action, limit=limit)
    if as_json:
        print(json.dumps([entry.to_json() for entry in entries], indent=2, ensure_ascii=False))
        return
    _print_table(entries)


def _print_table(entries: list[AuditEntry]) -> None:
    table = Table(title=f"{len(entries)} audit records", title_justify="left")
    for column in ("seq", "time", "actor", "action", "thing", "path", "outcome", "detail"):
        table.add_column(column)
    for entry in entries:
        detail = json.dumps(entry.detail, ensure_ascii=False, separators=(",", ":")) if entry.detail else ""
        table.add_row(str(entry.seq), _time(entry.ts), _cell(entry.actor), _cell(entry.action), _cell(entry.thing),
                      _cell(entry.path), _cell(entry.outcome), _cell(detail, 80))
    console.print(table)


@app.command()
def verify(
    storage: StorageOption = DEFAULT_URL,
    anchor: Annotated[str | None, typer.Option(help="SEQ:HASH printed by an earlier verify: the log must still "
                                                    "hold that record unchanged (finds a removed tail).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Walk the hash chain and name every record that was edited, deleted, replaced or inserted; exit 1 if any."""
    try:
        expected = None if anchor is None else Anchor.parse(anchor)
    except HomeboundError as error:
        raise typer.BadParameter(str(error), param_hint="--anchor") from None
    report = _open(storage).verify(expected)
    seq, digest = report.head
    if as_json:
        print(json.dumps(report.to_json(), indent=2))
    elif report.ok:
        console.print(f"[green]ok[/green]: {report.checked} records, chain intact. Head {seq}:{digest}\n"
                      "Keep the head elsewhere and pass it as --anchor later: a chain alone cannot show records "
                      "removed from its end.", highlight=False, soft_wrap=True)
    else:
        more = f" ({report.more_problems} not shown)" if report.more_problems else ""
        count = len(report.problems) + report.more_problems
        console.print(f"[red]{count} problem{'s' if count > 1 else ''}[/red] in {report.checked} records{more}:",
                      highlight=False, soft_wrap=True)
        for problem in report.problems:
            console.print(f"  record {problem.seq} ({problem.kind.value}): {escape(problem.message)}",
                          highlight=False, soft_wrap=True)
        console.print(f"Head {seq}:{digest}", highlight=False, soft_wrap=True)
    if not report.ok:
        raise typer.Exit(1)
