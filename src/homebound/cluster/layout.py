"""Where a cluster's things live on NATS: subjects, the stream, the key-value buckets, and a car's partition.

Every name derives from the cluster's name, so several clusters (or test runs) share one NATS without meeting:

| what                                       | name                                                          |
|--------------------------------------------|---------------------------------------------------------------|
| input log (JetStream, work queue)          | stream `HB_<c>`, subjects `hb.<c>.in.<partition>.<car>`       |
| a partition's durable pull consumer        | `p<partition>`                                                |
| commands, snapshots (request/reply)        | `hb.<c>.ask.<partition>`, answered by the partition's holder  |
| a car's accepted changes                   | `hb.<c>.changes.<car>`, published by its keeper after commit  |
| actuation requests for a door's providers  | `hb.<c>.actuate.<door>`                                       |
| leases, workers, providers (expiring); facts | KV `hb_<c>_leases`, `_workers`, `_providers`; `_meta`   |

A car's partition is `partition(n, 1)` of NATS subject mapping applied to the car's token: FNV-1a (32 bit) of the
token modulo the partition count. A server mapping `hb.<c>.cars.*` -> `hb.<c>.in.{{partition(n,1)}}.{{wildcard(1)}}`
sends each car where the doors send it (tests/cluster/test_layout.py checks this against nats-server itself).
Car ids may hold `.` and `:`, which subjects and keys cannot: such an id travels as `=` and its UTF-8 in hex.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from homebound.model.errors import HomeboundError

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_PLAIN_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,200}$")
MAX_PARTITIONS = 1024


class ClusterError(HomeboundError):
    """The cluster cannot be reached, is set up differently, or refused: the message says which and what to do."""


def thing_token(thing: str) -> str:
    """The subject token and key of a thing: its id when that is safe in both, else `=` and its UTF-8 in hex."""
    if _PLAIN_TOKEN.match(thing):
        return thing
    return "=" + thing.encode().hex()


def token_thing(token: str) -> str:
    """The thing id a token stands for (the inverse of `thing_token`)."""
    if token.startswith("="):
        return bytes.fromhex(token[1:]).decode()
    return token


def fnv1a_32(data: bytes) -> int:
    value = 0x811C9DC5
    for byte in data:
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def partition_of(thing: str, partitions: int) -> int:
    """The partition of a thing: the same function as NATS subject mapping's `partition(n, 1)` on its token."""
    return fnv1a_32(thing_token(thing).encode()) % partitions


@dataclass(frozen=True, slots=True)
class ClusterLayout:
    """The names of one cluster's subjects, stream, consumers and buckets."""

    name: str

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ClusterError(f"cluster name {self.name!r}: use 1 to 32 letters, digits, '_' or '-'")

    @property
    def stream(self) -> str:
        return f"HB_{self.name}"

    @property
    def input_subjects(self) -> str:
        return f"hb.{self.name}.in.>"

    def input_subject(self, partition: int, thing: str) -> str:
        return f"hb.{self.name}.in.{partition}.{thing_token(thing)}"

    def partition_filter(self, partition: int) -> str:
        return f"hb.{self.name}.in.{partition}.*"

    @staticmethod
    def consumer(partition: int) -> str:
        return f"p{partition}"

    def ask_subject(self, partition: int) -> str:
        return f"hb.{self.name}.ask.{partition}"

    def changes_subject(self, thing: str) -> str:
        return f"hb.{self.name}.changes.{thing_token(thing)}"

    def actuate_subject(self, door: str) -> str:
        return f"hb.{self.name}.actuate.{thing_token(door)}"

    @property
    def status_subject(self) -> str:
        return f"hb.{self.name}.status"

    @property
    def leases_bucket(self) -> str:
        return f"hb_{self.name}_leases"

    @property
    def workers_bucket(self) -> str:
        return f"hb_{self.name}_workers"

    @property
    def providers_bucket(self) -> str:
        return f"hb_{self.name}_providers"

    @property
    def meta_bucket(self) -> str:
        return f"hb_{self.name}_meta"

    @staticmethod
    def lease_key(partition: int) -> str:
        return f"p{partition}"

    @staticmethod
    def provider_key(thing: str, door: str) -> str:
        return f"{thing_token(thing)}.{thing_token(door)}"
