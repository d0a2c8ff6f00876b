"""The `devices` commands need a hub with devices: the MQTT tests' broker fixtures (a real Mosquitto, topic
prefixes of the test's own, retained messages cleared afterwards) are shared here."""

from __future__ import annotations

from tests.mqtt.conftest import hub_server, observer, topics

__all__ = ["hub_server", "observer", "topics"]
