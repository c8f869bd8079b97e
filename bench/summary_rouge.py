"""How well the daily summary picks the sentences that carry a briefing, on BBC News Summary.

Every BBC article comes with a reference summary made of its own sentences, so choosing
sentences can be scored directly: ROUGE-1/2/L (F1, Porter-stemmed, rouge-score) of the chosen
sentences against the reference. All systems rank the same candidate sentences (the article's
paragraphs cut by `index.files.sentences.split`); each summary takes the best ones, shown in article
order:

- `ours`: `index.summary.sentence_scores` (BM25 centrality within the article and a lead prior);
- `lead`: the first sentences (`lead-3` at three sentences);
- `LexRank`, `TextRank`: sumy's, with sumy's English stop words and Snowball stemmer, given our
  sentences and a plain word tokenizer so that nothing needs downloading.

Three lengths: the reference's own number of sentences ("at the reference length"; the
reference is long, about 45% of the article); three sentences, as the daily summary quotes; and
the reference's number of words (sentences best first until they reach it, the text cut there),
since ROUGE F1 against a long reference rewards a system that prefers long sentences. Exact
duplicate articles are counted once. The lead weight of `sentence_scores`, and the choices of
not scoring likeness to the title and not dividing by sentence length (both lowered ROUGE), were
made on the even-numbered half of each category (`--half fit --grid`); the figures reported are
for the odd-numbered half (`--half test`, the default), which those choices never saw.

Run: `nice .venv/bin/python bench/summary_rouge.py [--half test|fit|all] [--limit N]`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index.files.sentences import split  # noqa: E402
from index.summary import LEAD, sentence_scores  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "bbc-news-summary"
METRICS = ("rouge1", "rouge2", "rougeL")
_WORD = re.compile(r"\w+(?:['’]\w+)*")


class _Words:
    """A sumy tokenizer that needs no downloaded data: sentences are given, words are runs."""

    language = "english"

    def to_sentences(self, paragraph: str) -> list[str]:  # pragma: no cover - not called
        return [paragraph[s:e] for s, e in split(paragraph)]

    def to_words(self, sentence: str) -> list[str]:
        return _WORD.findall(sentence)


def load(data: Path, half: str, limit: int | None) -> list[dict]:
    docs = {}
    with open(data / "docs.jsonl", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            docs[d["id"]] = d
    articles = []
    with open(data / "summaries.jsonl", encoding="utf-8") as f:
        for line in f:
            s = json.loads(line)
            d = docs[s["doc_id"]]
            if d.get("duplicate_of"):
                continue
            number = int(d["id"].rsplit("-", 1)[1])
            if (half == "fit" and number % 2) or (half == "test" and not number % 2):
                continue
            text = d["text"]
            sentences = [text[a:b] for a, b in _candidates(text)]
            spans = sorted(s["sentence_spans"])
            reference = [text[a:b].strip() for a, b in spans]
            if len(sentences) < 2 or not reference:
                continue
            articles.append(
                {"id": d["id"], "title": d["title"], "sentences": sentences, "reference": reference}
            )
    return articles[:limit] if limit else articles


def _candidates(text: str):
    pos = 0
    for block in text.split("\n\n"):
        for a, b in split(block):
            yield pos + a, pos + b
        pos += len(block) + 2


def systems(lead: float = LEAD):
    """Each system as a function from an article to its sentences, best first."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words

    tokenizer = _Words()
    stemmer = Stemmer("english")
    lex = LexRankSummarizer(stemmer)
    lex.stop_words = get_stop_words("english")
    text_rank = TextRankSummarizer(stemmer)
    text_rank.stop_words = get_stop_words("english")

    def sumy(summarizer):
        def ranking(article: dict) -> list[int]:
            objects = [Sentence(s, tokenizer) for s in article["sentences"]]
            where = {id(o): i for i, o in enumerate(objects)}
            best_first: list[int] = []

            def count(infos):  # sumy hands over its sentences sorted by rating, best first
                best_first.extend(where[id(info.sentence)] for info in infos)
                return infos

            summarizer(ObjectDocumentModel([Paragraph(objects)]), count)
            return best_first

        return ranking

    def ours(article: dict) -> list[int]:
        scores = sentence_scores(article["sentences"], lead=lead)
        return sorted(range(len(scores)), key=lambda i: (-scores[i], i))

    def first(article: dict) -> list[int]:
        return list(range(len(article["sentences"])))

    return {
        "ours": ours,
        "lead": first,
        "LexRank (sumy)": sumy(lex),
        "TextRank (sumy)": sumy(text_rank),
    }


