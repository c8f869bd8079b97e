"""`briefbot run` on a fresh checkout: it builds the index it needs before serving."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from bot.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_run_indexes_the_corpus_on_first_start(tmp_path, monkeypatch) -> None:
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    monkeypatch.chdir(tmp_path)  # no .env here
    for name in ("TELEGRAM_BOT_TOKEN", "BRIEFBOT_TELEGRAM_BOT_TOKEN", "BRIEFBOT_DB"):
        monkeypatch.delenv(name, raising=False)
    # Without a token `run` opens the console chat, on the index it just built.
    result = CliRunner().invoke(main, ["run"], input="railway\n\n")
    assert result.exit_code == 0, result.output
    assert "indexing corpus first" in result.output
    assert "1 added" in result.output
    assert "Rasht-Astara railway" in result.output
    assert (tmp_path / "data" / "index.db").exists()
