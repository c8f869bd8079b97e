"""The index's own words, for meeting a question word the briefings spell differently.

People type "Raisi" about briefings that spell him "Raeisi", and "railwey" for "railway". A
question word the index does not hold (or holds only rarely) is matched here to the nearest
terms it does hold, by a spelling key that forgets the differences transliteration makes
(vowel runs, doubled letters, ph/f, kh/h, ck/k, w/v, Cyrillic letters) and then by an edit
distance in which those differences cost little.

The vocabulary is read once from the frequencies the reindex keeps (`frequencies`; an index
made before them is read from an `fts5vocab` table) and shared by every connection to the
same index file, since a bot answering from a thread pool would otherwise hold one copy per
thread. It is read again only when the index changes: each question reads FTS5's own
structure and averages records (two rows by key) and the last reindex time, which together
change with every write to the passages. A large vocabulary is read again in the background
while the previous one goes on answering. Looking a word up never scans the vocabulary: the
key's neighbours at one edit are generated and looked up in a dict.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import sqlite3
import threading
import urllib.parse
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

from .. import analysis
from . import frequencies
from .search import quoted

#: Shortest word (in letters) that is matched to other spellings; shorter ones are too easy
#: to mistake for another word.
MIN_FUZZY_LETTERS = 4
#: Longest word matched to other spellings: looking up a word costs time and memory that grow
#: with the square of its length, and no one misspells a word this long.
MAX_FUZZY_LETTERS = 40
#: Most index terms one question word is matched to.
MAX_VARIANTS = 3
#: A term held by at most this many passages counts as rare: a nearby term that is far more
#: common is added beside it (the briefings may hold the misspelling once).
RARE_DF = 1
#: ... when the nearby term is held by at least this many times more passages.
RARE_RATIO = 20
#: How far another spelling of a name the index holds may be, for both to be searched.
SPELLING_DISTANCE = 1.0
#: Spellings are looked for only among keys held by at most this many terms: a name's key is
#: shared by few (at most 6 terms a key in briefings-dev's index; 97% of Reuters-21578's
#: terms are in keys of 8 or fewer), while short made-up shapes share one with dozens (all
#: of `bench/bot_load.py`'s synthetic words), each a distance to measure.
SPELLING_BUCKET = 8
#: Words whose nearest terms each vocabulary remembers (then it starts afresh): a few MB.
NEAR_REMEMBERED = 20_000

_CACHE_SIZE = 4
_LETTERS = re.compile(r"[a-z]+")
_VOWELS = frozenset("aeiouy")

# Cyrillic to Latin, as news agencies transliterate Russian names (Путин → putin).
_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяієї",
        "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya i e i".split(),
        strict=True,
    )
)
_CYRILLIC = {k: ("" if v == "_" else v) for k, v in _CYRILLIC.items()}

# Spelling variants that transliteration produces, folded to one form before vowels go.
_DIGRAPHS = [
    ("shch", "sh"),
    ("sch", "sh"),
    ("tch", "ch"),
    ("dzh", "j"),
    ("zh", "j"),
    ("dj", "j"),
    ("ph", "f"),
    ("kh", "h"),
    ("gh", "g"),
    ("dh", "d"),
    ("ck", "k"),
    ("qu", "kv"),
    ("q", "k"),
    ("w", "v"),
    ("x", "ks"),
]
_SOFT_C = re.compile(r"c(?=[eiy])")
_HARD_C = re.compile(r"c(?!h)")
_DOUBLE = re.compile(r"(.)\1+")
_VOWEL_RUN = re.compile(r"[aeiouy]+")
_FINAL_H = re.compile(r"(?<=a)h$")
_KEY_ALPHABET = "abcdfghjklmnprstvz"

# Letter pairs that transliterations swap for one another: substituting one for the other
# costs half an edit.
_CHEAP_PAIRS = frozenset(
    frozenset(p) for p in ("ck", "kq", "sz", "vw", "fp", "iy", "jy", "jg", "sc", "xs", "ks")
)


def latin(word: str) -> str:
    """A folded word with Cyrillic letters spelled in Latin ones."""
    if not any("\u0400" <= c <= "\u04ff" for c in word):
        return word
    return "".join(_CYRILLIC.get(c, c) for c in word)


def key(word: str) -> str:
    """A folded word's spelling key: what is left once transliteration's choices are undone.

    "raisi", "raeesi" and "raeisi" share the key "rasa"; so do "rose" and "rise", which the
    edit distance then tells apart.
    """
    w = latin(word)
    for a, b in _DIGRAPHS:
        if a in w:
            w = w.replace(a, b)
    w = _SOFT_C.sub("s", w)
    w = _HARD_C.sub("k", w)
    w = _DOUBLE.sub(r"\1", w)
    w = _FINAL_H.sub("", w)
    if w[:1] == "y" and w[1:2] in _VOWELS:
        w = "j" + w[1:]
    return _VOWEL_RUN.sub("a", w)


#: Changed whenever `key` or `spelling_key` changes: the keys an index stores were made by
#: this version (`index.storage.frequencies`), and are made again when it differs.
KEY_VERSION = "1"


def spelling_key(term: str) -> str | None:
    """The key a vocabulary files an index term under, or None for a term too short or not
    all letters to be matched to other spellings."""
    if len(term) >= MIN_FUZZY_LETTERS and _LETTERS.fullmatch(term):
        return key(term)
    return None


def distance(a: str, b: str, limit: float = math.inf) -> float:
    """Edit distance between two folded spellings, where the edits transliteration makes
    cost less: a vowel for another or a vowel added (half), a doubled letter (a quarter), an
    `h` added or dropped (half), and letters such as c/k or v/w swapped (half). Past `limit`
    it stops and returns infinity: only near spellings matter."""
    la, lb = len(a), len(b)
    ia = [_indel(a, i) for i in range(la)]
    ib = [_indel(b, j) for j in range(lb)]
    prev2: list[float] = []
    prev = [0.0] * (lb + 1)
    for j in range(1, lb + 1):
        prev[j] = prev[j - 1] + ib[j - 1]
    for i in range(1, la + 1):
        ca, cost_a = a[i - 1], ia[i - 1]
        cur = [prev[0] + cost_a] + [0.0] * lb
        low = cur[0]
        for j in range(1, lb + 1):
            cb = b[j - 1]
            v = cur[j - 1] + ib[j - 1]
            x = prev[j] + cost_a
            if x < v:
                v = x
            x = prev[j - 1] + (0.0 if ca == cb else _SUBSTITUTION.get((ca, cb), 1.0))
            if x < v:
                v = x
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb and ca != cb:
                x = prev2[j - 2] + 1.0
                if x < v:
                    v = x
            cur[j] = v
            if v < low:
                low = v
        if low > limit:
            return math.inf
        prev2, prev = prev, cur
    return prev[lb] if prev[lb] <= limit else math.inf


def _indel(word: str, i: int) -> float:
    c = word[i]
    if (i > 0 and word[i - 1] == c) or (i + 1 < len(word) and word[i + 1] == c):
        return 0.25
    if c in _VOWELS or c == "h":
        return 0.5
    return 1.0


_SUBSTITUTION = {
    (a, b): 0.5
    for a in "abcdefghijklmnopqrstuvwxyz"
    for b in "abcdefghijklmnopqrstuvwxyz"
    if a != b and ((a in _VOWELS and b in _VOWELS) or frozenset((a, b)) in _CHEAP_PAIRS)
}


def max_distance(word: str) -> float:
    """How far a word may be from a term it is matched to: more room for longer words."""
    n = len(word)
    if n < MIN_FUZZY_LETTERS:
        return 0.0
    if n == MIN_FUZZY_LETTERS:
        return 0.5  # "putn" finds "putin", but "rice" does not become "rose"
    if n <= 5:
        return 1.0
    if n <= 8:
        return 1.5
    return 2.0


@dataclass(frozen=True, slots=True)
class Variant:
    """An index term that a question word was matched to."""

    term: str
    distance: float
    df: int


@dataclass(slots=True)
class Vocabulary:
    """What one state of the index holds: its terms and how many passages hold each, the
    passage count and mean length BM25 needs, and the briefings' dates."""

    fingerprint: tuple
    rows: int
    avgdl: float
    df: dict[str, int]
    dates: list[dt.date] = field(default_factory=list)
    _keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _phrases: dict[tuple[str, ...], int] = field(default_factory=dict)
    _near: dict[tuple[str, int], tuple[Variant, ...]] = field(default_factory=dict)
    #: The connection `df` and the keys are looked up through (`on_demand`); None when they
    #: were read whole, and then any connection to the index may use them.
    conn: sqlite3.Connection | None = None

    @classmethod
    def build(
        cls,
        fingerprint: tuple,
        rows: int,
        df: dict[str, int],
        tokens: int,
        dates,
        keys: dict[str, list[str]] | None = None,
    ) -> Vocabulary:
        """`keys` (spelling key → terms) as `frequencies.read` gives them, or None to make
        them here: 0.38 s at 70,000 terms."""
        if keys is None:
            keys = {}
            for term in df:
                k = spelling_key(term)
                if k is not None:
                    keys.setdefault(k, []).append(term)
        return cls(
            fingerprint,
            rows,
            tokens / rows if rows else 0.0,
            df,
            sorted(dates),
            {k: tuple(v) for k, v in keys.items()},
        )

    def __contains__(self, term: str) -> bool:
        return term in self.df

    def near(self, term: str, limit: int = MAX_VARIANTS) -> list[Variant]:
        """The index terms nearest to `term` (itself excluded), nearest first, all at the
        same smallest distance, within `max_distance`; empty when none is close enough.

        Terms with the same spelling key come first; keys one edit away (typing errors) are
        looked up only when those leave no variant that is just a vowel or a doubled letter
        away. Remembered for this state of the index: measuring a word against its
        neighbours takes a millisecond or two, and the words it is asked for (rare ones,
        misspellings) come back in question after question."""
        remembered = self._near.get((term, limit))
        if remembered is None:
            if len(self._near) >= NEAR_REMEMBERED:
                self._near.clear()
            remembered = self._near[(term, limit)] = tuple(self._measure(term, limit))
        return list(remembered)

    def _measure(self, term: str, limit: int) -> list[Variant]:
        word = latin(term)
        if len(word) > MAX_FUZZY_LETTERS or not _LETTERS.fullmatch(word):
            return []
        budget = max_distance(word)
        if budget <= 0:
            return []
        k = key(word)
        found: dict[str, float] = {}
        best = self._closest(word, term, self._keys.get(k, ()), budget, found)
        if best > 0.5:
            for other in _neighbours(k)[1:]:
                terms = self._keys.get(other)
                if terms:
                    best = self._closest(word, term, terms, min(best, budget), found)
        if best > budget:
            return []
        chosen = sorted((c for c, d in found.items() if d == best), key=lambda c: (-self.df[c], c))
        return [Variant(c, best, self.df[c]) for c in chosen[:limit]]

    @staticmethod
    def _closest(word: str, term: str, terms, limit: float, found: dict[str, float]) -> float:
        """Measure `terms` against `word`, each only as far as the best so far; the best."""
        best = min(found.values(), default=math.inf)
        for candidate in terms:
            if candidate == term or candidate in found:
                continue
            d = distance(word, candidate, min(limit, best))
            if d < math.inf:
                found[candidate] = d
                best = min(best, d)
        return best

    def spellings(self, term: str) -> list[Variant]:
        """Other spellings of a name the index holds as well ("Koehler" beside "Köhler",
        "Sutrisno" beside "Soetrisno"): terms with the same spelling key, one small edit
        away. They are searched beside the name as typed, so that either spelling finds both.
        Only the key's own terms are measured, a dictionary lookup and a few distances: the
        question holds the name already, so no typing error is being undone."""
        word = latin(term)
        if not (MIN_FUZZY_LETTERS <= len(word) <= MAX_FUZZY_LETTERS) or not _LETTERS.fullmatch(
            word
        ):
            return []
        bucket = self._keys.get(key(word), ())
        if len(bucket) > SPELLING_BUCKET:  # a key so common says nothing of a name's spelling
            return []
        found = []
        for other in bucket:
            if other != term:
                d = distance(word, other, SPELLING_DISTANCE)
                if d <= SPELLING_DISTANCE:
                    found.append(Variant(other, d, self.df[other]))
        found.sort(key=lambda v: (v.distance, -v.df, v.term))
        return found[:MAX_VARIANTS]

    def variants(self, term: str) -> list[Variant]:
        """The terms a question term should also (or instead) be searched as: the nearest
        ones when the index lacks `term`, or a far more common near one when `term` is rare."""
        df = self.df.get(term, 0)
        if df > RARE_DF:
            return []
        near = self.near(term)
        if df == 0:
            return near
        return [v for v in near if v.df >= RARE_RATIO * df]


