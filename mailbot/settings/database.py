"""[database]: the store's URL, refused at start-up in words if the store could not
open it."""

from __future__ import annotations

from pydantic import field_validator

from mailbot.settings.sections import Section


class DatabaseSettings(Section):
    url: str = ""  # empty: sqlite in data_dir

    @field_validator("url")
    @classmethod
    def _usable_url(cls, url: str) -> str:
        if url:
            check_database_url(url)
        return url


def check_database_url(url: str) -> None:
    """Refuse, in words, a URL the store cannot open: found at start-up, not at the first
    query, and never echoing the password that such a URL may carry."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    hint = 'use "sqlite:///path/mailbot.db" or "postgresql+psycopg://user@host/db"'
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError(f"not a database URL; {hint}") from None
    except ValueError:  # a port that is not a number ("host:/db", "host:54x2")
        raise ValueError(
            f"the port after the host's ':' is not a number; {hint}, with :PORT only if it "
            "is not 5432"
        ) from None
    if parsed.host and "@" in parsed.host:
        # "user:p@ss@host" is read as the host "ss@host": the login would go to a machine
        # named after part of the password. (Not echoed: it would be in the log.)
        raise ValueError(
            "more than one @: a password with @ in it must be written %40 in the URL "
            "(and : as %3A, / as %2F, # as %23, % as %25)"
        )
    if parsed.get_backend_name() == "postgres":
        # psql, Heroku and other dashboards write it so; SQLAlchemy reads only "postgresql".
        raise ValueError(
            f"'{parsed.drivername}://' is PostgreSQL as psql and some hosting services write "
            "it; mailbot needs it written postgresql: start the URL postgresql+psycopg:// and "
            "keep the rest as it is"
        )
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError(
            f"{parsed.drivername!r} is not a database mailbot can use (SQLite or PostgreSQL); "
            f"{hint}"
        )
    try:
        parsed.get_dialect().import_dbapi()
    except ImportError as exc:
        fix = "install mailbot with the [postgres] extra" if parsed.get_driver_name() == (
            "psycopg"
        ) else hint
        raise ValueError(
            f"the driver for {parsed.drivername!r} is not installed ({exc}); {fix}"
        ) from None
