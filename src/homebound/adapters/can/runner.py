"""Assemble a CAN gateway from validated settings: the car or mapping, its DBC files, the source, the hub link.

Both doors use this: `homebound gateway can` (command-line options become `CanGatewaySettings`) and, beside
`homebound serve`, the runtime (a `can:` section of the configuration, see docs/can.md).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

import can
from homebound.adapters.can.cars import car_mapping, load_mapping_dbcs
from homebound.adapters.can.decoder import FrameDecoder
from homebound.adapters.can.gateway import CanGateway
from homebound.adapters.can.mapping import read_defaults, read_mapping
from homebound.adapters.can.source import RawFrame, SourceStats, bus_frames, open_bus, replay_log
from homebound.adapters.hub_link import HubLink
from homebound.model.catalog import Catalog


class CanGatewaySettings(BaseModel):
    """One car's CAN gateway: what to read (a bus or a log), how to decode it, which vehicle it feeds."""

    model_config = ConfigDict(extra="forbid")
    vehicle: str = Field("car1", description="the hub's vehicle id (or VIN) the values belong to")
    car: str | None = Field(None, description="a shipped car (`homebound gateway can --list-cars`)")
    mapping: Path | None = Field(None, description="a mapping file: Kuksa's JSON/vspec form or the compact YAML")
    dbc: list[Path] = Field(default_factory=list, description="DBC files, besides those the mapping names")
    defaults: Path | None = Field(None, description="Kuksa's dbc_default_values.json for command frames")
    interface: str | None = Field(None, description="python-can interface: socketcan, virtual, pcan, slcan...")
    channel: str | None = Field(None, description="bus channel: vcan0, can0...")
    log: Path | None = Field(None, description="a recorded log to replay: candump .log, .asc, .blf, .csv, .trc")
    realtime: bool = Field(False, description="replay the log at its recorded pace (default: as fast as possible)")
    log_channel: str | None = Field(None, description="replay only this channel of the log (default: the car's)")
    flush_interval_ms: int = Field(100, ge=1, le=60_000, description="one batch to the hub per this many ms")

    @model_validator(mode="after")
    def _one_source_one_mapping(self) -> Self:
        if (self.car is None) == (self.mapping is None):
            raise ValueError("give either car (a shipped car) or mapping (a mapping file), not both or neither")
        if (self.log is None) == (self.interface is None):
            raise ValueError("give either log (a file to replay) or interface and channel (a live bus)")
        if self.interface is not None and not self.channel:
            raise ValueError("a live bus needs its channel (vcan0, can0...)")
        return self


@dataclass
class AssembledGateway:
    """A gateway ready to run, with its source and what it reports."""

    gateway: CanGateway
    chunks: AsyncIterator[list[RawFrame]]
    source_stats: SourceStats
    repairs: list[str]
    bus: can.BusABC | None = None

    async def run(self, on_tick: Callable[[CanGateway], None] | None = None) -> None:
        try:
            await self.gateway.run(self.chunks, on_tick)
        finally:
            await self.close()

    async def close(self) -> None:
        await self.gateway.link.aclose()
        if self.bus is not None:
            with contextlib.suppress(Exception):
                self.bus.shutdown()
            self.bus = None


def assemble(settings: CanGatewaySettings, link: HubLink, catalog: Catalog) -> AssembledGateway:
    """Load the mapping and DBC files, bind them to the catalog, open the source; errors name what is wrong."""
    mapping = car_mapping(settings.car) if settings.car else read_mapping(settings.mapping)  # type: ignore[arg-type]
    if settings.defaults is not None:
        mapping.defaults = {**read_defaults(settings.defaults), **mapping.defaults}
    loaded = load_mapping_dbcs(mapping, list(settings.dbc))
    decoder = FrameDecoder([d.database for d in loaded], mapping, catalog)
    gateway = CanGateway(decoder, link, flush_interval=settings.flush_interval_ms / 1000.0)
    stats = SourceStats()
    repairs = [repair for d in loaded for repair in d.repairs]
    if settings.log is not None:
        channel = settings.log_channel or mapping.channel
        chunks = replay_log(settings.log, stats, realtime=settings.realtime, channel=channel)
        return AssembledGateway(gateway, chunks, stats, repairs)
    assert settings.interface is not None and settings.channel is not None
    bus = open_bus(settings.interface, settings.channel, frame_keys=decoder.frame_ids())
    gateway.attach_bus(bus)
    return AssembledGateway(gateway, bus_frames(bus, stats), stats, repairs, bus)


def source_name(settings: CanGatewaySettings) -> str:
    if settings.log is not None:
        return f"{settings.log.name} ({'recorded pace' if settings.realtime else 'full speed'})"
    return f"{settings.interface}:{settings.channel}"


__all__ = ["AssembledGateway", "CanGatewaySettings", "assemble", "source_name"]

