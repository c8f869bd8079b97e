"""Per-term postings beside FTS5, so a question reads only what can change its top 10.

A plain FTS5 `OR` query ranked by `bm25()` reads every posting of every question term, twice
(once to count the passages holding it, once to score them), so a question of common words
costs time in proportion to the corpus. These tables keep the same postings in a form that a
ranking can stop reading early, and rank with exactly FTS5's formula, so their top 10 is the
plain plan's top 10.

`tables` holds the layout, `writing` and `segments` write it, `state` reads it for a version
of the index, `ranking` ranks from it; `bm25` and `tokens` are FTS5's formula and tokenizer.
"""

from __future__ import annotations

from .bm25 import IDF_FLOOR, K1, B
from .ranking import rank
from .segments import Inverted, Inverter, make_rows, store
from .state import warm
from .tables import UNDATED, check
from .tokens import fts_tokens
from .writing import add_passages, delete_passages, rebuild, start

__all__ = [
    "B",
    "IDF_FLOOR",
    "K1",
    "UNDATED",
    "Inverted",
    "Inverter",
    "add_passages",
    "check",
    "delete_passages",
    "fts_tokens",
    "make_rows",
    "rank",
    "rebuild",
    "start",
    "store",
    "warm",
]
