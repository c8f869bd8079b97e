"""`briefbot ask` and `reindex` read their settings without pydantic exactly as `Settings` reads
them, and leave to `Settings` whatever they would not read the same way."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot import quick_settings
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def clean(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.lower().startswith("briefbot_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _same_as_settings() -> None:
    quick = quick_settings.read()
    assert quick is not None
    full = Settings()
    assert (quick.corpus, quick.db, quick.results, quick.timezone) == (
        full.corpus,
        full.db,
        full.results,
        full.timezone,
    )


def test_defaults_match(clean):
    _same_as_settings()
    (clean / ".env").write_text(Path(ROOT / ".env.example").read_text(encoding="utf-8"))
    _same_as_settings()


def test_the_environment_wins_over_the_file(clean, monkeypatch):
    (clean / ".env").write_text(
        "# a comment\n\nexport BRIEFBOT_DB = other/index.db\nBRIEFBOT_RESULTS=7\n"
        "TELEGRAM_BOT_TOKEN=123:abc\nbriefbot_timezone=Europe/Berlin\n"
    )
    _same_as_settings()
    monkeypatch.setenv("briefbot_results", "2")
    monkeypatch.setenv("BRIEFBOT_CORPUS", "/srv/briefings")
    _same_as_settings()
    assert quick_settings.read().results == 2


@pytest.mark.parametrize(
    "line",
    [
        'BRIEFBOT_DB="quoted.db"',
        "BRIEFBOT_DB=a.db # a comment",
        "BRIEFBOT_DB=${HOME}/a.db",
        "BRIEFBOT_RESULTS=11",
        "BRIEFBOT_RESULTS=three",
        "BRIEFBOT_RESULTS=",
        "not a setting line",
        "BRIEFBOT_WEBHOOK_SECRET='s#cret'",
    ],
)
def test_what_it_does_not_read_plainly_is_left_to_settings(clean, line):
    (clean / ".env").write_text(line + "\n")
    assert quick_settings.read() is None


def _imported(folder: Path, args: list[str], modules: list[str]) -> tuple[list[bool], str]:
    """Run `briefbot ARGS` in a fresh Python in `folder`, without the environment's settings:
    whether each of `modules` was imported, and what the command printed."""
    code = (
        "import sys\n"
        "from bot.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print([m in sys.modules for m in {modules!r}])\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.lower().startswith("briefbot_")}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=folder, env=env, capture_output=True, text=True
    )
    lines = out.stdout.strip().splitlines()
    assert lines, out.stderr
    return ast.literal_eval(lines[-1]), out.stdout


def test_ask_imports_no_pydantic(tmp_path):
    """pydantic-settings costs `briefbot ask` 0.15 s at every start."""
    args = ["ask", "railway", "--db", str(tmp_path / "none.db")]
    imported, _ = _imported(tmp_path, args, ["pydantic", "sqlite_utils"])
    assert imported == [False, False]


def test_reindex_imports_neither_pydantic_nor_the_question_path(tmp_path):
    """A maintainer's `reindex` pays for neither pydantic nor what answers questions, and
    still finds the corpus and the index where `.env` puts them."""
    (tmp_path / "briefings").mkdir()
    (tmp_path / "briefings" / "2024-03-19.md").write_text("# Morning\n\nThe railway opened.\n")
    (tmp_path / ".env").write_text("BRIEFBOT_CORPUS=briefings\nBRIEFBOT_DB=out/index.db\n")
    imported, printed = _imported(
        tmp_path, ["reindex", "--quiet"], ["pydantic", "index.questions.answer"]
    )
    assert imported == [False, False]
    assert "1 added" in printed
    assert (tmp_path / "out" / "index.db").is_file()