def _neighbours(k: str) -> list[str]:
    """`k` and every key one edit away from it: what a lookup needs, not the vocabulary."""
    out = [k]
    n = len(k)
    for i in range(n):
        out.append(k[:i] + k[i + 1 :])
        if i + 1 < n:
            out.append(k[:i] + k[i + 1] + k[i] + k[i + 2 :])
        for c in _KEY_ALPHABET + "a":
            if c != k[i]:
                out.append(k[:i] + c + k[i + 1 :])
    for i in range(n + 1):
        for c in _KEY_ALPHABET + "a":
            out.append(k[:i] + c + k[i:])
    return out


#: A vocabulary of more terms than this is read again in the background when the index
#: changes, the previous one answering meanwhile, so that the question after a reindex does
#: not wait for it (about a second at 100,000 passages); a smaller one is read at once.
BACKGROUND_TERMS = 20_000

_lock = threading.Lock()
_cache: OrderedDict[str, Vocabulary] = OrderedDict()
_loading: set[str] = set()


def fingerprint(conn: sqlite3.Connection) -> tuple:
    """What changes whenever the passages do: FTS5's structure record (its write counter and
    segments), its averages record (passages and tokens), and the last reindex time."""
    blocks = dict(conn.execute("SELECT id, block FROM passages_fts_data WHERE id IN (1, 10)"))
    row = conn.execute("SELECT value FROM meta WHERE key = 'last_reindex'").fetchone()
    return (blocks.get(1), blocks.get(10), row[0] if row else None)


