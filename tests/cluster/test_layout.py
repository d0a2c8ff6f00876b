"""A car's partition and token: the doors' function is NATS subject mapping's `partition(n, 1)`, checked against
nats-server itself (a private one on a free port, with a mapping in its configuration)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest
from nats.aio.msg import Msg

from homebound.cluster.layout import ClusterError, ClusterLayout, partition_of, thing_token, token_thing
from tests.conftest import service_missing
from tests.support.live import free_port

IDS = [f"car{n}" for n in range(500)] + ["WVWZZZ1JZXW000001", "fleet:de.berlin.17", "ключ", "a_b-c"]


def test_ids_that_subjects_cannot_carry_travel_as_hex_and_come_back() -> None:
    assert thing_token("car1") == "car1"
    assert thing_token("fleet:de.berlin.17") == "=" + b"fleet:de.berlin.17".hex()
    for thing in IDS:
        token = thing_token(thing)
        assert "." not in token and ":" not in token and token_thing(token) == thing


def test_cluster_names_are_one_subject_token() -> None:
    with pytest.raises(ClusterError, match=r"cluster name 'a\.b'"):
        ClusterLayout("a.b")


MAPPING = 'mappings = { "hb.cars.*": "hb.in.{{partition(7,1)}}.{{wildcard(1)}}" }\n'


@pytest.fixture
def mapping_server(tmp_path: Path) -> Iterator[str]:
    """A nats-server of our own on a free port, mapping `hb.cars.<token>` to `hb.in.<partition(7,1)>.<token>`."""
    server = shutil.which("nats-server") or "/usr/sbin/nats-server"
    if not Path(server).exists():
        service_missing("nats-server is not installed (apt-get install nats-server)")
    port = free_port()
    config = tmp_path / "mapping.conf"
    config.write_text(f"port: {port}\n" + MAPPING)
    process = subprocess.Popen([server, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield f"nats://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


async def test_the_doors_partition_is_the_one_nats_subject_mapping_gives(mapping_server: str) -> None:
    for _attempt in range(50):
        try:
            nc = await nats.connect(mapping_server, connect_timeout=1, allow_reconnect=False)
            break
        except Exception:
            await asyncio.sleep(0.1)
    else:
        raise AssertionError("the private nats-server did not start")
    mapped: dict[str, int] = {}

    async def record(msg: Msg) -> None:
        _, _, partition, token = msg.subject.split(".")
        mapped[token_thing(token)] = int(partition)

    await nc.subscribe("hb.in.*.*", cb=record)
    for thing in IDS:
        await nc.publish(f"hb.cars.{thing_token(thing)}", b"")
    await nc.flush()
    for _attempt in range(50):
        if len(mapped) == len(IDS):
            break
        await asyncio.sleep(0.05)
    await nc.close()
    assert mapped == {thing: partition_of(thing, 7) for thing in IDS}
