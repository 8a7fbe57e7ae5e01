"""Where the files that ship with the code live: templates, policy packs, classifier data,
the demo's mail and directory, the example config.

Each is reached through a link inside the package (mailbot/_templates is a link to
../templates, and so on), declared as package data in pyproject.toml. In the source
folder, and an editable install, the link leads to the folder people edit at the top of
the repository; a wheel holds the files themselves in its place. So an installed mailbot
finds them wherever it runs, with no source folder beside it. Paths are resolved, so a
message names the real folder.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
TEMPLATES = (PACKAGE / "_templates").resolve()
POLICIES = (PACKAGE / "_packs").resolve()
CLASSIFIERS = (PACKAGE / "_classifiers").resolve()
DEMO = (PACKAGE / "_config" / "demo").resolve()
EXAMPLE_CONFIG = (PACKAGE / "_config" / "mailbot.example.toml").resolve()
