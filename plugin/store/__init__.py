"""Persistence: SQLAlchemy models, the engine/session wiring and Alembic migrations."""
