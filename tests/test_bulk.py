"""A whole build written in bulk (first build, `--rebuild`) is the index a build one file at a
time makes: the same rows, the same FTS5 content, and the same answers to every question,
by the postings plan and by FTS5's `bm25()`, with the text read in worker processes or not,
and with the postings inverted in many small chunks or one, sorted in runs or not."""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.storage import bulk, frequencies, postings, prepare, store, vocabulary
from index.storage.reindex import reindex
from index.storage.search import Filters, question_terms, rank_fts5, search

FIXTURES = Path(__file__).parent / "fixtures"
PAST = 1_600_000_000


def _write_corpus(folder: Path) -> None:
    """SQuAD paragraphs as dated Markdown briefings, some undated, one unreadable."""
    folder.mkdir()
    with open(FIXTURES / "squad_sample.jsonl", encoding="utf-8") as f:
        docs = [json.loads(line) for line in f][:160]
    for n, doc in enumerate(docs):
        date = dt.date(2024, 1, 1) + dt.timedelta(days=n % 40)
        front = f"title: {doc['title']}\n" + (f"date: {date}\n" if n % 13 else "")
        text = doc["text"] + ("" if n % 3 == 0 else " Zebras noted zebra.")
        path = folder / f"{n // 50}" / f"{n:04d}.md"
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"---\n{front}---\n\n## Part {n}\n\n{text}\n", encoding="utf-8")
        os.utime(path, (PAST, PAST))
    (folder / "broken.txt").write_bytes(b"\x00\x01 not text")


def _questions(conn: sqlite3.Connection) -> list[list[str]]:
    with open(FIXTURES / "squad_questions.jsonl", encoding="utf-8") as f:
        asked = [question_terms(json.loads(line)["question"]) for line in f][:200]
    counts: dict[str, int] = {}
    for (terms,) in conn.execute("SELECT terms FROM passages_fts"):
        for t in set(terms.split()):
            counts[t] = counts.get(t, 0) + 1
    common = sorted(counts, key=lambda t: (-counts[t], t))[:12]
    return [q for q in asked if q] + [common[i : i + n] for n in (2, 3, 5) for i in (0, 4)]


def _rows(conn: sqlite3.Connection) -> dict[str, list]:
    return {
        "documents": conn.execute(
            "SELECT id, path, sha256, size, mtime_ns, title, date, source, warnings, passages"
            " FROM documents ORDER BY id"
        ).fetchall(),
        "passages": conn.execute("SELECT * FROM passages ORDER BY id").fetchall(),
        "fts": conn.execute("SELECT rowid, terms FROM passages_fts ORDER BY rowid").fetchall(),
        "failures": conn.execute("SELECT path, reason, size FROM failures").fetchall(),
    }


def _answers(conn: sqlite3.Connection, questions, filters: Filters) -> list:
    out = []
    for terms in questions:
        fast = [(h.passage_id, round(h.score, 9)) for h in search(conn, terms, 10, filters)]
        plain = [(pid, round(s, 9)) for pid, s in rank_fts5(conn, terms, 10, filters)]
        assert fast == plain, terms
        out.append(fast)
    return out


@pytest.fixture
def incremental(tmp_path: Path) -> Path:
    """The corpus indexed one file at a time: an empty first build, then every file added."""
    corpus, db = tmp_path / "corpus", tmp_path / "incremental.db"
    corpus.mkdir()
    reindex(corpus, db)
    shutil.rmtree(corpus)
    _write_corpus(corpus)
    report = reindex(corpus, db)
    assert report.counts["added"] == 160 and report.counts["failed"] == 1
    return db


@pytest.mark.parametrize(
    "workers, chunk, run", [(0, None, None), (2, None, None), (2, 1_000, None), (2, None, 300)]
)
def test_a_bulk_build_answers_as_one_built_file_by_file(
    tmp_path, incremental, monkeypatch, workers, chunk, run
):
    if chunk is not None:  # many small segments, as a build of millions of passages makes
        monkeypatch.setattr(postings.writing, "CHUNK_TOKENS", chunk)
    if run is not None:  # one segment of many runs, each sorted in a thread of the writer
        monkeypatch.setattr(postings.segments, "RUN_TOKENS", run)
    if chunk is not None or run is not None:  # spelling keys made as terms come, in threads
        monkeypatch.setattr(bulk, "KEY_TERMS", 64)
    corpus, db = tmp_path / "corpus", tmp_path / "bulk.db"
    report = reindex(corpus, db, workers=workers)
    assert report.counts["added"] == 160 and report.counts["failed"] == 1
    assert [f.path for f in report.failed] == ["broken.txt"]
    assert len(report.undated) == 160 // 13 + 1
    live = store.connect(incremental)
    built = store.connect(db)
    assert _rows(built) == _rows(live)
    assert postings.check(built)["passages"] == postings.check(live)["passages"]
    assert postings.check(built)["tokens"] == postings.check(live)["tokens"]
    if chunk is not None:
        assert postings.check(built)["segments"] > 5
    assert frequencies.read(built) == frequencies.read(live)
    assert frequencies.read(built)[0] == _fts_df(built)
    # FTS5's settings for the build (a larger memory for pending terms) are not left behind.
    for conn in (built, live):
        assert [k for (k,) in conn.execute("SELECT k FROM passages_fts_config")] == ["version"]
    questions = _questions(live)
    for filters in (Filters(), Filters(dt.date(2024, 1, 10), dt.date(2024, 1, 25))):
        assert _answers(built, questions, filters) == _answers(live, questions, filters)
    built.execute("INSERT INTO passages_fts (passages_fts) VALUES ('integrity-check')")


