"""Shared fixtures: real corpus folders and real index files in temporary directories."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from index.questions.answer import Index
from index.storage.reindex import reindex

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True, scope="session")
def _local_servers_are_reached_directly():
    """The tests' servers (the Bot API stand-in, webhooks) are on this machine: a proxy the
    machine has set for the internet must not stand between them and the bot."""
    with pytest.MonkeyPatch.context() as mp:
        for name in ("NO_PROXY", "no_proxy"):
            mp.setenv(name, ",".join(filter(None, [os.environ.get(name), "127.0.0.1,localhost"])))
        yield


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A copy of the bundled corpus, free to change."""
    folder = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", folder)
    return folder


@pytest.fixture
def db(tmp_path: Path, corpus: Path) -> Path:
    """An index of the bundled corpus."""
    path = tmp_path / "index.db"
    report = reindex(corpus, path)
    assert not report.failed
    return path


@pytest.fixture
def indexed(tmp_path: Path) -> tuple[Path, Path]:
    """The corpus and index the bot's end-to-end tests use (`bothelpers.make_corpus`): the
    bundled briefing, hostile markup, long passages and briefings to page through."""
    from bothelpers import build_index  # loads the bot, which the index's tests do without

    return build_index(tmp_path)


@pytest.fixture
def index(db: Path):
    ix = Index(db)
    yield ix
    ix.close()


@pytest.fixture
def index_of(tmp_path: Path):
    """Open an index of the briefings given as {file name: text}, each set in a folder of its
    own; every index opened is closed after the test."""
    opened: list[Index] = []

    def make(files: dict[str, str]) -> Index:
        folder = tmp_path / f"briefings-{len(opened)}"
        folder.mkdir()
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        db = folder.with_suffix(".db")
        assert not reindex(folder, db).failed
        opened.append(Index(db))
        return opened[-1]

    yield make
    for ix in opened:
        ix.close()


@pytest.fixture(scope="session")
def squad_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 SQuAD paragraphs, one briefing each, indexed through the real pipeline."""
    base = tmp_path_factory.mktemp("squad")
    folder = base / "corpus"
    folder.mkdir()
    with open(FIXTURES / "squad_sample.jsonl", encoding="utf-8") as f:
        for n, line in enumerate(f):
            doc = json.loads(line)
            text = f"---\ntitle: {doc['title']}\ndate: 2024-01-01\n---\n\n{doc['text']}\n"
            (folder / f"{n:04d}.md").write_text(text, encoding="utf-8")
    path = base / "index.db"
    reindex(folder, path)
    return path
