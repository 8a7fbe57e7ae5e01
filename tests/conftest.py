"""Shared pytest fixtures. Server fixtures live in tests/fixtures/ and are imported here."""