def _path(conn: sqlite3.Connection) -> str:
    return conn.execute("PRAGMA database_list").fetchone()[2] or f":memory:{id(conn)}"


def _usable(vocab: Vocabulary | None, conn: sqlite3.Connection, fp: tuple) -> bool:
    return vocab is not None and vocab.fingerprint == fp and vocab.conn in (None, conn)


def get(conn: sqlite3.Connection) -> Vocabulary:
    """The vocabulary of the index behind `conn`, read again only if the index changed (or
    the one `on_demand` made for this connection, while the index is as it was)."""
    path = _path(conn)
    fp = fingerprint(conn)
    vocab = _cache.get(path)
    if _usable(vocab, conn, fp):
        return vocab  # type: ignore[return-value]
    if (
        vocab is not None
        and vocab.conn is None
        and len(vocab.df) > BACKGROUND_TERMS
        and os.path.exists(path)
    ):
        with _lock:
            if path not in _loading:
                _loading.add(path)
                threading.Thread(target=_reload, args=(path,), daemon=True).start()
        return vocab
    with _lock:
        vocab = _cache.get(path)
        if not _usable(vocab, conn, fp):
            vocab = load(conn, fp)
            _remember(path, vocab)
    return vocab  # type: ignore[return-value]


def on_demand(conn: sqlite3.Connection) -> Vocabulary:
    """The vocabulary for a process that asks a question or two (`briefbot ask`): its terms
    looked up one at a time through `conn` as the question needs them
    (`frequencies.Frequencies`), instead of read whole first (0.13 s at 1,000,000 synthetic
    passages, and more the more terms). Used through `conn` only, since a connection
    belongs to one thread; a vocabulary read whole already is used as it is, and an index
    whose table cannot be looked up (see `frequencies.current`) is read whole."""
    path = _path(conn)
    fp = fingerprint(conn)
    vocab = _cache.get(path)
    if _usable(vocab, conn, fp):
        return vocab  # type: ignore[return-value]
    tokens = _tokens(conn)
    if tokens is None or not frequencies.current(conn):
        return get(conn)
    rows = _passages(conn, fp)
    vocab = Vocabulary(
        fp,
        rows,
        tokens / rows if rows else 0.0,
        frequencies.Frequencies(conn),  # type: ignore[arg-type]
        _dates(conn),
        frequencies.Spellings(conn),  # type: ignore[arg-type]
        conn=conn,
    )
    with _lock:
        _remember(path, vocab)
    return vocab


