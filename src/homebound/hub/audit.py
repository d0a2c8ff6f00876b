"""What an audit record is, its canonical form, and the hash chain that makes editing or deleting one visible.

Every record names who (`actor`, a principal string), what (`action`), on what (`thing`, `path`), how it ended
(`outcome`) and the details (`detail`, a small JSON object). Records are numbered (`seq`, 1, 2, 3, ... without
gaps) and chained: each carries the hash of the one before (`prev_hash`; the first carries `GENESIS`), and its own
`hash` is the SHA-256 of the canonical JSON of every field but `hash`. Editing a record changes its hash; deleting
one leaves a gap in `seq` or a `prev_hash` that matches nothing; so `ChainWalk` names the first record that breaks.

This module is pure (no I/O), so the hub and its doors can build records, and the storage layer
(`storage/audit_store.py`) keeps and walks them. Text that came from the network (an unknown user's name on a
failed sign-in, a path) is cut and cleaned here, before it is hashed, so the stored record is exactly what was
hashed and any database stores it.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from homebound.model.canonical import canonical_json
from homebound.model.errors import HomeboundError, shown

GENESIS = "0" * 64
HASHED_FIELDS = ("seq", "ts", "actor", "action", "thing", "path", "detail", "outcome", "prev_hash")
MAX_ACTOR_CHARS = 255
MAX_ACTION_CHARS = 64
MAX_THING_CHARS = 128
MAX_PATH_CHARS = 255
MAX_OUTCOME_CHARS = 64
MAX_DETAIL_BYTES = 4096
MAX_DETAIL_DEPTH = 4
MAX_DETAIL_ITEMS = 20
MAX_DETAIL_STRING = 300
FINGERPRINT_CHARS = 12
_ACTION = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")
# Control characters would let a crafted name forge lines in a terminal or a log; NUL cannot be stored in PostgreSQL.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


class AuditAction(StrEnum):
    """The actions Homebound audits (an action is any dotted lower-case name; these are the ones it writes)."""

    COMMAND_CREATED = "command.created"
    COMMAND_CONFIRMED = "command.confirmed"
    COMMAND_FAILED = "command.failed"
    COMMAND_TIMED_OUT = "command.timed_out"
    COMMAND_REFUSED = "command.refused"
    GRANT_CREATED = "grant.created"
    GRANT_REVOKED = "grant.revoked"
    ACCOUNT_CREATED = "account.created"
    ACCOUNT_REVOKED = "account.revoked"
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in.failed"
    ACCESS_REFUSED = "access.refused"


class AuditError(HomeboundError):
    """An audit record that cannot be made (a malformed action name or timestamp)."""


def clean_text(value: object, limit: int) -> str:
    """Text as the log keeps it: control characters escaped, invalid Unicode replaced, cut to `limit` chars."""
    text = value if isinstance(value, str) else str(value)
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _clean_detail(value: object, depth: int = 0) -> object:
    """A JSON value bounded in depth, width and string length; anything else shown as cut text."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if value.bit_length() < 64 else f"<an integer of {value.bit_length()} bits>"
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, str):
        return clean_text(value, MAX_DETAIL_STRING)
    if depth >= MAX_DETAIL_DEPTH:
        return clean_text(shown(value), MAX_DETAIL_STRING)
    if isinstance(value, Mapping):
        items = list(value.items())
        cleaned = {clean_text(k, 80): _clean_detail(v, depth + 1) for k, v in items[:MAX_DETAIL_ITEMS]}
        if len(items) > MAX_DETAIL_ITEMS:
            cleaned["…"] = f"{len(items) - MAX_DETAIL_ITEMS} more"
        return cleaned
    if isinstance(value, list | tuple):
        cleaned_list = [_clean_detail(v, depth + 1) for v in value[:MAX_DETAIL_ITEMS]]
        if len(value) > MAX_DETAIL_ITEMS:
            cleaned_list.append(f"… {len(value) - MAX_DETAIL_ITEMS} more")
        return cleaned_list
    return clean_text(shown(value), MAX_DETAIL_STRING)


