"""Each case's matter_key is stored (cases.matter_key): set with its subject, worked out
for the cases already there by the upgrade, blanked with the subject by the erasures, and
compared by the database as mailbot.matter compares it in Python."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from helpers import JO, make_app, run
from sqlalchemy import create_engine, literal, select

from mailbot.matter import matter_key, same_key, same_key_as
from mailbot.retention import anonymise_cases
from mailbot.store.db import alembic_config, upgrade
from mailbot.store.tables import CaseRow

PAIRS = [
    ("Pothole in Mill Lane", "RE: Any update on the pothole in Mill Lane?"),
    ("[EXTERNAL] Fwd: Pothole, Mill Lane!", "Ateb: pothole mill lane [MB-2026-00042]"),
    ("Pothole in Mill Lane", "Pothole in Mill Road"),
    ("Help", "Help with the housing list"),  # too short to be contained
    ("Bins!", "Bins not collected"),  # five letters: contained
    ("", "Pothole in Mill Lane"),
    ("RE:", "FW:"),
    ("Ffordd y Castell – twll", "Any news? Ffordd y Castell twll yn y ffordd"),
    ("Straße gesperrt", "STRASSE GESPERRT seit Montag"),  # casefold: ß is ss
    ("50% off_road", "50 off road parking"),  # no "%" or "_" left to act as LIKE's
    ("Ŵyl Dewi", "ŵyl dewi"),
]


@pytest.mark.parametrize(("one", "other"), PAIRS)
def test_the_database_marks_the_same_matter_as_python_does(
    empty_database_url: str, one: str, other: str
) -> None:
    engine = create_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            for a, b in ((one, other), (other, one)):
                a_key, b_key = matter_key(a), matter_key(b)
                by_sql = connection.scalar(select(same_key_as(a_key, literal(b_key))))
                assert bool(by_sql) is same_key(a_key, b_key), (a, b)
    finally:
        engine.dispose()


def _enquiry(n: int, subject: str) -> bytes:
    return (
        f"From: {JO[0]} <{JO[1]}>\r\nTo: memberenquiries@wiltshire.gov.uk\r\n"
        f"Subject: {subject}\r\nMessage-ID: <matter-{n}@wiltshire.gov.uk>\r\n"
        "Date: Wed, 25 Nov 2026 09:14:00 +0000\r\n\r\nThe bench by the pond is broken.\r\n"
    ).encode()


SUBJECTS = ["Broken bench in the park", "RE: [EXTERNAL] Pothole, Mill Lane!", "FW:"]


def _keys(engine_url: str) -> list[tuple[str, str]]:
    engine = create_engine(engine_url)
    try:
        with engine.connect() as connection:
            return [(subject, key) for subject, key in connection.execute(
                select(CaseRow.subject, CaseRow.matter_key).order_by(CaseRow.id))]
    finally:
        engine.dispose()


def test_cases_opened_before_the_upgrade_are_keyed_by_it(
    empty_database_url: str, tmp_path: Path
) -> None:
    app, server = make_app(tmp_path / "council", database_url=empty_database_url)
    for n, subject in enumerate(SUBJECTS):
        server.deliver(_enquiry(n, subject))
    run(app)
    app.close()
    opened = _keys(empty_database_url)
    assert [key for _, key in opened][:2] == ["brokenbenchinthepark", "potholemilllane"]
    assert all(key == matter_key(subject) for subject, key in opened)

    engine = create_engine(empty_database_url)
    try:
        command.downgrade(alembic_config(engine), "0008")  # as the last release left it
        upgrade(engine)
    finally:
        engine.dispose()
    assert _keys(empty_database_url) == opened


def test_anonymising_a_case_blanks_its_key_with_its_subject(
    empty_database_url: str, tmp_path: Path
) -> None:
    app, server = make_app(tmp_path / "council", database_url=empty_database_url)
    try:
        server.deliver(_enquiry(0, "Pothole outside 4 Elm Road"))
        run(app)
        with app.store.transaction() as session:
            (case,) = session.scalars(select(CaseRow)).all()
            assert case.matter_key == "potholeoutside4elmroad"
            anonymise_cases(session, [case.id], datetime(2030, 1, 1, tzinfo=UTC))
        with app.store.transaction() as session:
            assert session.execute(select(CaseRow.subject, CaseRow.matter_key)).one() == ("", "")
    finally:
        app.close()
