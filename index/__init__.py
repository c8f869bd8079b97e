"""briefbot's answer pipeline: corpus files to ranked, quoted passages, with no Telegram in it.

This is its public face: what an application (the bot, the CLI) uses, by name, whatever
folder it lives in (`docs/architecture.md` has the map). Names are loaded on first use, so
`from index import Index` reads neither the reindexer nor the summariser, and a command
that only answers starts as fast as the answering needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: Each public name and where it lives: (module, attribute), or (module, None) for a module
#: used as a namespace (`browse.overview(conn)`).
_PUBLIC: dict[str, tuple[str, str | None]] = {
    # answering questions
    "Index": ("index.questions.answer", "Index"),
    "Answer": ("index.questions.answer", "Answer"),
    "QuotedHit": ("index.questions.answer", "QuotedHit"),
    "Stats": ("index.questions.answer", "Stats"),
    "Reading": ("index.questions.understand", "Reading"),
    "Kind": ("index.questions.message", "Kind"),
    "date_in_words": ("index.questions.dates", "in_words"),
    "Unanswered": ("index.questions.respond", "Unanswered"),
    "classify_message": ("index.questions.message", "classify"),
    "highlight_spans": ("index.questions.quote", "highlight_spans"),
    "ALIASES_FILE": ("index.questions.aliases", "FILE_NAME"),
    "message": ("index.questions.message", None),
    # the index file
    "reindex": ("index.storage.reindex", "reindex"),
    "Report": ("index.storage.reindex", "Report"),
    "ReindexBusy": ("index.storage.reindex", "ReindexBusy"),
    "corpus_files": ("index.storage.reindex", "corpus_files"),
    "watch": ("index.storage.watch", "watch"),
    "IndexMissing": ("index.storage.store", "IndexMissing"),
    "Hit": ("index.storage.search", "Hit"),
    "browse": ("index.storage.browse", None),
    "PassageKey": ("index.storage.browse", "PassageKey"),
    "passage_key": ("index.storage.browse", "key"),
    "vocabulary": ("index.storage.vocabulary", None),
    "migrate": ("index.storage.migrate", None),
    # reading files
    "UnreadableFile": ("index.files.documents", "UnreadableFile"),
    # a day's briefings, subjects followed, stories over time
    "summary": ("index.summary", None),
    "summarise": ("index.summary", "summarise"),
    "Summary": ("index.summary", "Summary"),
    "Story": ("index.summary", "Story"),
    "Group": ("index.summary", "Group"),
    "day_briefings": ("index.summary", "day_briefings"),
    "late_briefings": ("index.summary", "late_briefings"),
    "count_late": ("index.summary", "count_late"),
    "watermark": ("index.summary", "watermark"),
    "follow": ("index.follow", None),
    "timeline": ("index.timeline", None),
    "analysis": ("index.analysis", None),
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    """A public name, imported from where it lives the first time it is asked for."""
    try:
        module, attribute = _PUBLIC[name]
    except KeyError:
        raise AttributeError(f"module 'index' has no attribute {name!r}") from None
    value: Any = importlib.import_module(module)
    if attribute is not None:
        value = getattr(value, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # what the names are, for type checkers and editors
    from . import analysis, follow, summary, timeline  # noqa: F401
    from .files.documents import UnreadableFile  # noqa: F401
    from .questions import message  # noqa: F401
    from .questions.aliases import FILE_NAME as ALIASES_FILE  # noqa: F401
    from .questions.answer import Answer, Index, QuotedHit, Stats  # noqa: F401
    from .questions.dates import in_words as date_in_words  # noqa: F401
    from .questions.message import Kind  # noqa: F401
    from .questions.message import classify as classify_message  # noqa: F401
    from .questions.quote import highlight_spans  # noqa: F401
    from .questions.respond import Unanswered  # noqa: F401
    from .questions.understand import Reading  # noqa: F401
    from .storage import browse, migrate, vocabulary  # noqa: F401
    from .storage.browse import PassageKey  # noqa: F401
    from .storage.browse import key as passage_key  # noqa: F401
    from .storage.reindex import ReindexBusy, Report, corpus_files, reindex  # noqa: F401
    from .storage.search import Hit  # noqa: F401
    from .storage.store import IndexMissing  # noqa: F401
    from .storage.watch import watch  # noqa: F401
    from .summary import (  # noqa: F401
        Group,
        Story,
        Summary,
        count_late,
        day_briefings,
        late_briefings,
        summarise,
        watermark,
    )
