"""Simulators: things that behave like real cars and devices, speaking the same protocols, for demos and tests.

They are named as what they are: stand-ins for hardware that cannot run here. They talk to Homebound only over
its public doors (MQTT, gRPC, REST) or `Hub.ingest`, never through a side door.
"""
