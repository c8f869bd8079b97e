"""Incremental reindexing: unchanged files skipped, changes replaced whole, bad files
reported and skipped while everything else indexes."""

import os
import sqlite3
from pathlib import Path

from index.questions.answer import Index
from index.storage.reindex import corpus_files, corpus_paths, reindex


def _count(db, table):
    with sqlite3.connect(db) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_second_run_changes_nothing(corpus, db):
    report = reindex(corpus, db)
    assert report.counts["unchanged"] == 1
    assert sum(report.counts[s] for s in ("added", "changed", "removed", "failed")) == 0


def test_touched_but_identical_file_is_unchanged(corpus, db):
    path = next(corpus.iterdir())
    os.utime(path, ns=(1, 1))
    assert reindex(corpus, db).counts["unchanged"] == 1


def test_a_file_swapped_for_a_link_out_of_the_corpus_is_refused_though_it_looks_the_same(
    corpus, db, tmp_path
):
    """An unchanged file is told by its size and time alone; a link in its place, whose
    target has the same size and time, is still looked at, and refused."""
    path = next(corpus.iterdir())
    stat = path.stat()
    outside = tmp_path / "outside.txt"
    outside.write_bytes(path.read_bytes())
    os.utime(outside, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    path.unlink()
    path.symlink_to(outside)
    report = reindex(corpus, db)
    assert [(f.path, f.status) for f in report.files] == [(path.name, "failed")]
    assert "outside the corpus" in report.files[0].reason


def test_changed_file_is_replaced_whole_and_removed_file_is_removed(corpus, db):
    (corpus / "2024-03-20-grain.txt").write_text(
        "date 2024-03-20 Wheat exports rose.\n\nRice exports fell."
    )
    report = reindex(corpus, db)
    assert report.counts["added"] == 1 and _count(db, "passages") == 7
    (corpus / "2024-03-20-grain.txt").write_text("date 2024-03-20 Barley exports rose.")
    report = reindex(corpus, db)
    assert report.counts["changed"] == 1 and _count(db, "passages") == 6
    ix = Index(db)
    assert ix.answer("barley").found and not ix.answer("rice").found
    (corpus / "2024-03-20-grain.txt").unlink()
    report = reindex(corpus, db)
    assert report.counts["removed"] == 1 and _count(db, "passages") == 5
    assert not ix.answer("barley").found
    assert _count(db, "passages_fts") == 5


def test_bad_files_are_reported_and_skipped_while_the_rest_index(corpus, tmp_path):
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (corpus / "locked.txt").write_text("Secret talks.")
    (corpus / "locked.txt").chmod(0)
    (corpus / "old.txt").write_bytes("Café owners met in Zürich.".encode("latin-1"))
    db = tmp_path / "new.db"
    report = reindex(corpus, db)
    failed = {f.path: f.reason for f in report.failed}
    assert "empty" in failed["empty.txt"]
    assert "binary" in failed["image.txt"]
    if os.geteuid() != 0:  # root reads any file
        assert "could not" in failed["locked.txt"]
    assert report.counts["added"] >= 2
    old = next(f for f in report.files if f.path == "old.txt")
    assert old.status == "added" and "UTF-8" in old.warnings[0]
    assert Index(db).answer("Zürich cafe").found
    assert Index(db).answer("railway").found
    assert {"empty.txt", "image.txt"} <= {p for p, _ in Index(db).stats().failures}


def test_a_file_that_breaks_keeps_its_last_good_version(corpus, db):
    path = next(corpus.iterdir())
    path.write_bytes(b"")
    report = reindex(corpus, db)
    assert [f.path for f in report.failed] == [path.name]
    assert Index(db).answer("railway").found


def test_a_table_of_short_lines_is_text_not_headings(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "1987-03-02-earnings.txt").write_text(
        "Shr 1.20 dlrs vs 1.05 dlrs\n\nNet 12.4 mln vs 10.9 mln\n\nRevs 140 mln vs 131 mln\n"
    )
    report = reindex(folder, tmp_path / "i.db")
    assert report.counts["added"] == 1 and not report.failed
    assert Index(tmp_path / "i.db").answer("net mln").found


def test_an_index_from_an_older_version_is_upgraded_when_opened(corpus, tmp_path):
    from sqlite_utils import Database

    from index.storage.schema import migrations

    db = tmp_path / "old.db"
    old = Database(db)
    migrations().apply(old, stop_before="add_passage_page")
    old.close()
    assert "page" not in {c.name for c in Database(db)["passages"].columns}
    ix = Index(db)
    assert not ix.answer("railway").found  # empty, but readable
    reindex(corpus, db)
    assert ix.answer("railway").hits[0].hit.page is None


def test_a_rebuild_keeps_when_unchanged_briefings_were_first_indexed(corpus, db):
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE documents SET indexed_at = '2024-03-19T08:00:00+00:00'")
    (corpus / "2024-03-21-new.txt").write_text("date 2024-03-21 Barley exports rose.")
    reindex(corpus, db, rebuild=True)
    with sqlite3.connect(db) as conn:
        times = dict(conn.execute("SELECT path, indexed_at FROM documents"))
    assert times["2024-03-19-putin-raeisi-nowruz.txt"] == "2024-03-19T08:00:00+00:00"
    assert times["2024-03-21-new.txt"] > "2026"


def test_the_corpus_is_listed_in_order_without_hidden_or_unread_files(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    for name in ("b/z.txt", "b/a.MD", "a.html", ".hidden/x.txt", "b/.x.txt", "c/d/e.pdf", "f.csv"):
        (corpus / name).parent.mkdir(parents=True, exist_ok=True)
        (corpus / name).write_text("x")
    expected = ["a.html", "b/a.MD", "b/z.txt", "c/d/e.pdf"]
    assert list(corpus_paths(corpus)) == expected
    assert list(corpus_files(corpus)) == [corpus / p for p in expected]
    monkeypatch.chdir(corpus)
    assert list(corpus_paths(Path("."))) == expected
    assert list(corpus_paths(Path("b"))) == ["a.MD", "z.txt"]
