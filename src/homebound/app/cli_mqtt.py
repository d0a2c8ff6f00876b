"""`homebound mqtt acl`: write the Mosquitto configuration that locks the household's broker down.

From a plan (YAML; docs/security.md) and, with `--hub`, the devices a running hub has discovered, it writes into
one folder: `acl` (who may publish and read what), `passwords` (Mosquitto's format 7 hashes), `mosquitto.conf`
(anonymous off, the two files named) and `secrets.yaml` (the passwords in clear, mode 0600). New passwords are
printed once; run again after adding a device and the existing passwords are kept (`--rotate NAME` makes a new one).
"""

from __future__ import annotations

import os
import re
import secrets
import stat
from pathlib import Path
from typing import Annotated

import typer
import yaml
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from homebound.adapters.mqtt.acl import (
    AclError,
    AclPlan,
    DeviceAccount,
    acl_file,
    check_filter,
    load_plan,
    mosquitto_conf,
)
from homebound.adapters.mqtt.mosquitto_passwd import hash_password, password_file
from homebound.app.cli_hub import hub_list, hub_object, shown
from homebound.model.yaml_text import parse_yaml

app = typer.Typer(help="The MQTT broker: lock it down so each device publishes only its own topics.",
                  no_args_is_help=True)
console = Console()
errors = Console(stderr=True)
PASSWORD_BYTES = 24
SECRETS = "secrets.yaml"
MAX_HUB_DEVICES = 1000


