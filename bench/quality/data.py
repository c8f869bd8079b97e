"""The two public question sets, read from `../shared/data`, and indexes built from them
through briefbot's own pipeline (corpus files on disk, then `reindex`), so that a figure
measures what a user gets.

SQuAD's questions are split by article with a fixed seed: weights and choices are fitted on
the tuning half and the figure that is reported comes from the held-out half, whose
questions (and whose articles) were never looked at while fitting.
"""

from __future__ import annotations

import json
import random
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from index.files.documents import parse
from index.files.passages import passages
from index.storage import store

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
SQUAD = DATA / "squad-v1.1-dev"
SCIFACT = DATA / "beir-scifact"
SEED = 20261101


@dataclass(frozen=True, slots=True)
class Doc:
    id: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    text: str
    relevant: frozenset[str]  # ids of the relevant documents
    group: str  # SQuAD: the article; SciFact: the split


def _jsonl(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


def squad_docs() -> list[Doc]:
    return [Doc(d["id"], d["title"], d["text"]) for d in _jsonl(SQUAD / "docs.jsonl")]


def squad_questions(split: str = "all") -> list[Question]:
    """SQuAD dev questions; `split` is "tune", "heldout" or "all" (split by article)."""
    questions = [
        Question(q["id"], q["question"].strip(), frozenset([q["doc_id"]]), _article(q["doc_id"]))
        for q in _jsonl(SQUAD / "questions.jsonl")
    ]
    if split == "all":
        return questions
    articles = sorted({q.group for q in questions})
    random.Random(SEED).shuffle(articles)
    tune = set(articles[: len(articles) // 2])
    if split not in ("tune", "heldout"):
        raise ValueError(f"unknown split {split!r}")
    return [q for q in questions if (q.group in tune) == (split == "tune")]


def _article(doc_id: str) -> str:
    return doc_id.split("#")[0]


def scifact_docs() -> list[Doc]:
    return [Doc(d["id"], d["title"], d["text"]) for d in _jsonl(SCIFACT / "docs.jsonl")]


def scifact_questions(split: str = "test") -> list[Question]:
    """SciFact claims of the BEIR `test` (300) or `train` (809) split."""
    return [
        Question(q["id"], q["question"].strip(), frozenset(q["qrels"]), q["split"])
        for q in _jsonl(SCIFACT / "questions.jsonl")
        if q["split"] == split
    ]


def briefing(doc: Doc, title_as_heading: bool) -> str:
    """A document as a Markdown briefing.

    The title goes into the front matter (the briefing's title, which BM25 does not see), or,
    with `title_as_heading`, also as the section heading above the text, which BM25 indexes
    with every passage of the document, as it does a briefing's headings.
    """
    title = " ".join(doc.title.split())
    heading = f"# {title}\n\n" if title_as_heading and title else ""
    body = " ".join(doc.text.split())
    return f"---\ntitle: {title}\n---\n\n{heading}{body}\n"


def build(docs: list[Doc], db: Path, title_as_heading: bool = False) -> dict[str, str]:
    """Index `docs` into a new file at `db` as the reindexer does (read, split into
    passages, analyse, write), and return each briefing's path → document id."""
    conn = store.connect(db, create=True)
    paths = {}
    conn.execute("BEGIN")
    for n, doc in enumerate(docs):
        name = f"{n:05d}.md"
        data = briefing(doc, title_as_heading).encode()
        parsed = parse(data, name)
        store.write_document(
            conn, parsed, passages(parsed), sha256=str(n), size=len(data), mtime_ns=0
        )
        paths[name] = doc.id
    conn.execute("COMMIT")
    conn.close()
    return paths


@contextmanager
def built_index(docs: list[Doc], title_as_heading: bool = False) -> Iterator[tuple[Path, dict]]:
    """A fresh briefbot index of `docs` in a temporary folder: (index path, path → doc id)."""
    with tempfile.TemporaryDirectory(prefix="briefbot-quality-") as tmp:
        db = Path(tmp) / "index.db"
        yield db, build(docs, db, title_as_heading)
