"""From one box to a fleet: doors and workers sharing the cars over NATS JetStream and PostgreSQL.

A door validates a car's batch and stores it in the cluster's input log (a JetStream stream, one subject per
partition of cars); the worker holding the partition (a lease in a key-value bucket) applies it to its hub and
commits state and history to PostgreSQL before acknowledging it. See docs/cluster.md.
"""
