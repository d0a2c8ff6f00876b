"""Persistence through SQLAlchemy 2: SQLite (WAL) by default, PostgreSQL for servers, one code path for both."""
