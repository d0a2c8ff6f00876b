"""The hub: current state of every thing, subscriptions, and the command lifecycle.

Every change enters through `Hub.ingest` and every command through `Hub.command`; adapters never write state
any other way, and read only through the hub's read methods, which return `Reading`s and `ThingInfo`s.
"""

from homebound.hub.commands import Command, CommandState
from homebound.hub.core import Hub, IngestResult
from homebound.hub.events import ChangeBatch, Field, Update
from homebound.hub.owners import OwnerKind
from homebound.hub.reading import Reading, ThingInfo, ThingKind
from homebound.hub.subscriptions import Subscription

__all__ = ["ChangeBatch", "Command", "CommandState", "Field", "Hub", "IngestResult", "OwnerKind", "Reading",
           "Subscription", "ThingInfo", "ThingKind", "Update"]
