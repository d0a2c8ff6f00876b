"""Messages with MQTT's topic semantics: the `Bus` every MQTT-speaking part uses, a router, an in-process bus.

A layer of its own, below the adapters: the MQTT adapter's broker connection and the in-process `LocalBus` both
implement `Bus`, and the simulators speak to whichever one they are given.
"""

from homebound.messaging.bus import Bus, MessageHandler
from homebound.messaging.local_bus import LocalBus
from homebound.messaging.routing import TopicRouter

__all__ = ["Bus", "LocalBus", "MessageHandler", "TopicRouter"]
