"""What people make of the answers: every question asked, how it was read, what it showed, and
the 👍/👎 votes on it (or "I expected an answer" when nothing answered), kept in the bot's state
file for the maintainers to learn from (`briefbot feedback`, `/stats`).

Records are anonymous by construction. A person and a chat appear only as keyed hashes
(BLAKE2b keyed with a random salt made once per state file): the same person hashes the same
way across restarts, which is all one vote per person per answer needs, and the hashes mean
nothing outside this file. No name, username or Telegram id is written with a record, and a
record is deleted once it is older than the retention (`BRIEFBOT_FEEDBACK_DAYS`; 0 keeps
nothing at all). Records are keyed by their own ids, not by the pages of results (which live
a week, for paging), so a vote counts as long as its record is kept, across restarts and
rebuilds of the index.

This module is the library side (no Telegram): `bot/votes.py` is the buttons and commands,
`bot/cli.py`'s `feedback` the maintainers' report and export.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from index import Index, IndexMissing, PassageKey, Reading, browse

from .state import State

DAY = 86_400.0
UP, DOWN = 1, -1
#: Id prefix of exported question records: `asked-12` is record 12 of the state file, so two
#: exports of the same file can be merged without duplicates.
EXPORT_PREFIX = "asked"

#: Characters of a shown passage's text that the report and the export give.
TEXT_CHARS = 160
#: The start of a shown passage's text, from the index, when it still holds that passage.
PassageText = Callable[[PassageKey], str | None]


# -- people and chats as salted hashes ---------------------------------------------------------


def _salt(conn) -> bytes:
    (salt,) = conn.execute("SELECT salt FROM feedback_salt LIMIT 1").fetchone()
    return bytes.fromhex(salt)


def _hash(salt: bytes, kind: str, value: int) -> str:
    return hashlib.blake2b(f"{kind}:{value}".encode(), key=salt, digest_size=12).hexdigest()


# -- writing -----------------------------------------------------------------------------------


def record(
    state: State,
    *,
    question: str,
    reading: Reading | None,
    terms: Sequence[str],
    shown: dict[int, PassageKey],
    chat_id: int,
    chat_type: str,
    asker: int | None,
    page_id: int | None = None,
    follows_page: int | None = None,
    today: dt.date | None = None,
    now: float | None = None,
    record_id: int | None = None,
) -> int:
    """Keep one question asked and what its answer showed (nothing, for "nothing answers");
    returns the record's id, which its vote buttons carry (`record_id` when one was taken
    ahead with `next_id`). `follows_page` is the page of the answer this question followed
    up: its record, if still kept, is linked."""
    now = time.time() if now is None else now
    with state._tx() as conn:
        salt = _salt(conn)
        follows = None
        if follows_page is not None:
            row = conn.execute("SELECT id FROM asked WHERE page_id = ?", (follows_page,)).fetchone()
            follows = row[0] if row else None
        cur = conn.execute(
            "INSERT INTO asked (id, question, reading, terms, found, shown, chat_type, chat_hash,"
            " asker, page_id, follows, today, asked_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record_id,
                question,
                json.dumps(reading.to_json(), ensure_ascii=False) if reading else None,
                json.dumps(list(dict.fromkeys(terms)), ensure_ascii=False),
                int(bool(shown)),
                _shown_json(shown),
                chat_type,
                _hash(salt, "chat", chat_id),
                _hash(salt, "user", asker) if asker is not None else None,
                page_id,
                follows,
                today.isoformat() if today else None,
                now,
            ),
        )
        return cur.lastrowid


def _shown_json(shown: dict[int, PassageKey]) -> str:
    return json.dumps(
        [[rank, k.document, k.ordinal, k.digest] for rank, k in sorted(shown.items())],
        ensure_ascii=False,
    )


@dataclass(frozen=True, slots=True)
class Tally:
    up: int = 0
    down: int = 0


@dataclass(frozen=True, slots=True)
class Cast:
    """What a press did: the person's vote before and after (None: none), the record's tally
    now, and whether the record is of an answer (else of "nothing answers")."""

    before: int | None
    after: int | None
    tally: Tally
    found: bool


def cast(
    state: State,
    record_id: int,
    chat_id: int,
    user_id: int,
    vote: int,
    now: float | None = None,
) -> Cast | None:
    """One person's vote on a record: a first press votes, a press of the other button changes
    the vote, a second press of the same withdraws it. None when the record is not kept (past
    the retention, or never) or was made in another chat (button data comes from the client
    and is never trusted). A vote judges every passage the answer has shown by then, so while
    its page of results lives (`State.shown`, filled as people page through it), the record
    takes those."""
    now = time.time() if now is None else now
    with state._tx() as conn:
        salt = _salt(conn)
        row = conn.execute(
            "SELECT found, page_id FROM asked WHERE id = ? AND chat_hash = ?",
            (record_id, _hash(salt, "chat", chat_id)),
        ).fetchone()
        if row is None:
            return None
        voter = _hash(salt, "user", user_id)
        old = conn.execute(
            "SELECT vote FROM votes WHERE asked_id = ? AND voter = ?", (record_id, voter)
        ).fetchone()
        before = old[0] if old else None
        if before == vote:
            conn.execute("DELETE FROM votes WHERE asked_id = ? AND voter = ?", (record_id, voter))
            after = None
        else:
            conn.execute(
                "INSERT INTO votes (asked_id, voter, vote, at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (asked_id, voter)"
                " DO UPDATE SET vote = excluded.vote, at = excluded.at",
                (record_id, voter, vote, now),
            )
            after = vote
        shown = conn.execute(
            "SELECT rank, document, ordinal, digest FROM shown WHERE page_id = ?", (row[1],)
        ).fetchall()
        if shown and row[0]:
            keys = {rank: PassageKey(d, o, g) for rank, d, o, g in shown}
            conn.execute("UPDATE asked SET shown = ? WHERE id = ?", (_shown_json(keys), record_id))
        return Cast(before, after, _tally(conn, record_id), bool(row[0]))


def _tally(conn, record_id: int) -> Tally:
    up, down = conn.execute(
        "SELECT coalesce(sum(vote > 0), 0), coalesce(sum(vote < 0), 0) FROM votes"
        " WHERE asked_id = ?",
        (record_id,),
    ).fetchone()
    return Tally(up, down)


def tally(state: State, record_id: int) -> Tally:
    """The votes on a record now."""
    with state._lock:
        return _tally(state._conn, record_id)


def for_page(state: State, page_id: int) -> tuple[int, Tally] | None:
    """The record of a page of results and its votes, for the buttons of its next page."""
    rows = state._read("SELECT id FROM asked WHERE page_id = ?", (page_id,))
    if not rows:
        return None
    return rows[0][0], tally(state, rows[0][0])


def prune(state: State, days: float, now: float | None = None) -> int:
    """Delete the records older than `days` (all of them when `days` is 0: collection is off,
    and nothing collected before may stay) with their votes; returns how many records."""
    now = time.time() if now is None else now
    cutoff = now - days * DAY if days > 0 else float("inf")
    with state._tx() as conn:
        conn.execute(
            "DELETE FROM votes WHERE asked_id IN (SELECT id FROM asked WHERE asked_at < ?)",
            (cutoff,),
        )
        return conn.execute("DELETE FROM asked WHERE asked_at < ?", (cutoff,)).rowcount


# -- reading back ------------------------------------------------------------------------------


@dataclass(slots=True)
class Record:
    id: int
    question: str
    reading: Reading | None
    terms: list[str]
    found: bool
    shown: list[tuple[int, PassageKey]]
    chat_type: str
    asker: str | None
    follows: int | None
    today: dt.date | None
    asked_at: float
    up: int = 0
    down: int = 0

    @property
    def key(self) -> tuple[str, ...]:
        """What near-duplicates share: the analysed terms searched for ("What did Putin say
        about Gaza?", "putin gaza?" and "Putin on Gaza" are one question), or, for a question
        with none (a day's briefings), how it was read."""
        if self.terms:
            return tuple(sorted(set(self.terms)))
        read = self.reading.asked() if self.reading else self.question
        return ("", " ".join(read.lower().split()))

    @property
    def read_as(self) -> str | None:
        """How the question was read, when that says more than the question as typed."""
        if self.reading is None:
            return None
        read = self.reading.asked()
        return read if _plain(read) != _plain(self.question) else None


def _plain(text: str) -> str:
    return " ".join("".join(c for c in text.lower() if c.isalnum() or c.isspace()).split())


_SELECT = (
    "SELECT a.id, a.question, a.reading, a.terms, a.found, a.shown, a.chat_type, a.asker,"
    " a.follows, a.today, a.asked_at,"
    " (SELECT count(*) FROM votes v WHERE v.asked_id = a.id AND v.vote > 0),"
    " (SELECT count(*) FROM votes v WHERE v.asked_id = a.id AND v.vote < 0)"
    " FROM asked a"
)


def last_id(state: State) -> int:
    """The highest record id ever given (pruned ones included: an id is never given twice),
    from which the bot takes ids ahead of writing their records."""
    rows = state._read("SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'asked'", ())
    return int(rows[0][0]) if rows else 0


def records(state: State, since: float, until: float) -> list[Record]:
    """The records of the questions asked in [since, until), oldest first, with their votes."""
    rows = state._read(
        f"{_SELECT} WHERE a.asked_at >= ? AND a.asked_at < ? ORDER BY a.asked_at, a.id",
        (since, until),
    )
    return [_record(row) for row in rows]


def record_by_id(state: State, record_id: int) -> Record | None:
    rows = state._read(f"{_SELECT} WHERE a.id = ?", (record_id,))
    return _record(rows[0]) if rows else None


def _reading(text: str | None) -> Reading | None:
    """A record's reading, or None when it was written by a version of the bot that read
    questions otherwise (the question as typed is still there)."""
    if not text:
        return None
    try:
        return Reading.from_json(json.loads(text))
    except (KeyError, TypeError, ValueError):
        return None


def _record(row: tuple) -> Record:
    rid, question, reading, terms, found, shown, chat_type, asker, follows, today, at, up, down = (
        row
    )
    return Record(
        rid,
        question,
        _reading(reading),
        json.loads(terms),
        bool(found),
        [(rank, PassageKey(d, o, g)) for rank, d, o, g in json.loads(shown)],
        chat_type,
        asker,
        follows,
        dt.date.fromisoformat(today) if today else None,
        at,
        up,
        down,
    )


# -- the maintainers' report -------------------------------------------------------------------


@dataclass(slots=True)
class Group:
    """Near-duplicate questions (the same analysed terms), most recent last."""

    records: list[Record]

    @property
    def asked(self) -> int:
        return len(self.records)

    @property
    def people(self) -> int:
        """Different people who asked (a question sent as a chat counts once per record)."""
        known = {r.asker for r in self.records if r.asker is not None}
        return len(known) + sum(1 for r in self.records if r.asker is None)

    @property
    def up(self) -> int:
        return sum(r.up for r in self.records)

    @property
    def down(self) -> int:
        return sum(r.down for r in self.records)

    @property
    def typical(self) -> Record:
        """The record that stands for the group: the most votes against, then the wording
        most often typed, then the first asked."""
        wordings = Counter(_plain(r.question) for r in self.records)
        return max(
            self.records, key=lambda r: (r.down, wordings[_plain(r.question)], -r.asked_at, -r.id)
        )

    @property
    def wordings(self) -> list[str]:
        """The other ways the question was typed, most often first."""
        typical = _plain(self.typical.question)
        seen: Counter[str] = Counter()
        first: dict[str, str] = {}
        for r in self.records:
            p = _plain(r.question)
            seen[p] += 1
            first.setdefault(p, r.question.strip())
        return [first[p] for p, _ in seen.most_common() if p != typical]


def group(found: Iterable[Record]) -> list[Group]:
    by_key: dict[tuple[str, ...], list[Record]] = {}
    for r in found:
        by_key.setdefault(r.key, []).append(r)
    return [Group(rs) for rs in by_key.values()]


@dataclass(slots=True)
class Report:
    since: float
    until: float
    records: list[Record] = field(default_factory=list)

    @property
    def answered(self) -> list[Record]:
        return [r for r in self.records if r.found]

    @property
    def unanswered(self) -> list[Record]:
        return [r for r in self.records if not r.found]

    @property
    def voted(self) -> list[Record]:
        """Answers someone voted on."""
        return [r for r in self.answered if r.up or r.down]

    @property
    def voted_up(self) -> int:
        """Answers with more votes for than against."""
        return sum(1 for r in self.voted if r.up > r.down)

    @property
    def voted_against(self) -> int:
        return sum(1 for r in self.voted if r.down > r.up)

    @property
    def down_groups(self) -> list[Group]:
        """Answers voted down (any vote against), grouped by question, most votes against
        first, then the most recent."""
        groups = group(r for r in self.answered if r.down)
        return sorted(groups, key=lambda g: (-g.down, g.up, -g.records[-1].asked_at))

    @property
    def unanswered_groups(self) -> list[Group]:
        """Questions nothing answered, grouped, the most asked first (then those where most
        people said they expected an answer, then the most recent)."""
        groups = group(self.unanswered)
        return sorted(groups, key=lambda g: (-g.asked, -g.down, -g.records[-1].asked_at))


def report(state: State, since: float, until: float) -> Report:
    return Report(since, until, records(state, since, until))


def report_for(
    state: State, since: float | None, until: float | None, days: float, now: float | None = None
) -> Report:
    """The report from `since` (else `days` before `until`) to `until` (else now)."""
    until = (time.time() if now is None else now) + 1 if until is None else until
    return report(state, until - days * DAY if since is None else since, until)


@contextmanager
def opened(state_path: Path, index_path: Path | None) -> Iterator[tuple[State, PassageText | None]]:
    """The state file, and the shown passages' texts from the index when there is one (a
    report names each passage by its briefing and place; its words say more)."""
    state = State(state_path)
    index = Index(index_path) if index_path is not None else None

    def text(key: PassageKey) -> str | None:
        try:
            with index.connected() as conn:
                hits = browse.around(conn, key, 0, 0)
        except (IndexMissing, sqlite3.Error):
            return None
        if not hits:
            return None
        words = " ".join(hits[0].text.split())
        return words if len(words) <= TEXT_CHARS else words[: TEXT_CHARS - 1].rstrip() + "…"

    try:
        yield state, (text if index is not None else None)
    finally:
        state.close()
        if index is not None:
            index.close()


def _pct(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "–"


def summary_lines(rep: Report) -> list[str]:
    """The figures in a few lines, as `briefbot feedback` and `/stats` both begin."""
    answered, unanswered, voted = len(rep.answered), len(rep.unanswered), len(rep.voted)
    expected = sum(1 for r in rep.unanswered if r.down)
    lines = [
        f"{len(rep.records)} questions: {answered} answered, {unanswered} with nothing to"
        f" answer them ({len(rep.unanswered_groups)} different)",
        f"answers voted on: {voted} of {answered}; voted up: {rep.voted_up}"
        f" ({_pct(rep.voted_up, voted)}), voted down: {rep.voted_against},"
        f" split evenly: {voted - rep.voted_up - rep.voted_against}",
        f"'I expected an answer': {expected} of {unanswered} questions nothing answered",
    ]
    return lines


def _day(at: float) -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).date().isoformat()


def period_line(rep: Report) -> str:
    last = min(rep.until, time.time())
    return f"Feedback on questions asked {_day(rep.since)} to {_day(last)} (UTC)"


def text_report(rep: Report, limit: int = 20, passage_text: PassageText | None = None) -> str:
    """The report as `briefbot feedback` prints it: the figures, the answers voted down and
    the questions nothing answered, `limit` of each. `passage_text(key)` may give the start of
    a shown passage's text (from the index), to see what was wrong with it."""
    out = [period_line(rep), *(f"  {line}" for line in summary_lines(rep)), ""]
    down = rep.down_groups
    answers = sum(len(g.records) for g in down)
    out.append(
        f"Answers voted down ({answers} answers to {len(down)} different questions;"
        " most votes against first)"
    )
    for g in down[:limit]:
        r = g.typical
        out.append(f"  {g.down} down, {g.up} up  {r.question.strip()}")
        out += _details(g, r)
        for rank, key in r.shown:
            text = passage_text(key) if passage_text else None
            where = f"{key.document} §{key.ordinal}"
            out.append(f"      {rank}. {where}" + (f": {text}" if text else ""))
    if len(down) > limit:
        out.append(f"  … and {len(down) - limit} more")
    if not down:
        out.append("  none")
    out.append("")
    missed = rep.unanswered_groups
    out.append(
        f"Questions nothing answered ({len(rep.unanswered)} times, {len(missed)} different;"
        " most asked first)"
    )
    for g in missed[:limit]:
        r = g.typical
        people = f" by {g.people} people" if g.people != g.asked else ""
        expected = f"; {g.down} expected an answer" if g.down else ""
        out.append(f"  {g.asked}×{people}  {r.question.strip()}{expected}")
        out += _details(g, r)
    if len(missed) > limit:
        out.append(f"  … and {len(missed) - limit} more")
    if not missed:
        out.append("  none")
    return "\n".join(out)


def _details(g: Group, r: Record) -> list[str]:
    lines = []
    where = f"{_day(r.asked_at)}, {r.chat_type}"
    read = f"; read as: {r.read_as}" if r.read_as else ""
    lines.append(f"      ({where}{read})")
    if g.wordings:
        shown = "; ".join(f"“{w}”" for w in g.wordings[:3])
        more = f" and {len(g.wordings) - 3} more" if len(g.wordings) > 3 else ""
        lines.append(f"      also typed: {shown}{more}")
    return lines


# -- export as benchmark questions ----------------------------------------------------------------


def kind(r: Record) -> str:
    """A first guess at the record's kind in the dev sets' terms, from how it was read; the
    maintainer who marks the gold corrects it (`unanswerable` when nothing should answer)."""
    reading = r.reading
    if reading is None:
        return "fact"
    if reading.follow_up:
        return "follow-up"
    if reading.browse:
        return "dated"
    if reading.recent:
        return "latest"
    if reading.corrections or reading.aliases:
        return "variant"
    if reading.dates is not None:
        return "dated"
    if reading.speaker is not None:
        return "speaker-topic"
    return "fact"


def export_id(record_id: int) -> str:
    return f"{EXPORT_PREFIX}-{record_id}"


def export(
    state: State, rep: Report, path: Path, passage_text: PassageText | None = None
) -> list[dict]:
    """Write the answers voted down and the questions nothing answered (one per group of
    near-duplicates) as question records in the layout of the dev sets' `questions.jsonl`
    (`id`, `q`, `kind`, `today`, `gold`, `note`, and `follows` for a follow-up), with `gold`
    empty, to be marked by hand. A follow-up's earlier question is written before it, so that
    it can be asked in its context. Extra fields help whoever marks the gold and are ignored
    by the loaders: `read_as` (how the bot read it), `shown` (the passages its answer showed,
    with their first words), and for its group of near-duplicates `asked` (how often) and
    `votes` (for and against an answer) or `expected` (how many expected one). Returns the
    records written."""
    out: list[dict] = []
    written: set[int] = set()
    for g in rep.down_groups + rep.unanswered_groups:
        chain = [g.typical, *_chain(state, g.typical)]  # then what it followed, nearest first
        for i in reversed(range(len(chain))):
            r, earlier = chain[i], chain[i + 1].id if i + 1 < len(chain) else None
            if r.id in written:
                continue
            if i == 0:
                out.append(_question(r, _note(g), earlier, passage_text, g))
            else:
                out.append(_question(r, FOLLOWED, earlier, passage_text))
            written.add(r.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for q in out:
            f.write(json.dumps(q, ensure_ascii=False) + "\n")
    return out


def _chain(state: State, r: Record) -> list[Record]:
    """The records a follow-up followed, nearest first, as far as they are still kept."""
    chain: list[Record] = []
    seen = {r.id}
    follows = r.follows
    while follows is not None and follows not in seen:
        earlier = record_by_id(state, follows)
        if earlier is None:
            break
        chain.append(earlier)
        seen.add(earlier.id)
        follows = earlier.follows
    return chain


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


FOLLOWED = "Asked before the question that follows it up; exported as its context."
TO_MARK = " Gold to mark by hand: the passages that answer, or kind unanswerable if none does."


def _note(g: Group) -> str:
    """What happened to a group of near-duplicates, for whoever marks its gold."""
    by = f" by {g.people} people" if g.people > 1 else ""
    if g.typical.found:
        up = f" and up {_times(g.up)}" if g.up else ""
        said = f"Asked {_times(g.asked)}{by}; voted down {_times(g.down)}{up}."
    else:
        expected = f" {g.down} said they expected an answer." if g.down else ""
        said = f"Nothing answered; asked {_times(g.asked)}{by}.{expected}"
    also = f" Also typed: {'; '.join(g.wordings)}." if g.wordings else ""
    return said + also + TO_MARK


def _question(
    r: Record,
    note: str,
    follows: int | None,
    passage_text: PassageText | None = None,
    group: Group | None = None,
) -> dict:
    q: dict = {
        "id": export_id(r.id),
        "q": r.question.strip(),
        "kind": kind(r),
        "today": r.today.isoformat() if r.today else None,
        "gold": [],
        "note": note,
    }
    if follows is not None:
        q["follows"] = export_id(follows)
    if r.read_as:
        q["read_as"] = r.read_as
    if r.shown:
        q["shown"] = [
            {"rank": rank, "doc": key.document, "passage": key.ordinal}
            | ({"text": t} if passage_text and (t := passage_text(key)) else {})
            for rank, key in r.shown
        ]
    g = group or Group([r])
    q["asked"] = g.asked
    if r.found:
        q["votes"] = {"up": g.up, "down": g.down}
    else:
        q["expected"] = g.down
    return q
