"""Simulated household devices that speak Home Assistant MQTT discovery exactly like real ones."""