def test_a_rebuild_in_workers_reports_against_the_live_index(tmp_path, incremental):
    corpus = tmp_path / "corpus"
    changed = corpus / "0" / "0001.md"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nA new line.\n", encoding="utf-8")
    (corpus / "0" / "0002.md").unlink()
    report = reindex(corpus, incremental, rebuild=True, workers=2)
    assert report.rebuilt
    assert report.counts["changed"] == 1 and report.counts["removed"] == 1
    assert report.counts["unchanged"] == 158 and report.counts["failed"] == 1
    # Then an update in place goes on from the bulk-built postings.
    (corpus / "0" / "0003.md").unlink()
    assert reindex(corpus, incremental).counts["removed"] == 1
    conn = store.connect(incremental)
    _answers(conn, _questions(conn), Filters())


def _fts_df(conn: sqlite3.Connection) -> dict[str, int]:
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.v USING fts5vocab(main, passages_fts, row)"
    )
    return dict(conn.execute("SELECT term, doc FROM temp.v"))


def test_the_stored_frequencies_follow_every_change(tmp_path, incremental):
    corpus = tmp_path / "corpus"
    conn = store.connect(incremental)
    assert frequencies.read(conn)[0] == _fts_df(conn)  # built file by file
    for n in range(0, 160, 9):  # changed, removed, added: one update
        path = corpus / f"{n // 50}" / f"{n:04d}.md"
        path.write_text(path.read_text(encoding="utf-8") + "\nQuokka sightings rose.\n")
    for n in range(5, 160, 17):
        (corpus / f"{n // 50}" / f"{n:04d}.md").unlink()
    (corpus / "new.md").write_text("---\ntitle: New\n---\n\nQuokka quokkas and wombats.\n")
    reindex(corpus, incremental)
    df, keys = frequencies.read(conn)
    assert df == _fts_df(conn)
    vocab = vocabulary.load(conn)
    assert vocab.df == df and vocab._keys == vocabulary.Vocabulary.build((), 1, df, 1, [])._keys
    assert vocab.avgdl == pytest.approx(
        conn.execute("SELECT avg(length) FROM passages").fetchone()[0]
    )
    reindex(corpus, incremental, rebuild=True, workers=2)  # and a bulk build
    assert frequencies.read(conn)[0] == _fts_df(conn)


def test_an_index_from_before_the_stored_frequencies_is_migrated_and_answers_alike(
    tmp_path, incremental
):
    conn = store.connect(incremental)
    questions = _questions(conn)
    before = _answers(conn, questions, Filters())
    vocab_before = vocabulary.load(conn)
    conn.execute("DROP TABLE vocabulary")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'add_vocabulary'")
    conn.execute("DELETE FROM meta WHERE key = ?", (frequencies.KEY_META,))
    conn.close()
    old = sqlite3.connect(incremental)  # read as an index of the previous version
    assert frequencies.read(old) is None
    assert vocabulary.load(old).df == vocab_before.df  # from FTS5's own term list
    old.close()
    conn = store.connect(incremental)  # opening it brings it up to date
    assert frequencies.read(conn)[0] == vocab_before.df
    assert vocabulary.load(conn)._keys == vocab_before._keys
    assert _answers(conn, questions, Filters()) == before


def test_passages_written_past_the_reindex_leave_the_vocabulary_to_fts5(tmp_path, incremental):
    """A loader of its own (a benchmark's) that does not keep the frequencies: the vocabulary
    is read from FTS5's term list, not from the stale table."""
    conn = store.connect(incremental)
    assert frequencies.read(conn) is not None
    conn.execute("BEGIN")
    conn.execute("INSERT INTO passages_fts (rowid, terms) VALUES (999999, 'aardvark aardvark')")
    conn.execute("COMMIT")
    assert frequencies.read(conn) is None
    vocab = vocabulary.load(conn)
    assert vocab.df["aardvark"] == 1 and vocab.df == _fts_df(conn)