def write_file(path: Path, text: str, mode: int) -> None:
    """Write `text` to `path` atomically, the file never readable beyond `mode`, not even for a moment."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode & 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def read_secrets(path: Path) -> dict[str, str]:
    """The passwords kept from an earlier run; a file that is not `user: password` lines is an error, never
    silently replaced."""
    if not path.exists():
        return {}
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        errors.print(f"[yellow]warning:[/yellow] {escape(str(path))} is readable by others: chmod 600 it",
                     highlight=False)
    try:
        document = parse_yaml(path.read_text(encoding="utf-8")).document
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise AclError(f"{path}: cannot read the kept passwords ({str(error)[:200]}): fix or remove it") from None
    if document is None:
        return {}
    if not isinstance(document, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                 for k, v in document.items()):
        raise AclError(f"{path}: expected `user: password` lines: fix or remove it")
    return dict(document)


def secrets_file(passwords: dict[str, str]) -> str:
    lines = ["# MQTT passwords written by `homebound mqtt acl`: keep this file secret (mode 0600).",
             "# Run `homebound mqtt acl` again and these are kept; `--rotate NAME` makes a new one."]
    lines += [f'{user}: "{passwords[user]}"' for user in sorted(passwords)]
    return "\n".join(lines) + "\n"


def username_for(device_id: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]", "_", device_id)[:64]
    return name if re.match(r"[A-Za-z0-9]", name) else ("d" + name)[:64]


def add_hub_devices(plan: AclPlan, hub: str) -> AclPlan:
    """The plan with the devices the hub discovered added (those the plan does not name); a device whose topics
    could speak for the car or another device is left out, with a warning naming it."""
    devices = list(plan.devices)
    taken = set(plan.accounts())
    listed = hub_list("GET", hub, "/api/v1/devices")
    for summary in listed[:MAX_HUB_DEVICES]:
        device_id = str(summary.get("id"))
        detail = hub_object("GET", hub, f"/api/v1/devices/{device_id}")
        topics = detail.get("topics")
        if not isinstance(topics, dict):
            errors.print(f"[red]error:[/red] {escape(hub)} does not list devices' MQTT topics: update the hub",
                         highlight=False)
            raise typer.Exit(1)
        username = username_for(device_id)
        if username in taken:
            continue
        try:
            candidate = DeviceAccount(username=username, publishes=[check_filter(str(t)) for t in
                                                                    topics.get("publishes") or []],
                                      commands=[check_filter(str(t)) for t in topics.get("commands") or []])
        except (ValueError, ValidationError) as error:
            _skip(device_id, str(error).splitlines()[-1 if isinstance(error, ValidationError) else 0])
            continue
        problem = plan.device_problem(candidate, devices)
        if problem:
            _skip(device_id, problem)
            continue
        devices.append(candidate)
        taken.add(username)
    if len(listed) > MAX_HUB_DEVICES:
        errors.print(f"[yellow]warning:[/yellow] only the first {MAX_HUB_DEVICES} of {len(listed)} devices were "
                     "taken", highlight=False)
    return AclPlan.model_validate(plan.model_dump() | {"devices": [d.model_dump() for d in devices]})


def _skip(device_id: str, reason: str) -> None:
    errors.print(f"[yellow]warning:[/yellow] device {shown(device_id)} left out: {shown(reason)}", highlight=False)


@app.command()
def acl(
    plan_file: Annotated[Path, typer.Argument(help="The plan: hub, services and devices with their topics (YAML).")],
    out: Annotated[Path, typer.Option(help="Folder for acl, passwords, mosquitto.conf and secrets.yaml.")] = Path(
        "mosquitto"),
    hub: Annotated[str | None, typer.Option("--hub", help="Also take the devices this running hub discovered.")] = None,
    rotate: Annotated[list[str] | None, typer.Option(help="Make a new password for this account (repeatable).")] = None,
) -> None:
    """Write Mosquitto's ACL, password file and configuration: each device publishes only its own topics, only the
    hub and the services you name publish the car's commands, and anonymous clients are refused."""
    try:
        plan = load_plan(plan_file)
        if hub is not None:
            plan = add_hub_devices(plan, hub)
        out.mkdir(parents=True, exist_ok=True)
        kept = read_secrets(out / SECRETS)
    except (AclError, OSError) as error:
        errors.print(f"[red]error:[/red] {escape(str(error))}", highlight=False)
        raise typer.Exit(2) from None
    accounts = plan.accounts()
    unknown = sorted(set(rotate or ()) - set(accounts))
    if unknown:
        errors.print(f"[red]error:[/red] --rotate names no account of the plan: {escape(', '.join(unknown))}",
                     highlight=False)
        raise typer.Exit(2)
    passwords = {user: kept[user] for user in accounts if user in kept and user not in (rotate or ())}
    new = {user: secrets.token_urlsafe(PASSWORD_BYTES) for user in accounts if user not in passwords}
    passwords |= new
    folder = out.resolve()
    write_file(folder / SECRETS, secrets_file(passwords), 0o600)
    write_file(folder / "passwords", password_file({u: hash_password(p) for u, p in passwords.items()}), 0o600)
    write_file(folder / "acl", acl_file(plan, plan_file.name), 0o644)
    write_file(folder / "mosquitto.conf", mosquitto_conf(str(folder / "passwords"), str(folder / "acl")), 0o644)
    _report(plan, folder, new, sorted(set(kept) - set(accounts)))


def _report(plan: AclPlan, folder: Path, new: dict[str, str], dropped: list[str]) -> None:
    console.print(f"Wrote {folder}/acl, passwords, mosquitto.conf and {SECRETS} (mode 0600) for "
                  f"{len(plan.accounts())} accounts (the hub; services: {len(plan.services)}; devices: "
                  f"{len(plan.devices)}).", highlight=False, soft_wrap=True)
    if new:
        table = Table(title="New passwords, shown once (kept in secrets.yaml)", title_justify="left")
        table.add_column("account")
        table.add_column("password")
        for user, password in new.items():
            table.add_row(escape(user), password)
        console.print(table)
    if plan.hub.username in new:
        console.print(f"The hub logs in with it: mqtt.url: mqtt://{plan.hub.username}:"
                      f"{new[plan.hub.username]}@HOST:1883", highlight=False, soft_wrap=True)
    if dropped:
        console.print(f"No longer in the plan, their passwords dropped: {escape(', '.join(dropped))}",
                      highlight=False, soft_wrap=True)
    console.print(f"Include {folder}/mosquitto.conf from your Mosquitto configuration (or copy its lines) and "
                  "restart it; the passwords file must be readable by Mosquitto's user.",
                  highlight=False, soft_wrap=True)
