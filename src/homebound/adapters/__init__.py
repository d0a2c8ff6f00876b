"""The edges: each adapter speaks one protocol and talks to the hub only through `ingest` and `command`."""
