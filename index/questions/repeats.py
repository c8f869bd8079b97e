"""Passages that say nearly the same thing, told once.

Briefings repeat themselves: a statement reported on the day comes back in the next days'
background paragraphs, and newswire sends the same item corrected or again. An answer whose
passages say the same thing wastes the reader's screen, so the passages that repeat one
shown before them are folded into it ("also in …" with their briefings' dates) and the
places they took go to the next passages that say something else.

Two passages say nearly the same thing when most of the word pairs (adjacent analysed terms)
of the shorter one are in the longer one: `SAME`, chosen on the development sets' tuning
halves (`bench/quality/repeats.py`), where shares of 1.0 are word-for-word repeats and shares
below 0.75 are different facts in the same words ("a spread of 7/8 points" against "of 5/8").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from ..storage.search import Hit
from . import rerank

#: The share of the shorter passage's word pairs that the longer must hold to repeat it.
SAME = 0.8
#: Passages with fewer word pairs than this are never called repeats: a short line ("The
#: council met on Monday.") says the same as many others by chance.
MIN_PAIRS = 6

T = TypeVar("T")


@dataclass(slots=True)
class Told(Generic[T]):
    """A passage as shown, and the passages that repeat it (in the order they came)."""

    shown: T
    repeats: list[T] = field(default_factory=list)


def _pairs(hit: Hit) -> frozenset[tuple[str, str]]:
    """A passage's word pairs, from the terms the re-ranker has already read."""
    terms = rerank.passage_sequence(hit)
    return frozenset(zip(terms, terms[1:], strict=False))


def _repeats(pa: frozenset, pb: frozenset) -> bool:
    small, large = (pa, pb) if len(pa) <= len(pb) else (pb, pa)
    if len(small) < MIN_PAIRS:
        return False
    return len(small & large) >= SAME * len(small)


def same(a: Hit, b: Hit) -> bool:
    """Whether two passages say nearly the same thing (`SAME`)."""
    return a.passage_id == b.passage_id or _repeats(_pairs(a), _pairs(b))


def told_once(
    items: Sequence[T], hit: Callable[[T], Hit], earliest: bool = False, enough: int | None = None
) -> list[Told[T]]:
    """`items` in their order with each repeat folded into the first item it repeats. With
    `earliest`, the item shown for a group is its earliest-dated one: for "the latest", a
    statement repeated in later background is not news. Once more than `enough` groups are
    told, the items after them come as they are, unread: no page asked for shows them."""
    groups: list[Told[T]] = []
    told: list[list[tuple[int, frozenset]]] = []  # each group's passages, with their pairs
    for n, item in enumerate(items):
        if enough is not None and len(groups) > enough:
            groups += [Told(i) for i in items[n:]]
            break
        h = hit(item)
        mine = (h.passage_id, _pairs(h))  # read once, however many passages it meets
        for group, members in zip(groups, told, strict=True):
            if any(pid == mine[0] or _repeats(pairs, mine[1]) for pid, pairs in members):
                group.repeats.append(item)
                members.append(mine)
                break
        else:
            groups.append(Told(item))
            told.append([mine])
    if not earliest:
        return groups
    out = []
    for group in groups:
        everyone = [group.shown, *group.repeats]
        first = min(everyone, key=lambda i: hit(i).date or dt.date.max)
        out.append(Told(first, [i for i in everyone if i is not first]))
    return out