def clean_detail(detail: Mapping[str, object]) -> dict[str, object]:
    """The detail as it is stored and hashed: bounded JSON, at most `MAX_DETAIL_BYTES` once serialised."""
    cleaned = _clean_detail(dict(detail))
    assert isinstance(cleaned, dict)
    text = canonical_json(cleaned)
    if len(text) <= MAX_DETAIL_BYTES:
        return cleaned
    return {"truncated": True, "shown": clean_text(text.decode("utf-8"), MAX_DETAIL_BYTES // 2)}


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One thing to audit, as a door or the hub describes it; `AuditStore.append` numbers and chains it.

    Text fields may come from anyone (a sign-in name, a path): they are cleaned and cut, never refused, so an
    attempt is always recorded. The action is the program's own word and must be a dotted lower-case name.
    """

    action: str
    actor: str
    thing: str | None = None
    path: str | None = None
    detail: Mapping[str, object] = field(default_factory=dict)
    outcome: str | None = None
    ts: float | None = None

    def __post_init__(self) -> None:
        if len(self.action) > MAX_ACTION_CHARS or not _ACTION.fullmatch(self.action):
            raise AuditError(f"audit action {shown(self.action)} is not a dotted lower-case name of at most "
                             f"{MAX_ACTION_CHARS} characters (e.g. {AuditAction.COMMAND_CREATED.value!r})")
        if self.ts is not None and (not isinstance(self.ts, float | int) or not math.isfinite(self.ts)):
            raise AuditError(f"audit timestamp {shown(self.ts)} is not a finite number of seconds")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """A record as the log keeps it: numbered, cleaned, and chained to the one before."""

    seq: int
    ts: float
    actor: str
    action: str
    thing: str | None
    path: str | None
    detail: dict[str, object]
    outcome: str | None
    prev_hash: str
    hash: str

    def hashed_fields(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in HASHED_FIELDS}

    def to_json(self) -> dict[str, object]:
        return {**self.hashed_fields(), "hash": self.hash}


def entry_hash(fields: Mapping[str, object]) -> str:
    """SHA-256 (hex) of the canonical JSON of the hashed fields (every field but `hash`, `prev_hash` included)."""
    return hashlib.sha256(canonical_json({name: fields[name] for name in HASHED_FIELDS})).hexdigest()


def fingerprints(fields: Mapping[str, object]) -> dict[str, str]:
    """A short hash of each field, kept beside the record, so `verify` can say which field of an edited one changed.

    They are a diagnosis, not a protection: the chain is what proves a record intact.
    """
    return {name: hashlib.sha256(canonical_json(fields[name])).hexdigest()[:FINGERPRINT_CHARS]
            for name in HASHED_FIELDS}


def chain(records: list[AuditRecord], last_seq: int, last_hash: str, now: float | None = None) -> list[AuditEntry]:
    """Number and chain `records` after the record (`last_seq`, `last_hash`); (0, GENESIS) for an empty log."""
    entries: list[AuditEntry] = []
    seq, previous = last_seq, last_hash
    clock = time.time() if now is None else now
    for record in records:
        seq += 1
        partial = AuditEntry(
            seq=seq, ts=round(float(record.ts if record.ts is not None else clock), 6),
            actor=clean_text(record.actor, MAX_ACTOR_CHARS), action=record.action,
            thing=None if record.thing is None else clean_text(record.thing, MAX_THING_CHARS),
            path=None if record.path is None else clean_text(record.path, MAX_PATH_CHARS),
            detail=clean_detail(record.detail),
            outcome=None if record.outcome is None else clean_text(record.outcome, MAX_OUTCOME_CHARS),
            prev_hash=previous, hash="")
        entry = replace(partial, hash=entry_hash(partial.hashed_fields()))
        entries.append(entry)
        previous = entry.hash
    return entries


class ProblemKind(StrEnum):
    EDITED = "edited"
    MISSING = "missing"
    BROKEN_LINK = "broken_link"
    OUT_OF_ORDER = "out_of_order"
    UNREADABLE = "unreadable"
    ANCHOR = "anchor"


@dataclass(frozen=True, slots=True)
class ChainProblem:
    """One place where the log is not what was written: which record, what kind of damage, in words."""

    seq: int
    kind: ProblemKind
    message: str


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """A row as read back from the database, before it is trusted: the fields, the stored hash and fingerprints."""

    fields: dict[str, object]
    hash: str
    fingerprints: dict[str, str] | None


@dataclass(frozen=True, slots=True)
class Anchor:
    """A (seq, hash) pair the operator kept elsewhere: the log must still hold that record with that hash."""

    seq: int
    hash: str

    @classmethod
    def parse(cls, text: str) -> Anchor:
        seq, _, digest = text.strip().partition(":")
        if not seq.isdigit() or int(seq) < 1 or not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise AuditError(f"anchor {shown(text)} is not SEQ:HASH (a record number and its 64 hex digit hash, "
                             "as `homebound audit verify` prints them)")
        return cls(int(seq), digest)


class ChainWalk:
    """Walks stored records in `seq` order and names what breaks the chain.

    It follows the stored hashes, so one edited record is one problem, not a cascade; `head` is the last record
    seen, which an operator can keep elsewhere (an `Anchor`) to notice a removed tail later.
    """

    def __init__(self, anchor: Anchor | None = None) -> None:
        self.anchor = anchor
        self.checked = 0
        self.head: tuple[int, str] = (0, GENESIS)
        self._anchor_seen = False

    def feed(self, record: StoredRecord) -> list[ChainProblem]:
        seq = record.fields["seq"]
        assert isinstance(seq, int)
        last_seq, last_hash = self.head
        problems: list[ChainProblem] = []
        linked_check = True
        if seq > last_seq + 1:
            gone = f"record {last_seq + 1} is" if seq == last_seq + 2 else f"records {last_seq + 1} to {seq - 1} are"
            problems.append(ChainProblem(last_seq + 1, ProblemKind.MISSING,
                                         f"{gone} missing: deleted from the log"))
            linked_check = False
        elif seq < 1:
            problems.append(ChainProblem(seq, ProblemKind.OUT_OF_ORDER,
                                         f"record {seq} comes before the first record (1): inserted into the log"))
        problems += self._check_hash(seq, record)
        if linked_check and record.fields["prev_hash"] != last_hash:
            before = f"record {last_seq}" if last_seq else "the start of the log"
            problems.append(ChainProblem(seq, ProblemKind.BROKEN_LINK,
                                         f"the chain breaks between {before} and record {seq}: record {seq}'s "
                                         f"prev_hash {_short(record.fields['prev_hash'])} is not {before}'s hash "
                                         f"{_short(last_hash)} (a record was replaced or rewritten there)"))
        if self.anchor is not None and seq == self.anchor.seq:
            self._anchor_seen = True
            if record.hash != self.anchor.hash:
                problems.append(ChainProblem(seq, ProblemKind.ANCHOR,
                                             f"record {seq} has hash {_short(record.hash)}, the anchor says "
                                             f"{_short(self.anchor.hash)}: the log was rewritten from there on"))
        self.checked += 1
        self.head = (seq, record.hash)
        return problems

    def finish(self) -> list[ChainProblem]:
        """Problems only the end of the walk can tell: an anchored record that is no longer there."""
        if self.anchor is None or self._anchor_seen:
            return []
        return [ChainProblem(self.anchor.seq, ProblemKind.ANCHOR,
                             f"record {self.anchor.seq} was anchored but is not in the log (it ends at record "
                             f"{self.head[0]}): records were removed")]

    @staticmethod
    def _check_hash(seq: int, record: StoredRecord) -> list[ChainProblem]:
        try:
            recomputed = entry_hash(record.fields)
        except (TypeError, ValueError) as error:
            return [ChainProblem(seq, ProblemKind.UNREADABLE, f"record {seq} cannot be hashed: {shown(error)}")]
        if recomputed == record.hash:
            return []
        stored = record.fingerprints or {}
        changed = [name for name, digest in fingerprints(record.fields).items() if stored.get(name) != digest]
        if stored and changed and len(changed) < len(HASHED_FIELDS):
            what = ", ".join(changed)
            return [ChainProblem(seq, ProblemKind.EDITED,
                                 f"record {seq} was edited: {what} changed (its hash no longer matches its contents)")]
        return [ChainProblem(seq, ProblemKind.EDITED,
                             f"record {seq}'s hash does not match its contents: the record was forged or its hash "
                             "was edited")]


def _short(digest: object) -> str:
    text = str(digest)
    return text[:12] + "…" if len(text) > 12 else repr(text)
