"""Where the files that ship beside the code live: templates, policy packs, classifier data."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
POLICIES = ROOT / "config" / "policies"
DEMO = ROOT / "config" / "demo"
CLASSIFIERS = ROOT / "classifiers"
