"""Persistence: SQLAlchemy 2 typed models and repositories. Nothing here commits."""
