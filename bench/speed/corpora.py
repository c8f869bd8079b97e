"""The two seeded corpora and their questions, built once per size and cached in bench/out.

- synthetic: news-like passages of 20 to 80 terms drawn from a Zipf vocabulary of 200,000
  made-up stems (exponent 1.1), split into sentences of about 12 words.
- newswire: 2 to 5 sentences of one Reuters-21578 story (../shared/data/reuters-21578), put
  through `index.analysis.analyse` (stopwords removed, Snowball stems). Reuters text stays in
  bench/out, never in the repository.

Questions: 80% mix rare and common terms as real questions do (synthetic: 2 to 5 terms of a
random passage; newswire: 3 to 5 content words of a random sentence), 20% are 3 to 5 of the
50 most frequent terms, the shape that costs a BM25 engine most.

Files per corpus and size, under bench/out/speed/: `<name>-<size>.terms` (one passage a
line, terms separated by spaces), `<name>-<size>.text` (its text, sentences separated by
tabs) and `<name>-<size>.questions.json`.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "out" / "speed"
REUTERS = ROOT.parent / "shared" / "data" / "reuters-21578" / "docs.jsonl"
QUESTIONS = 400
COMMON_SHARE = 0.2
SEED = 6


def paths(name: str, size: int) -> tuple[Path, Path, Path]:
    base = OUT / f"{name}-{size}"
    return (
        base.with_suffix(".terms"),
        base.with_suffix(".text"),
        base.with_suffix(".questions.json"),
    )


def ensure(name: str, size: int) -> tuple[Path, Path, Path]:
    """The corpus files, made when missing."""
    terms_path, text_path, q_path = paths(name, size)
    if not (terms_path.exists() and text_path.exists() and q_path.exists()):
        OUT.mkdir(parents=True, exist_ok=True)
        make = {"synthetic": _synthetic, "newswire": _newswire}[name]
        make(size, terms_path, text_path, q_path)
    return terms_path, text_path, q_path


def read_terms(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8") as f:
        return [line.split() for line in f]


def read_questions(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def _stem(i: int) -> str:
    """A made-up stem for vocabulary rank i: consonant-vowel syllables, never a stopword."""
    consonants, vowels = "bcdfghjklmnprstvz", "aeiou"
    out = []
    i += 1
    while i:
        i, r = divmod(i, len(consonants) * len(vowels))
        out.append(consonants[r // len(vowels)] + vowels[r % len(vowels)])
    return "".join(out) + "x"


def _common_questions(df: Counter, rng: random.Random, n: int) -> list[dict]:
    top = [t for t, _ in df.most_common(50)]
    return [{"terms": rng.sample(top, rng.randint(3, 5)), "kind": "common"} for _ in range(n)]


def _write(terms_path, text_path, q_path, passages, texts, questions) -> None:
    with open(terms_path, "w", encoding="utf-8") as f:
        for terms in passages:
            f.write(" ".join(terms) + "\n")
    with open(text_path, "w", encoding="utf-8") as f:
        for text in texts:
            f.write(text + "\n")
    q_path.write_text(json.dumps(questions), encoding="utf-8")


def _synthetic(size: int, terms_path: Path, text_path: Path, q_path: Path) -> None:
    rng = np.random.default_rng(SEED)
    vocab_size = 200_000
    vocab = [_stem(i) for i in range(vocab_size)]
    p = 1.0 / np.arange(1, vocab_size + 1) ** 1.1
    p /= p.sum()
    lengths = rng.integers(20, 81, size)
    draws = rng.choice(vocab_size, int(lengths.sum()), p=p)
    passages, texts = [], []
    df: Counter = Counter()
    at = 0
    for n in lengths.tolist():
        terms = [vocab[i] for i in draws[at : at + n]]
        at += n
        passages.append(terms)
        df.update(set(terms))
        sentences = [" ".join(terms[i : i + 12]).capitalize() + "." for i in range(0, n, 12)]
        texts.append("\t".join(sentences))
    prng = random.Random(SEED)
    questions = []
    for _ in range(int(QUESTIONS * (1 - COMMON_SHARE))):
        terms = list(dict.fromkeys(passages[prng.randrange(size)]))
        questions.append({"terms": prng.sample(terms, prng.randint(2, 5)), "kind": "mixed"})
    questions += _common_questions(df, prng, QUESTIONS - len(questions))
    _write(terms_path, text_path, q_path, passages, texts, questions)


def _reuters_sentences() -> list[list[tuple[str, list[str]]]]:
    """Each story's sentences with their terms, analysed once and cached."""
    cache = OUT / "reuters-sentences.json"
    if cache.exists():
        return json.loads(cache.read_text(encoding="utf-8"))
    from index.analysis import analyse
    from index.files.sentences import sentences

    stories = []
    with open(REUTERS, encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            text = " ".join(doc["text"].split())
            story = []
            for s in sentences(text):
                terms = analyse(s)
                if len(terms) >= 3:
                    story.append((s.replace("\t", " "), terms))
            if len(story) >= 2:
                stories.append(story)
    cache.write_text(json.dumps(stories), encoding="utf-8")
    return stories


def _newswire(size: int, terms_path: Path, text_path: Path, q_path: Path) -> None:
    stories = _reuters_sentences()
    rng = random.Random(SEED)
    passages, texts = [], []
    df: Counter = Counter()
    for _ in range(size):
        story = stories[rng.randrange(len(stories))]
        n = min(len(story), rng.randint(2, 5))
        start = rng.randrange(len(story) - n + 1)
        chosen = story[start : start + n]
        terms = [t for _, ts in chosen for t in ts]
        passages.append(terms)
        df.update(set(terms))
        texts.append("\t".join(s for s, _ in chosen))
    questions = []
    pool = [ts for story in stories for _, ts in story]
    while len(questions) < int(QUESTIONS * (1 - COMMON_SHARE)):
        terms = list(dict.fromkeys(pool[rng.randrange(len(pool))]))
        if len(terms) >= 3:
            picked = sorted(rng.sample(range(len(terms)), rng.randint(3, min(5, len(terms)))))
            questions.append({"terms": [terms[i] for i in picked], "kind": "mixed"})
    questions += _common_questions(df, rng, QUESTIONS - len(questions))
    _write(terms_path, text_path, q_path, passages, texts, questions)