def test_a_vocabulary_looked_up_on_demand_is_the_one_read_whole(tmp_path, incremental):
    """`briefbot ask` looks terms up as its question needs them: each lookup gives what the
    vocabulary read whole holds, misspelt words find the same terms, and the answers agree."""
    conn = store.connect(incremental)
    questions = _questions(conn)
    whole = vocabulary.load(conn)
    vocabulary._cache.clear()  # nothing read whole yet, as in a new process
    looked_up = vocabulary.on_demand(conn)
    assert looked_up.conn is conn and isinstance(looked_up.df, frequencies.Frequencies)
    assert vocabulary.get(conn) is looked_up  # what the question path asks for, through `conn`
    assert (looked_up.rows, looked_up.avgdl, looked_up.dates) == (
        whole.rows,
        whole.avgdl,
        whole.dates,
    )
    assert len(looked_up.df) == len(whole.df) and dict(looked_up.df) == whole.df
    assert looked_up.df.get("zzzunheard", 0) == 0 and "zzzunheard" not in looked_up
    assert {k: looked_up._keys[k] for k in whole._keys} == whole._keys
    assert len(looked_up._keys) == len(whole._keys)
    typed = ["zebraz", "quokka", "wombatts", "televison", "univercity", "zebra", "nrothern"]
    for word in typed + [w for q in questions[:40] for w in q]:
        assert looked_up.near(word) == whole.near(word), word
        assert looked_up.variants(word) == whole.variants(word), word
        assert looked_up.spellings(word) == whole.spellings(word), word
    other = store.connect(incremental)  # another thread's connection reads the table whole
    assert vocabulary.get(other).conn is None
    # A table FTS5 has moved past is not looked up: the vocabulary is read whole, from FTS5.
    vocabulary._cache.clear()
    conn.execute("BEGIN")
    conn.execute("INSERT INTO passages_fts (rowid, terms) VALUES (999999, 'aardvark aardvark')")
    conn.execute("COMMIT")
    assert not frequencies.current(conn)
    assert vocabulary.on_demand(conn).conn is None


def test_answers_are_alike_with_the_vocabulary_looked_up_on_demand(incremental):
    from index.questions.answer import Index

    with open(FIXTURES / "squad_questions.jsonl", encoding="utf-8") as f:
        asked = [json.loads(line)["question"] for line in f][:60]
    asked += ["what about the televison and the univercity?", "zebraz and wombatts"]

    def answers(index: Index) -> list:
        vocabulary._cache.clear()
        out = []
        for q in asked:
            a = index.answer(q, k=5)
            out.append(([h.hit.passage_id for h in a.hits], a.terms, a.note, a.missing, a.why))
        return out

    assert answers(Index(incremental, on_demand=True)) == answers(Index(incremental))


@given(
    spans=st.lists(st.tuples(st.integers(0, 10**7), st.integers(0, 10**7)), max_size=12).map(tuple)
)
def test_sentence_spans_are_written_as_a_one_file_update_writes_them(spans):
    assert prepare._spans(spans) == json.dumps(spans, separators=(",", ":"))


def test_a_term_longer_than_fts5_keeps_is_counted_as_fts5_keeps_it(tmp_path):
    corpus, db = tmp_path / "corpus", tmp_path / "index.db"
    corpus.mkdir()
    # A heading of one word of 36,000 bytes (a paragraph's words are cut at 2,000 characters):
    # FTS5 keeps the first 32,768 of it.
    word = "Quokka" * 6_000
    (corpus / "long.txt").write_text(f"date 2024-01-01\n\n{word}\n\nA wombat.\n")
    (corpus / "short.txt").write_text("date 2024-01-02\n\nA wombat and a quokka.\n")
    reindex(corpus, db)
    conn = store.connect(db)
    assert frequencies.read(conn)[0] == _fts_df(conn)
    assert max(map(len, _fts_df(conn))) == frequencies.FTS5_TOKEN_BYTES


def test_a_build_collects_cycles_less_often_and_then_as_before(tmp_path, monkeypatch):
    seen = []
    add = bulk.Writer.add

    def counting(self, item):
        seen.append(gc.get_threshold()[0])
        add(self, item)

    monkeypatch.setattr(bulk.Writer, "add", counting)
    before = gc.get_threshold()
    corpus = tmp_path / "corpus"
    _write_corpus(corpus)
    reindex(corpus, tmp_path / "bulk.db", workers=0)
    assert len(seen) == 160 and min(seen) >= bulk.GC_THRESHOLD
    assert gc.get_threshold() == before
