"""Small named values that survive a restart (the `state` table): cursors and the like."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mailbot.store.tables import StateRow


def read_value(session: Session, key: str) -> str | None:
    row = session.get(StateRow, key)
    return row.value if row is not None else None


def write_value(session: Session, key: str, value: str | None) -> None:
    """Set `key` to `value`; None removes it."""
    row = session.get(StateRow, key)
    if value is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(StateRow(key=key, value=value))
    else:
        row.value = value
