"""How common a word is in English at large, whatever the briefings hold.

Within a small index idf is a poor guide to how much a word matters: in ten briefings
"still" or "mention" can be as rare as a name. `wordfreq` (its word lists ship inside the
package; nothing is downloaded) gives each word's frequency in general English as a Zipf
value, about 7 for "the", 4 to 5 for ordinary words and under 3 for names and rare terms: a
prior that does not depend on the corpus. The list is read once, on first use (about 0.2 s,
which `Index.warm` pays before the first question).
"""

from __future__ import annotations

from functools import lru_cache

from wordfreq import zipf_frequency

#: Below this Zipf frequency a word is rare in English: a name, a place, a technical term.
RARE_ZIPF = 3.0


@lru_cache(maxsize=65_536)
def zipf(word: str) -> float:
    """The word's Zipf frequency in English (0 for a word the list lacks)."""
    return zipf_frequency(word, "en", wordlist="small")


def rare(word: str) -> bool:
    """Whether `word` is one a general reader would not use every day: what a question about
    a name, a place or a technical term hinges on."""
    return zipf(word.lower()) < RARE_ZIPF


def warm() -> None:
    """Read the word list now rather than in the middle of a question."""
    zipf("the")
