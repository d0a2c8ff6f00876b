"""Presence tests talk to the same Mosquitto as the MQTT tests, with the same broker-side client."""

from tests.mqtt.conftest import observer

__all__ = ["observer"]
