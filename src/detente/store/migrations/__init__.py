"""Alembic migrations of the review-workflow store (run by ``detente db upgrade``)."""
