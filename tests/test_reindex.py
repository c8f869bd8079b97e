"""Reindexing that maintainers can trust: dry runs, rebuilds, runs killed at any moment, two
runs at once, readers during a run, changes limited to some paths, and legacy encodings."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from briefing_files import briefing_text
from click.testing import CliRunner

from bot.cli import main
from index.questions.answer import Index
from index.storage import store
from index.storage.reindex import ReindexBusy, reindex
from index.storage.schema import migrations

ROOT = Path(__file__).resolve().parents[1]
PAST = 1_600_000_000  # a modification time well in the past, as a settled corpus has

# A reindex in a child process that kills itself with SIGKILL at a chosen point:
#   update N   after announcing the N-th file of an in-place update, before writing it
#   rebuild N  the same, while building the fresh index of a rebuild
#   rebuild-workers N, first-workers N: the same, with the text read in two worker processes
#              (a rebuild, and a first build)
#   copy       half way through copying a rebuilt index over the live one
#   slow       never: 30 ms per file, so that another run or a reader can meet it
CHILD = """
import os, signal, sys, time
from index.storage import swap
from index.storage.reindex import reindex

corpus, db, mode, at = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
seen = 0

def progress(path):
    global seen
    seen += 1
    if seen == 1:
        print("started", flush=True)
    if mode == "slow":
        time.sleep(0.03)
    elif seen == at:
        os.kill(os.getpid(), signal.SIGKILL)

def on_copy(remaining, total):
    if remaining <= total // 2:
        os.kill(os.getpid(), signal.SIGKILL)

if mode == "copy":
    swap.STEP_PAGES = 2
report = reindex(corpus, db, rebuild=mode in ("rebuild", "rebuild-workers", "copy"),
                 progress=progress, on_copy=on_copy if mode == "copy" else None,
                 workers=2 if mode.endswith("-workers") else None)
