"""MQTT: Home Assistant discovery in (household devices) and out (the car). See docs/mqtt.md."""
