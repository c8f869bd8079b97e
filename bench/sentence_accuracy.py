"""How well the sentence splitter reproduces the BBC News Summary's reference sentences.

Every summary sentence is a sentence of its article, with its character span recorded, so
each one is a reference boundary pair. A reference sentence counts as found when the splitter
produces exactly that span. Run: `python bench/sentence_accuracy.py`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from index.files.sentences import split

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "bbc-news-summary"


def main(data: Path = DATA, show: int = 0) -> float:
    docs = {}
    with open(data / "docs.jsonl", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            docs[d["id"]] = d["text"]
    found = total = 0
    misses = []
    with open(data / "summaries.jsonl", encoding="utf-8") as f:
        for line in f:
            s = json.loads(line)
            text = docs[s["doc_id"]]
            ours = set()
            for para_start, para in _paragraphs(text):
                ours.update((para_start + a, para_start + b) for a, b in split(para))
            for start, end in s["sentence_spans"]:
                span = _trim(text, start, end)
                total += 1
                if span in ours:
                    found += 1
                elif len(misses) < show:
                    misses.append(text[span[0] : span[1]])
    accuracy = found / total
    print(f"reference sentences: {total}, reproduced exactly: {found} ({accuracy:.2%})")
    for m in misses:
        print("  MISS:", m[:200])
    return accuracy


def _paragraphs(text: str):
    pos = 0
    for block in text.split("\n\n"):
        yield pos, block
        pos += len(block) + 2


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


if __name__ == "__main__":
    main(show=int(sys.argv[1]) if len(sys.argv) > 1 else 0)
