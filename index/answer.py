"""The answer pipeline's front door at its first address: `index.answer.Index`.

The front door lives in `index.questions.answer`; code written against this address (the
development sets' scorers ask follow-ups through `index.answer.Index`) keeps working."""

from .questions.answer import Answer, Index, QuotedHit

__all__ = ["Answer", "Index", "QuotedHit"]
