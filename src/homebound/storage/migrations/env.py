"""Alembic environment: runs on the connection Homebound hands it (see `homebound.storage.database`)."""

from __future__ import annotations

from alembic import context

from homebound.storage.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through homebound.storage.database.Database.migrate()")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
