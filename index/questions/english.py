"""How common a word is in English at large, whatever the briefings hold.

Within a small index idf is a poor guide to how much a word matters: in ten briefings
"still" or "mention" can be as rare as a name. `wordfreq`'s English list (it ships inside
the package; nothing is downloaded) gives each word's frequency in general English as a Zipf
value, about 7 for "the", 4 to 5 for ordinary words and under 3 for names and rare terms: a
prior that does not depend on the corpus.

The list is read straight from wordfreq's data file (its documented "cB" format: buckets of
words by centibel), about 15 ms, where importing wordfreq's API and reading it through that
took 0.3 s, paid by every `briefbot ask`. A data file in another format falls back to the API.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from functools import cache, lru_cache
from importlib.util import find_spec
from pathlib import Path

import msgpack

#: Below this Zipf frequency a word is rare in English: a name, a place, a technical term.
RARE_ZIPF = 3.0
#: From this Zipf frequency a word is everyday English ("still", "also", "time"): never what a
#: question is about when a rarer word is there, and never worth saying no briefing holds it.
EVERYDAY_ZIPF = 5.5
_FORMAT = {"format": "cB", "version": 1}


@cache
def _lookup() -> Callable[[str], float]:
    """word → Zipf frequency, from the data file when it is in the format known here."""
    # Found without importing the package, whose own imports take most of the 0.3 s.
    spec = find_spec("wordfreq")
    folders = list(spec.submodule_search_locations or []) if spec else []
    data = None
    for folder in folders:
        try:
            with gzip.open(Path(folder) / "data" / "small_en.msgpack.gz", "rb") as f:
                data = msgpack.unpack(f, raw=False)
            break
        except (OSError, ValueError, msgpack.UnpackException):
            continue
    if data and data[0] == _FORMAT:
        # Bucket i holds the words at -i centibels: a frequency of 10^(-i/100), whose Zipf
        # value (log10 of the frequency per billion words) is 9 - i/100.
        table = {word: 9 - i / 100 for i, bucket in enumerate(data[1:]) for word in bucket}
        return lambda word: table.get(word, 0.0)
    from wordfreq import zipf_frequency

    return lambda word: zipf_frequency(word, "en", wordlist="small")


@lru_cache(maxsize=65_536)
def zipf(word: str) -> float:
    """The word's Zipf frequency in English (0 for a word the list lacks); `word` folded to
    lower case, as the list holds words."""
    return round(_lookup()(word), 2)


def rare(word: str) -> bool:
    """Whether `word` is one a general reader would not use every day: what a question about
    a name, a place or a technical term hinges on."""
    return zipf(word.lower()) < RARE_ZIPF


def warm() -> None:
    """Read the word list now rather than in the middle of a question."""
    zipf("the")