def _remember(path: str, vocab: Vocabulary) -> None:
    _cache[path] = vocab
    _cache.move_to_end(path)
    while len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)


def _reload(path: str) -> None:
    """Read a changed index's vocabulary on a connection of its own, in one snapshot."""
    try:
        conn = sqlite3.connect(f"file:{urllib.parse.quote(path)}?mode=ro", uri=True)
        try:
            conn.execute("BEGIN")
            vocab = load(conn)
            conn.execute("COMMIT")
        finally:
            conn.close()
        with _lock:
            _remember(path, vocab)
    except sqlite3.Error:
        pass  # the previous vocabulary goes on answering; the next question tries again
    finally:
        with _lock:
            _loading.discard(path)


def load(conn: sqlite3.Connection, fp: tuple | None = None) -> Vocabulary:
    """Read the whole vocabulary, once per index state: the terms' frequencies and keys as the
    reindex stored them (`index.storage.frequencies`), else a pass over FTS5's term list."""
    if fp is None:
        fp = fingerprint(conn)
    stored = frequencies.read(conn)
    tokens = _tokens(conn) if stored is not None else None
    keys = None
    if stored is not None and tokens is not None:
        df, keys = stored
    else:  # an index from before the table, not migrated (a dry run): FTS5's own term list
        conn.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_vocab"
            " USING fts5vocab(main, passages_fts, row)"
        )
        df = {}
        tokens = 0
        for term, doc, cnt in conn.execute("SELECT term, doc, cnt FROM temp.fts_vocab"):
            df[term] = doc
            tokens += cnt
    rows = _passages(conn, fp)
    return Vocabulary.build(fp, rows, df, tokens, _dates(conn), keys)