print(report.summary(), flush=True)
"""


def child(corpus: Path, db: Path, mode: str, at: int = 0) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(corpus), str(db), mode, str(at)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def write_corpus(corpus: Path, seeds: range, version: int = 0) -> None:
    corpus.mkdir(exist_ok=True)
    for seed in seeds:
        path = corpus / f"brief-{seed:03d}.txt"
        path.write_text(briefing_text(seed + 1000 * version))
        os.utime(path, (PAST, PAST))


def change_corpus(corpus: Path) -> None:
    """State B: 30 files changed, 30 added, 20 removed."""
    write_corpus(corpus, range(0, 30), version=1)
    write_corpus(corpus, range(100, 130))
    for seed in range(80, 100):
        (corpus / f"brief-{seed:03d}.txt").unlink()


def whole(db: Path, writing: bool = True) -> dict[str, tuple[str, int]]:
    """Check the index is consistent throughout; return path → (hash, passages).

    FTS5's own check is a write, so it waits for a running reindex; `writing=False` leaves it
    out to look at the index while another process writes.
    """
    with sqlite3.connect(db, isolation_level=None) as conn:
        conn.execute("BEGIN")  # one snapshot for every query below
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        if writing:
            conn.execute("INSERT INTO passages_fts (passages_fts) VALUES ('integrity-check')")
        docs = {
            path: (sha, n)
            for path, sha, n in conn.execute("SELECT path, sha256, passages FROM documents")
        }
        counted = dict(
            conn.execute(
                "SELECT d.path, count(p.id) FROM documents d"
                " LEFT JOIN passages p ON p.document_id = d.id GROUP BY d.id"
            )
        )
        assert counted == {path: n for path, (_, n) in docs.items()}
        passage_ids = [r[0] for r in conn.execute("SELECT id FROM passages ORDER BY id")]
        fts_ids = [r[0] for r in conn.execute("SELECT rowid FROM passages_fts ORDER BY rowid")]
        assert passage_ids == fts_ids
        conn.execute("ROLLBACK")
    return docs


def matches_corpus(db: Path, corpus: Path) -> None:
    docs = whole(db)
    files = sorted(p.name for p in corpus.iterdir())
    assert sorted(docs) == files
    assert all(n > 0 for _, n in docs.values())


@pytest.fixture
def state_a(tmp_path: Path) -> tuple[Path, Path, dict]:
    corpus, db = tmp_path / "corpus", tmp_path / "index.db"
    write_corpus(corpus, range(100))
    reindex(corpus, db)
    before = whole(db)
    assert len(before) == 100
    change_corpus(corpus)
    return corpus, db, before


# --- killed at any moment -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "mode, at",
    [
        ("update", 1),
        ("update", 45),
        ("update", 110),
        ("rebuild", 1),
        ("rebuild", 70),
        ("rebuild-workers", 70),
        ("copy", 0),
    ],
)
def test_a_killed_run_leaves_the_old_index_whole_and_the_next_run_completes(state_a, mode, at):
    corpus, db, before = state_a
    run = child(corpus, db, mode, at)
    _, err = run.communicate(timeout=60)
    assert run.returncode == -signal.SIGKILL, err
    assert whole(db) == before  # exactly the old index, not a mixture
    report = reindex(corpus, db)
    assert report.counts["added"] == 30 and report.counts["removed"] == 20
    assert report.counts["changed"] == 30 and not report.failed
    matches_corpus(db, corpus)
    assert not db.with_name("index.db.rebuild").exists()


def test_a_first_build_killed_leaves_no_index_and_the_next_run_builds_it(tmp_path):
    corpus, db = tmp_path / "corpus", tmp_path / "index.db"
    write_corpus(corpus, range(100))
    run = child(corpus, db, "first-workers", 60)
    _, err = run.communicate(timeout=60)
    assert run.returncode == -signal.SIGKILL, err
    assert not db.exists()  # only the fresh file beside it, which the next run removes
    report = reindex(corpus, db)
    assert report.counts["added"] == 100 and not report.failed
    matches_corpus(db, corpus)
    assert not db.with_name("index.db.rebuild").exists()


@pytest.mark.parametrize("delay", [0.15, 0.4, 0.8])
def test_a_run_killed_from_outside_at_any_time_leaves_one_whole_index(state_a, delay):
    corpus, db, before = state_a
    run = child(corpus, db, "update")
    time.sleep(delay)
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=30)
    after = whole(db)
    assert after == before or sorted(after) == sorted(p.name for p in corpus.iterdir())
    reindex(corpus, db)
    matches_corpus(db, corpus)


# --- two runs at once, and readers meanwhile ----------------------------------------------------


def test_a_second_run_refuses_clearly_or_waits_and_never_corrupts(state_a):
    corpus, db, before = state_a
    first = child(corpus, db, "slow")
    assert first.stdout.readline().strip() == "started"
    with pytest.raises(ReindexBusy, match="another reindex is already running"):
        reindex(corpus, db)
    result = CliRunner().invoke(main, ["reindex", "--corpus", str(corpus), "--db", str(db)])
    assert result.exit_code == 1 and "another reindex is already running" in result.output
    # Meanwhile a reader sees the old index, whole.
    index = Index(db)
    assert index.stats().documents == 100 and whole(db, writing=False) == before
    assert first.poll() is None  # all of that happened while the first run was writing
    waited = reindex(corpus, db, wait=60)  # returns once the first run is done
    out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert "30 added" in out
    assert waited.counts["unchanged"] == 110 and not waited.changed_anything
    assert index.stats().documents == 110  # the same reader now sees the new index
    matches_corpus(db, corpus)


def test_readers_see_the_old_index_until_a_rebuild_swaps_in_the_new_one(state_a):
    corpus, db, _ = state_a
    index = Index(db)
    inode = db.stat().st_ino
    reindex(corpus, db)
    assert index.stats().documents == 110
    reader = sqlite3.connect(db, isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM documents").fetchone()[0] == 110
    (corpus / "brief-000.txt").unlink()
    report = reindex(corpus, db, rebuild=True)
    assert report.rebuilt and report.counts["removed"] == 1 and report.counts["unchanged"] == 109
    # A reader inside a transaction keeps its snapshot; the next one sees the rebuilt index.
    assert reader.execute("SELECT count(*) FROM documents").fetchone()[0] == 110
    reader.execute("COMMIT")
    assert reader.execute("SELECT count(*) FROM documents").fetchone()[0] == 109
    assert index.stats().documents == 109 and index.stats().last_summary.startswith("rebuilt")
    assert db.stat().st_ino == inode  # copied in, not renamed over: open readers stay valid
    assert not db.with_name("index.db.rebuild").exists()
    matches_corpus(db, corpus)


# --- dry run and rebuild ------------------------------------------------------------------------


def test_dry_run_reports_what_would_change_and_writes_nothing(state_a):
    corpus, db, before = state_a
    snapshot = db.read_bytes()
    report = reindex(corpus, db, dry_run=True)
    assert report.dry_run and report.summary().startswith("would change: 30 added, 30 changed")
    assert report.counts["removed"] == 20
    assert {f.path for f in report.files if f.status == "added"} == {
        f"brief-{s}.txt" for s in range(100, 130)
    }
    assert db.read_bytes() == snapshot and whole(db) == before
    result = CliRunner().invoke(
        main, ["reindex", "--dry-run", "--corpus", str(corpus), "--db", str(db)]
    )
    assert result.exit_code == 0 and "would change:" in result.output
    assert "removed   brief-080.txt" in result.output
    assert whole(db) == before


def test_dry_run_without_an_index_creates_none(tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, range(3))
    report = reindex(corpus, tmp_path / "index.db", dry_run=True)
    assert report.counts["added"] == 3
    assert not (tmp_path / "index.db").exists()


def test_rebuild_replaces_a_damaged_index(tmp_path):
    corpus, db = tmp_path / "corpus", tmp_path / "index.db"
    write_corpus(corpus, range(5))
    db.write_bytes(b"this is not an index" * 100)
    result = CliRunner().invoke(
        main, ["reindex", "--rebuild", "--corpus", str(corpus), "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    assert "rebuilt: 5 added" in result.output
    matches_corpus(db, corpus)


def test_rebuild_refuses_paths_and_dry_run(tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, range(1))
    with pytest.raises(ValueError):
        reindex(corpus, tmp_path / "i.db", rebuild=True, dry_run=True)
    result = CliRunner().invoke(
        main, ["reindex", "--rebuild", "--dry-run", "--corpus", str(corpus), "--db", "x.db"]
    )
    assert result.exit_code == 2 and "--rebuild" in result.output


# --- incremental details ------------------------------------------------------------------------


def test_given_paths_only_those_are_looked_at(state_a):
    corpus, db, _ = state_a
    report = reindex(corpus, db, paths=[corpus / "brief-100.txt", "brief-000.txt", "brief-080.txt"])
    assert (report.counts["added"], report.counts["changed"], report.counts["removed"]) == (1, 1, 1)
    assert len(whole(db)) == 100  # the other changes wait for their own run
    sub = corpus / "sub"
    write_corpus(sub, range(3))
    assert reindex(corpus, db, paths=[sub]).counts["added"] == 3
    for path in sub.iterdir():
        path.unlink()
    sub.rmdir()
    assert reindex(corpus, db, paths=[sub]).counts["removed"] == 3
    with pytest.raises(ValueError, match="not inside the corpus"):
        reindex(corpus, db, paths=[corpus.parent / "elsewhere.txt"])
    reindex(corpus, db)
    matches_corpus(db, corpus)


def test_a_file_modified_just_now_is_checked_again_next_time(tmp_path):
    corpus, db = tmp_path / "corpus", tmp_path / "index.db"
    corpus.mkdir()
    path = corpus / "fresh.txt"
    path.write_text("date 2024-03-19 The ferry sailed. The quay was busy.")
    reindex(corpus, db)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT mtime_ns FROM documents").fetchone()[0] == -1
    os.utime(path, (PAST, PAST))
    assert reindex(corpus, db).counts["unchanged"] == 1  # read and hashed, not rewritten
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT mtime_ns FROM documents").fetchone()[0] == PAST * 10**9


def test_a_new_analyser_rereads_everything_and_says_why(tmp_path):
    """An index made by an earlier reader or analyser is built afresh beside the old one and
    swapped in whole: every file read again, far faster than changing each in place."""
    corpus, db = tmp_path / "corpus", tmp_path / "index.db"
    write_corpus(corpus, range(3))
    reindex(corpus, db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value = 'old' WHERE key = 'analyser_version'")
    report = reindex(corpus, db)
    assert report.rebuilt and report.outdated  # every file read into a fresh index
    assert report.counts["unchanged"] == 3  # against the index before: the same contents
    assert report.summary().startswith("rebuilt, as an earlier version of briefbot made")
    again = reindex(corpus, db)
    assert not again.rebuilt and again.counts["unchanged"] == 3


def test_an_index_from_before_pages_is_migrated_by_the_next_run(tmp_path):
    corpus, db = tmp_path / "corpus", tmp_path / "index.db"
    write_corpus(corpus, range(2))
    conn = sqlite3.connect(db)
    from sqlite_utils import Database

    migrations().apply(Database(conn), stop_before="add_passage_page")
    conn.close()
    assert reindex(corpus, db).counts["added"] == 2
    (hit,) = Index(db).search("harbour ferry grain", k=1)
    assert hit.page is None


def test_legacy_encodings_are_read_with_a_warning(tmp_path):
    corpus, db = tmp_path / "corpus", tmp_path / "index.db"
    corpus.mkdir()
    (corpus / "cp1252.txt").write_bytes(
        "date 2024-03-19 The “harbour” board met in Zürich – briefly.".encode("cp1252")
    )
    (corpus / "latin1.md").write_bytes("# Café\n\nLe café était fermé à Noël.".encode("latin-1"))
    report = reindex(corpus, db)
    assert report.counts["added"] == 2
    assert all("UTF-8" in f.warnings[0] for f in report.files)
    (hit,) = Index(db).search("zurich harbour", k=1)
    assert "“harbour”" in hit.text and "–" in hit.text
    (hit,) = Index(db).search("noel", k=1)
    assert "Noël" in hit.text


def test_a_broken_file_is_skipped_while_the_others_index(tmp_path):
    corpus, db = tmp_path / "corpus", tmp_path / "index.db"
    write_corpus(corpus, range(5))
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)))
    result = CliRunner().invoke(main, ["reindex", "--corpus", str(corpus), "--db", str(db)])
    assert result.exit_code == 1
    assert "failed    broken.pdf: it could not be read as a PDF" in result.output
    assert "5 added" in result.output and "1 failed" in result.output
    stats = CliRunner().invoke(main, ["stats", "--db", str(db)])
    assert "documents    5" in stats.output and "broken.pdf" in stats.output
    (corpus / "broken.pdf").unlink()
    assert reindex(corpus, db).counts["removed"] == 0
    assert Index(db).stats().failures == []


def test_a_rebuilt_index_has_the_schema_of_one_built_in_place(tmp_path):
    """A rebuilt index has the same schema as one built in place."""
    corpus = tmp_path / "corpus"
    write_corpus(corpus, range(2))
    reindex(corpus, tmp_path / "a.db")
    reindex(corpus, tmp_path / "a.db", rebuild=True)
    conn = store.connect(tmp_path / "b.db", create=True)
    conn.close()

    def schema(path):
        with sqlite3.connect(path) as c:
            return sorted(
                c.execute("SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite%'")
            )

    assert schema(tmp_path / "a.db") == schema(tmp_path / "b.db")


def test_a_failed_file_is_not_read_again_until_it_changes(tmp_path, monkeypatch):
    monkeypatch.setattr(
        "index.storage.reindex.RACY_SECONDS", 0
    )  # trust even a file written just now
    corpus, db = tmp_path / "corpus", tmp_path / "index.db"
    write_corpus(corpus, range(2))
    broken = corpus / "broken.docx"
    broken.write_bytes(b"not a zip")
    assert "Word" in reindex(corpus, db).failed[0].reason
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE failures SET reason = 'remembered'")
    again = reindex(corpus, db)
    assert [(f.path, f.reason) for f in again.failed] == [("broken.docx", "remembered")]
    broken.chmod(0o600)  # any change to the file, even of its mode, has it read again
    assert "Word" in reindex(corpus, db).failed[0].reason


def test_a_dry_run_on_an_index_from_an_older_version_reads_it_without_migrating(tmp_path):
    corpus, db = tmp_path / "corpus", tmp_path / "index.db"
    write_corpus(corpus, range(2))
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = WAL")  # as every index is
    from sqlite_utils import Database

    migrations().apply(Database(conn), stop_before="add_passage_page")
    conn.close()
    snapshot = db.read_bytes()
    assert reindex(corpus, db, dry_run=True).counts["added"] == 2
    assert db.read_bytes() == snapshot
