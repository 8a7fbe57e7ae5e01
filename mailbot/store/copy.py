"""Copying one mailbot database into another, empty one: how a council that started on
SQLite moves to PostgreSQL (`mailbot db copy`) without losing its cases, their clocks and
history, the record of every message already handled (which stops mail being answered
twice) or the case numbering (a fresh database would hand out MB-2026-00001 again).

Both databases are at the newest schema (Store migrates them) before a row is copied.
Everything is written in one transaction on the target, read from one snapshot of the
source, so a failure half way leaves the target as empty as it was.
"""

from __future__ import annotations

from sqlalchemy import Column, Connection, Engine, Table, func, select, text, update

from mailbot.store.tables import Base

BATCH = 500  # rows per INSERT: raw mail can be megabytes a row


class CopyRefused(Exception):
    """The copy would overwrite or mix with data: nothing was written."""


def copy_database(source: Engine, target: Engine) -> dict[str, int]:
    """Copy every row of `source` into `target`, which must hold none; the rows copied
    per table, counted again on the target once written."""
    tables = Base.metadata.sorted_tables  # parents before the rows that point at them
    with target.begin() as writing:
        filled = {t.name: n for t in tables if (n := _count(writing, t))}
        if filled:
            listed = ", ".join(f"{n} {name}" for name, n in filled.items())
            raise CopyRefused(
                f"the database to copy into already holds mailbot data ({listed}); copy "
                "only into a new, empty database"
            )
        with source.connect() as reading, reading.begin():
            read = {table.name: _copy_table(reading, writing, table) for table in tables}
        if writing.dialect.name == "postgresql":
            for table in tables:
                _continue_numbering(writing, table)
        written = {table.name: _count(writing, table) for table in tables}
    if written != read:
        raise RuntimeError(f"copied {read} but the target holds {written}")  # never expected
    return written


def _count(connection: Connection, table: Table) -> int:
    return int(connection.scalar(select(func.count()).select_from(table)) or 0)


def _copy_table(reading: Connection, writing: Connection, table: Table) -> int:
    """Copy one table in batches. A column pointing into its own table (a case's parent)
    is filled in afterwards: the row it names may come later in the copy."""
    own = [c for c in table.columns if any(fk.column.table is table for fk in c.foreign_keys)]
    key = list(table.primary_key.columns)
    rows = reading.execution_options(stream_results=True, yield_per=BATCH).execute(
        select(table).order_by(*key)
    )
    links: list[dict[str, object]] = []
    copied = 0
    for batch in rows.partitions(BATCH):
        values = [dict(row._mapping) for row in batch]
        for row in values:
            pointing = {c.name: row[c.name] for c in own if row[c.name] is not None}
            if pointing:
                links.append({**{f"key_{c.name}": row[c.name] for c in key}, **pointing})
                row.update({name: None for name in pointing})
        writing.execute(table.insert(), values)
        copied += len(values)
    for link in links:
        writing.execute(
            update(table)
            .where(*[c == link[f"key_{c.name}"] for c in key])
            .values({c.name: link[c.name] for c in own if c.name in link})
        )
    return copied


def _continue_numbering(writing: Connection, table: Table) -> None:
    """PostgreSQL numbers new rows from a sequence that the copied ids did not move: set
    it past the highest id, or the first new case would collide with a copied one."""
    key = list(table.primary_key.columns)
    if len(key) != 1 or not _numbered(key[0]):
        return
    column = key[0]
    highest = writing.scalar(select(func.max(column)))
    if highest is None:
        return
    sequence = writing.scalar(
        text("SELECT pg_get_serial_sequence(:table, :column)"),
        {"table": table.name, "column": column.name},
    )
    if sequence is not None:
        writing.execute(text("SELECT setval(:sequence, :highest)"),
                        {"sequence": sequence, "highest": int(highest)})


def _numbered(column: Column[object]) -> bool:
    try:
        whole = column.type.python_type is int
    except NotImplementedError:
        return False
    return whole and column.autoincrement in (True, "auto")
