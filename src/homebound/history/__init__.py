"""History: every accepted change recorded, off the ingest path, and queries over it."""
