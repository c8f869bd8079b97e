"""Hostile files in the corpus folder: each is reported and skipped, or read in bounded time
and memory, and the rest of the corpus indexes. The full-size run (a real 200 MB text file,
peak memory measured) is `bench/hostile_files.py`."""

from __future__ import annotations

import os
import shutil
import threading
import tracemalloc
from pathlib import Path

import pytest
from hostile_files import (
    STRANGE_NAME,
    malformed_pdfs,
    pdf_flate_bomb,
    sparse_file,
    text_file,
    zip_bomb_docx,
)

from bot import render
from index.files.documents import parse
from index.files.passages import MAX_PIECE_CHARS, passages
from index.questions.answer import Index
from index.storage.reindex import reindex

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", folder)
    return folder


def _reindex_within(corpus: Path, db: Path, seconds: float):
    """Reindex in a thread and give up waiting after `seconds`, so a hang fails the test
    instead of stopping the suite."""
    result: list = []
    worker = threading.Thread(target=lambda: result.append(reindex(corpus, db)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"the reindex still runs after {seconds} s"
    return result[0]


def test_hostile_files_are_reported_and_the_rest_indexes(corpus: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("The zebra password is kept outside the corpus.\n")
    sparse_file(corpus / "huge.txt", 200 * 2**20)
    (corpus / "bomb.docx").write_bytes(zip_bomb_docx(100 * 2**20))
    (corpus / "inflating.pdf").write_bytes(pdf_flate_bomb(5 * 2**20))
    for name, data in malformed_pdfs().items():
        (corpus / name).write_bytes(data)
    (corpus / "link.txt").symlink_to(outside)
    os.mkfifo(corpus / "pipe.txt")  # reading it would wait for a writer for ever
    (corpus / STRANGE_NAME).write_text(
        "date 2024-03-20\n\nThe Caspian ferry resumed service to Baku.\n"
    )
    (corpus / f"empty {STRANGE_NAME}").write_text("")
    text_file(corpus / "one-line.txt", 5 * 2**20, line=None)

    report = _reindex_within(corpus, tmp_path / "index.db", 60)

    failed = {f.path: f.reason for f in report.failed}
    assert set(failed) >= {"huge.txt", "bomb.docx", "inflating.pdf", "link.txt", "pipe.txt"}
    assert "200 MB" in failed["huge.txt"] and "split it" in failed["huge.txt"]
    assert "unpacks to" in failed["bomb.docx"]
    assert "drawing instructions" in failed["inflating.pdf"]
    assert "outside the corpus" in failed["link.txt"]
    assert "not a regular file" in failed["pipe.txt"]
    for name in malformed_pdfs():  # each is either read or says why not
        assert name in failed or name in {f.path for f in report.files}
    statuses = {f.path: f.status for f in report.files}
    assert statuses[STRANGE_NAME] == "added"
    assert statuses["one-line.txt"] == "added"
    assert statuses["2024-03-19-putin-raeisi-nowruz.txt"] == "added"

    index = Index(tmp_path / "index.db")
    assert index.answer("Caspian ferry Baku").found
    assert index.answer("Raeisi railway").found
    assert not index.answer("zebra password").found  # the link's target was never read
    longest = index.connection().execute("SELECT max(length(text)) FROM passages").fetchone()[0]
    assert longest <= 4_100  # the 5 MB line was cut into passages a message can hold
    # The maintainer's report of all this is one well-formed message.
    message = render.reindex_message(report.summary(), list(failed.items()))
    assert render.size(message) <= 4096
    assert f"empty {STRANGE_NAME}: the file is empty" in message  # named as it is, escaped
    index.close()


def test_an_oversized_file_is_refused_before_it_is_read(corpus: Path, tmp_path: Path) -> None:
    """A 200 MB file costs nothing to skip: it is never read into memory."""
    sparse_file(corpus / "huge.txt", 200 * 2**20)
    tracemalloc.start()
    try:
        report = reindex(corpus, tmp_path / "index.db")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [f.path for f in report.failed] == ["huge.txt"]
    assert peak < 20 * 2**20, f"peak {peak / 2**20:.0f} MB"


def test_a_file_that_grew_since_it_was_looked_at_is_read_whole_up_to_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file is read for the size it had when looked at, and on if it grew since: whole
    while it stays under the limit, refused once past it."""
    from index.files.model import UnreadableFile
    from index.storage import reindex as module

    file = tmp_path / "growing.txt"
    file.write_text("x" * 10)
    stat = file.stat()
    file.write_text("y" * 100)
    assert module._read_limited(file, stat) == b"y" * 100
    monkeypatch.setattr(module, "MAX_TEXT_BYTES", 50)
    with pytest.raises(UnreadableFile, match="grew past"):
        module._read_limited(file, stat)


@pytest.mark.parametrize(
    "text",
    ["freight tariff " * 20_000, "x" * 300_000, "Short. " + "base64+/" * 40_000 + " end."],
    ids=["no-full-stop", "one-word", "mixed"],
)
def test_text_without_sentence_ends_is_cut_into_passages_a_message_can_hold(text: str) -> None:
    doc = parse(text.encode(), "2024-03-19-run.txt")
    parts = passages(doc)
    assert max(len(p.text) for p in parts) <= MAX_PIECE_CHARS + 20
    assert all(doc.text[p.start : p.end] == p.text for p in parts)  # spans still true
    assert "".join(p.text for p in parts).replace(" ", "") == text.replace(" ", "")  # all kept