def select(article: dict, ranking: list[int], length: str) -> str:
    """The summary a ranking gives at `length`: "reference" (the reference's number of
    sentences), a number of sentences, or "words" (the reference's number of words: sentences
    taken best first until they reach it, the text then cut there)."""
    sentences = article["sentences"]
    if length == "words":
        budget = len(" ".join(article["reference"]).split())
        chosen, words = [], 0
        for i in ranking:
            if words >= budget:
                break
            chosen.append(i)
            words += len(sentences[i].split())
        text = "\n".join(sentences[i] for i in sorted(chosen))
        return " ".join(text.split(" ")[:budget]) if words > budget else text
    k = len(article["reference"]) if length == "reference" else int(length)
    return "\n".join(sentences[i] for i in sorted(ranking[:k]))


def evaluate(articles: list[dict], ranker, length: str, metrics=METRICS) -> dict:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(list(metrics), use_stemmer=True)
    totals = dict.fromkeys((*metrics, "words"), 0.0)
    for a in articles:
        summary = select(a, ranker(a), length)
        scores = scorer.score("\n".join(a["reference"]), summary)
        for m in metrics:
            totals[m] += scores[m].fmeasure
        totals["words"] += len(summary.split())
    return {m: v / len(articles) for m, v in totals.items()}


def grid(articles: list[dict]) -> None:
    """ROUGE-2 at both lengths for a range of lead weights: how `LEAD` was chosen."""
    for lead in (0.0, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0):
        row = []
        for length in ("reference", "3"):
            r = evaluate(articles, systems(lead)["ours"], length, ("rouge2",))
            row.append(r["rouge2"])
        print(f"lead {lead:4}  ROUGE-2 at reference length {row[0]:.4f}, at 3 {row[1]:.4f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--half", choices=("test", "fit", "all"), default="test")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--grid", action="store_true", help="fit the weights instead")
    args = parser.parse_args(argv)
    articles = load(DATA, args.half, args.limit)
    print(f"BBC News Summary, {args.half} half: {len(articles)} articles")
    if args.grid:
        grid(articles)
        return
    results = {}
    lengths = (
        ("reference", "the reference's number of sentences"),
        ("3", "3 sentences"),
        ("words", "the reference's number of words"),
    )
    for length, label in lengths:
        print(f"\n{label}:")
        print("| system | ROUGE-1 | ROUGE-2 | ROUGE-L | words | seconds |")
        print("|---|---|---|---|---|---|")
        for name, chooser in systems().items():
            started = time.perf_counter()
            r = evaluate(articles, chooser, length)
            seconds = time.perf_counter() - started
            results[(label, name)] = r
            shown = "lead-3" if name == "lead" and length == "3" else name
            print(
                f"| {shown} | {r['rouge1']:.4f} | {r['rouge2']:.4f} | {r['rougeL']:.4f} "
                f"| {r['words']:.0f} | {seconds:.0f} |"
            )
        ours = results[(label, "ours")]["rouge2"]
        for other in ("lead", "LexRank (sumy)", "TextRank (sumy)"):
            ratio = ours / results[(label, other)]["rouge2"]
            print(f"ROUGE-2 ours / {other}: {ratio:.3f}")


if __name__ == "__main__":
    main()
