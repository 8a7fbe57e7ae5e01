"""Persistence: tables, migrations and the repository functions the stages use."""

from mailbot.store.db import Store

__all__ = ["Store"]
