"""Eclipse Kuksa compatibility: the `kuksa.val.v1` and `kuksa.val.v2` gRPC services on one port.

Uses the generated stubs and servicer base classes that `kuksa-client` ships, so the wire format is exactly
Kuksa's. Every read, write and command goes through the hub, with the hub's validation.
"""
