"""mailbot as a council installs it: the wheel, in a virtualenv of its own, run from an
empty folder with no source tree beside it.

Every other test runs the checkout's editable install, where templates, packs, classifier
data and the demo are found in the repository whatever pyproject.toml ships; a file left
out of the wheel shows only here. The build and install are offline: this venv's
setuptools builds the wheel, pip installs it without its dependencies, and the new venv
reads them from this one's site-packages (a path in a .pth file, so this venv's own .pth
files, the editable install's among them, are not run there).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# What the code reads at run time: the repository's folder → where the wheel holds it.
SHIPPED = {
    "templates": "mailbot/_templates",
    "classifiers/patterns": "mailbot/_classifiers/patterns",
    "classifiers/data": "mailbot/_classifiers/data",
    "config/policies": "mailbot/_packs",
    "config/demo": "mailbot/_config/demo",
    "config/mailbot.example.toml": "mailbot/_config/mailbot.example.toml",
    "mailbot/store/migrations": "mailbot/store/migrations",
}
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "mailbot", "templates", "classifiers",
           "config")  # fmt: skip
# The source distribution also carries what a packager rebuilding it needs (MANIFEST.in).
SDIST_EXTRAS = ("MANIFEST.in", "Makefile", "docs", "tests", "bench")

pytestmark = [pytest.mark.slow, pytest.mark.own_database]


def _run(args: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _clean_env() -> dict[str, str]:
    """The environment of an administrator's shell: no MAILBOT_* (the test database),
    no PYTHONPATH leading back to the checkout."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith("MAILBOT_") and k not in ("PYTHONPATH", "PYTHONHOME")}


def _source_tree(tmp_path_factory: pytest.TempPathFactory, names: tuple[str, ...]) -> Path:
    """A copy of the checkout's `names`, outside it, so a build writes nothing here."""
    source = tmp_path_factory.mktemp("source")
    for name in names:
        path = REPO / name
        if path.is_dir():
            # Links kept as links, as git keeps them: the build must follow mailbot/_templates
            ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
            shutil.copytree(path, source / name, symlinks=True, ignore=ignore)
        else:
            shutil.copy2(path, source / name)
    return source


def _build(source: Path, what: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the `what` ("wheel" or "sdist") of `source` offline; returns the file."""
    dist = tmp_path_factory.mktemp("dist")
    build = f"import sys; from setuptools import build_meta; build_meta.build_{what}(sys.argv[1])"
    _run([sys.executable, "-c", build, dist], cwd=source)
    (built,) = dist.iterdir()
    return built


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(_source_tree(tmp_path_factory, SOURCES), "wheel", tmp_path_factory)


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The venv's bin folder, with the wheel installed in it."""
    venv = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=venv)
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps",
          "--no-index", "--disable-pip-version-check", wheel], cwd=venv, env=_clean_env())
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                     cwd=venv).strip())
    (site / "mailbot_test_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return venv / "bin"


def test_the_wheel_holds_every_file_mailbot_reads_at_run_time(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = []
    for folder, inside in SHIPPED.items():
        path = REPO / folder
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        for file in files:
            if "__pycache__" in file.parts:
                continue
            name = inside if file == path else f"{inside}/{file.relative_to(path).as_posix()}"
            if name not in names:
                missing.append(f"{file.relative_to(REPO)} (as {name})")
    assert not missing, "left out of the wheel:\n" + "\n".join(missing)


def test_the_installed_wheel_runs_the_demo_from_an_empty_folder(
    installed: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    env = _clean_env()
    where = _run([installed / "python", "-c", "import mailbot; print(mailbot.__file__)"],
                 cwd=empty, env=env)
    assert Path(where.strip()).is_relative_to(installed.parent), where  # not the checkout's

    home = tmp_path / "demo"
    shown = _run([installed / "mailbot", "demo", "--home", home], cwd=empty, env=env)
    assert "MB-2026-00001" in shown and "Mail not answered" in shown
    acks = list((home / "outbox").glob("*.eml"))
    assert len(acks) >= 8  # acknowledgements and assignments, from the installed templates
    assert not list(empty.iterdir())  # nothing written where it was started


def test_the_installed_example_config_loads_its_pack(installed: Path, tmp_path: Path) -> None:
    """An administrator starts from the example the wheel ships: it parses, names a pack
    the installed mailbot has, and asks only for the council's own directory files."""
    env = _clean_env()
    find = "from mailbot.resources import EXAMPLE_CONFIG; print(EXAMPLE_CONFIG)"
    example = Path(_run([installed / "python", "-c", find], cwd=tmp_path, env=env).strip())
    shutil.copy(example, tmp_path / "mailbot.toml")
    done = subprocess.run([installed / "mailbot", "check-config"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    errors = [line for line in done.stderr.splitlines() if line.startswith("mailbot: error")]
    assert done.returncode == 2
    assert [error.split(" with a header line")[0] for error in errors] == [
        f"mailbot: error: {tmp_path / 'mailbot.toml'}: directory.{key}: file "
        f"{tmp_path / f'{key}.csv'} does not exist; export it from Excel as \"CSV UTF-8 "
        "(Comma delimited)\"" for key in ("members", "officers")
    ]


def test_the_source_distribution_carries_the_docs_tests_and_makefile(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    source = _source_tree(tmp_path_factory, SOURCES + SDIST_EXTRAS)
    sdist = _build(source, "sdist", tmp_path_factory)
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    wanted = ["LICENSE", "Makefile", "README.md", "docs/deployment.md", "bench/bench_ingest.py",
              "tests/conftest.py", "mailbot/_templates/_partials/ack.en.txt"]
    assert [name for name in wanted if name not in names] == []
    assert not [name for name in names if "__pycache__" in name]
