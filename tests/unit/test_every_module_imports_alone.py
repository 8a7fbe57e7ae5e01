"""Every module of mailbot can be imported first, on its own.

A tool, a migration or a test that imports one module (mailbot.still_due, say) must not
depend on some other module having been imported before it: an import cycle hides
until the order changes. Each module is imported in a fresh interpreter state (every
mailbot module forgotten before the next), all in one child process to keep it quick.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import mailbot

# It uses no database: once, in the SQLite pass of `make test`, is enough (half a minute).
pytestmark = pytest.mark.skipif(os.environ.get("MAILBOT_TEST_DATABASE") == "postgresql",
                                reason="uses no database; run in the SQLite pass")

_CHILD = r"""
import importlib, sys, traceback
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "mailbot" or m.startswith("mailbot.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception:
        failed.append(name + ": " + traceback.format_exc().strip().splitlines()[-1])
print("\n".join(failed))
"""


def _module_names() -> list[str]:
    root = Path(mailbot.__file__).parent
    names = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        if "migrations" in parts or parts[-1] == "__main__":
            continue  # Alembic loads these by file; __main__ runs the CLI
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


def test_each_module_imports_with_nothing_imported_before_it() -> None:
    names = _module_names()
    assert len(names) > 50
    child = subprocess.run([sys.executable, "-c", _CHILD, *names],
                           capture_output=True, text=True, timeout=300, check=True)
    assert child.stdout.strip() == ""
