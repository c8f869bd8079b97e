"""The English word frequencies, read straight from wordfreq's data file, are wordfreq's own."""

from __future__ import annotations

import sys

from wordfreq import top_n_list, zipf_frequency

from index.questions import english


def test_the_list_read_directly_gives_wordfreqs_own_values():
    words = top_n_list("en", 3000, wordlist="small")[::11] + ["koalas", "soetrisno", "mention"]
    for word in words:
        assert abs(english.zipf(word) - zipf_frequency(word, "en", wordlist="small")) <= 0.01


def test_names_are_rare_and_everyday_words_are_not():
    assert english.rare("Soetrisno") and english.rare("Raeisi") and english.rare("koalas")
    assert not english.rare("railway") and not english.rare("still")
    assert english.zipf("the") > 7


def test_reading_the_list_does_not_import_wordfreq(monkeypatch):
    monkeypatch.delitem(sys.modules, "wordfreq", raising=False)
    english._lookup.cache_clear()
    english.zipf.cache_clear()
    assert english.zipf("still") > 5
    assert "wordfreq" not in sys.modules  # its imports cost every `briefbot ask` 0.3 s