def _dates(conn: sqlite3.Connection) -> list[dt.date]:
    return sorted(
        dt.date.fromisoformat(d)
        for (d,) in conn.execute("SELECT DISTINCT date FROM documents WHERE date IS NOT NULL")
    )


def _tokens(conn: sqlite3.Connection) -> int | None:
    """Tokens in all passages, as the postings count them (the same count as FTS5's)."""
    try:
        row = conn.execute("SELECT tokens FROM postings_stats WHERE id = 0").fetchone()
    except sqlite3.OperationalError:
        return None
    return row[0] if row else None


def _passages(conn: sqlite3.Connection, fp: tuple) -> int:
    """Passages in the index, from FTS5's averages record when it is there."""
    rows = _rows(fp[0]) if fp[0] else None
    if rows is None:
        rows = conn.execute("SELECT count(*) FROM passages").fetchone()[0]
    return rows


def _rows(averages: bytes) -> int | None:
    """The passage count at the head of FTS5's averages record (an SQLite varint)."""
    value = 0
    for i, byte in enumerate(averages[:9]):
        if i == 8:
            return (value << 8) | byte
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value
    return None


def surface(conn: sqlite3.Connection, term: str) -> str:
    """How the briefings write a term ("Raeisi" for "raeisi"), from one passage holding it."""
    row = conn.execute(
        "SELECT p.text, p.heading FROM passages_fts f JOIN passages p ON p.id = f.rowid"
        " WHERE passages_fts MATCH ? LIMIT 1",
        [quoted(term)],
    ).fetchone()
    if row is not None:
        for text in (row[0], row[1] or ""):
            for token in analysis.tokens(text):
                if token.term == term:
                    return text[token.start : token.end]
    return term


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A question word no briefing holds, and the words they hold that are spelt like it."""

    word: str  # as the question wrote it
    alternatives: list[str]  # as the briefings write them, nearest first


def suggest(conn: sqlite3.Connection, words: Sequence[str], limit: int = 3) -> list[Suggestion]:
    """For each of `words` (typed words no briefing holds: `Answer.missing`, decided where a
    question is answered), the nearest words the briefings do hold, for a "did you mean"."""
    vocab = get(conn)
    out: list[Suggestion] = []
    for word in words:
        term = analysis.term(word) or analysis.fold(word)
        near = vocab.near(term, limit)
        alternatives = list(dict.fromkeys(surface(conn, v.term) for v in near))
        out.append(Suggestion(word, alternatives))
    return out
