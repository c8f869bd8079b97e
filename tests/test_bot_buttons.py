"""The buttons under an answer stay true: after a rebuild of the index, after a briefing
changed, on a double tap, and in a group where someone else presses them. End to end, with the
real client against the Bot API stand-in, and the corpus reindexed the way `briefbot reindex`
does it."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3

from botapi import BotAPIStandIn, standin_fixture  # noqa: F401
from bothelpers import (
    GROUP,
    PRIVATE,
    RAILWAY_QUESTION,
    bot_settings,
    button,
    callback_answers,
    passage_ids,
    press,
    rank_of,
    running_bot,
    until,
)

from bot import render
from bot.buttons import continued
from index.questions.answer import Answer, QuotedHit
from index.questions.quote import Quote
from index.storage.browse import key
from index.storage.reindex import reindex
from index.storage.search import Hit

BRIEFING = "2024-03-19-putin-raeisi-nowruz.txt"
RAILWAY = "Highlighting the construction of the Rasht-Astara railway"
TRAMWAY_QUESTION = "Lisbon tramway stage"


def row_id(db, text: str) -> int:
    with sqlite3.connect(db) as conn:
        [(pid,)] = conn.execute("SELECT id FROM passages WHERE text LIKE ?", (text + "%",))
    return pid


async def ask(standin: BotAPIStandIn, chat: int, question: str, **kwargs):
    before = len(standin.messages_to(chat))
    standin.push_text(chat, question, **kwargs)
    *_, reply = await standin.wait_for_messages_async(before + 1, chat_id=chat)
    return reply


def test_context_after_a_rebuild_shows_the_same_passage(standin: BotAPIStandIn, indexed) -> None:
    """A rebuild numbers the index's rows afresh; the button still opens its passage."""
    corpus, db = indexed
    settings = bot_settings(standin, corpus, db)
    before = row_id(db, RAILWAY)

    async def main():
        async with running_bot(settings):
            reply = await ask(standin, PRIVATE, RAILWAY_QUESTION)
            # A briefing that sorts first: a rebuild numbers its passages before all others.
            (corpus / "2024-01-01-early.txt").write_text(
                "date 2024-01-01\n\nA harbour opened.\n\nIts cranes are new.\n\nShips came.\n"
            )
            await asyncio.to_thread(reindex, corpus, db, rebuild=True)
            data = button(reply, f"Context {rank_of(reply, RAILWAY)}")
            answered = await press(standin, PRIVATE, reply, data)
            return answered, standin.messages_to(PRIVATE)

    answered, (reply, context) = asyncio.run(main())
    assert row_id(db, RAILWAY) != before  # the old row id is another passage now
    assert "text" not in answered  # no alert: the passage is shown
    assert context.reply_to_message_id == reply.message_id
    assert f"▶ {RAILWAY}" in context.plain_text
    assert "harbour" not in context.plain_text


def test_context_after_the_briefing_changed_says_so(standin: BotAPIStandIn, indexed) -> None:
    """A passage whose text changed is not shown in its new words as if it were the one
    quoted; an unchanged passage of the same briefing still is; a removed briefing is said to
    be removed. Each time in one sentence that says to ask again."""
    corpus, db = indexed
    settings = bot_settings(standin, corpus, db)
    path = corpus / BRIEFING

    async def main():
        async with running_bot(settings):
            reply = await ask(standin, PRIVATE, RAILWAY_QUESTION)
            railway = button(reply, f"Context {rank_of(reply, RAILWAY)}")
            dialogue = button(reply, f"Context {rank_of(reply, 'The dialogue between')}")
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace("Highlighting the", "Stressing the"), encoding="utf-8")
            await asyncio.to_thread(reindex, corpus, db, rebuild=True)
            changed = await press(standin, PRIVATE, reply, railway)
            unchanged = await press(standin, PRIVATE, reply, dialogue)
            path.unlink()
            await asyncio.to_thread(reindex, corpus, db)
            lead = button(reply, f"Context {rank_of(reply, 'Russian President')}")
            removed = await press(standin, PRIVATE, reply, lead)
            return changed, unchanged, removed, standin.messages_to(PRIVATE)

    changed, unchanged, removed, messages = asyncio.run(main())
    assert changed["text"] == render.PASSAGE_CHANGED and changed["show_alert"] is True
    assert "ask again" in render.PASSAGE_CHANGED
    assert "text" not in unchanged
    assert removed["text"] == render.BRIEFING_REMOVED and "ask again" in removed["text"]
    reply, dialogue = messages  # nothing posted for the changed passage, nor the removed one
    assert "▶ The dialogue between Putin and Raeisi" in dialogue.plain_text
    assert "… This project is seen as a significant step" in dialogue.plain_text


def test_a_double_tap_on_context_posts_it_once(standin: BotAPIStandIn, indexed) -> None:
    settings = bot_settings(standin, *indexed)

    async def main():
        async with running_bot(settings):
            reply = await ask(standin, PRIVATE, RAILWAY_QUESTION)
            data = button(reply, "Context 1")
            standin.push_callback(PRIVATE, reply.message_id, data)
            standin.push_callback(PRIVATE, reply.message_id, data)
            await until(lambda: len(callback_answers(standin)) == 2)
            await standin.wait_for_messages_async(2, chat_id=PRIVATE)
            await asyncio.sleep(0.5)  # time for a second copy to (wrongly) arrive
            other = await press(standin, PRIVATE, reply, button(reply, "Context 2"))
            return other, standin.messages_to(PRIVATE)

    other, messages = asyncio.run(main())
    reply, context, second = messages  # one for each passage, not two for the first
    assert context.plain_text != second.plain_text
    answers = [a.get("text") for a in callback_answers(standin)]
    assert sorted(answers[:2], key=str) == [render.ALREADY_SHOWN, None]
    assert "text" not in other


def test_pages_say_where_they_are(standin: BotAPIStandIn, indexed) -> None:
    """ "Results 4–6 of 10", and "◀ Back  2/4  More ▶" under it; the counter itself changes
    nothing. Ten tramway briefings, three a page: the first pages know only that there are
    at least ten, later ones that there are ten."""
    settings = bot_settings(standin, *indexed)

    def nav(message) -> list[str]:
        return [
            b["text"] for b in message.buttons if b["callback_data"].startswith(("more", "pos"))
        ]

    async def main():
        async with running_bot(settings):
            shown = [await ask(standin, PRIVATE, TRAMWAY_QUESTION)]
            while (more := button(shown[-1], render.MORE_RESULTS)) is not None:
                before = len(standin.messages_to(PRIVATE))
                standin.push_callback(PRIVATE, shown[-1].message_id, more)
                *_, edited = await standin.wait_for_messages_async(before + 1, chat_id=PRIVATE)
                shown.append(edited)
            counter = await press(standin, PRIVATE, shown[-1], button(shown[-1], "4/4"))
            return shown, counter

    shown, counter = asyncio.run(main())
    assert [m.plain_text.split("\n")[0] for m in shown] == [
        "Results 1–3 of 10+",
        "Results 4–6 of 10+",
        "Results 7–9 of 10",
        "Result 10 of 10",
    ]
    assert [nav(m) for m in shown] == [
        ["1/4+", "More ▶"],
        ["◀ Back", "2/4+", "More ▶"],
        ["◀ Back", "3/4", "More ▶"],
        ["◀ Back", "4/4"],
    ]
    assert "text" not in counter
    assert len(standin.messages_to(PRIVATE)) == 4  # the counter neither posted nor edited
    assert len({t for m in shown for t in passage_ids(m)}) == 10


def test_a_press_by_someone_else_in_a_group_posts_nothing(standin: BotAPIStandIn, indexed) -> None:
    """Paging edits the answer the whole group reads and "Context" posts into it: only the
    person who asked may do either. Anyone else is told so, privately, and nothing changes."""
    settings = bot_settings(standin, *indexed)
    asker, other = 1001, 2002

    async def main():
        async with running_bot(settings):
            reply = await ask(
                standin, GROUP, f"/ask {TRAMWAY_QUESTION}", user_id=asker, chat_type="supergroup"
            )
            more, context = button(reply, render.MORE_RESULTS), button(reply, "Context 1")
            theirs = [
                await press(standin, GROUP, reply, data, user_id=other) for data in (more, context)
            ]
            quiet = (standin.messages_to(GROUP), standin.calls_to("editMessageText"))
            mine = [
                await press(standin, GROUP, reply, data, user_id=asker) for data in (more, context)
            ]
            return theirs, quiet, mine, standin.messages_to(GROUP)

    theirs, (quiet, edits), mine, messages = asyncio.run(main())
    for answered in theirs:
        assert answered["text"] == render.NOT_YOURS and answered["show_alert"] is True
    assert len(quiet) == 1 and not edits
    assert all("text" not in answered for answered in mine)
    assert [m.method for m in messages] == ["sendMessage", "editMessageText", "sendMessage"]


def tramway_note(title: str, text: str) -> str:
    return f"---\ntitle: {title}\ndate: 2024-05-01\n---\n\n{text}\n"


def test_more_after_a_reindex_goes_on_from_what_was_read(standin: BotAPIStandIn, indexed) -> None:
    """A briefing added since the answer would come first if asked now; "More" goes on from
    the three passages already read (none shown again), "Back" shows those same three; once one
    of them changed, "Back" says the results changed rather than show other ones."""
    corpus, db = indexed
    settings = bot_settings(standin, corpus, db)

    async def page(message, label: str):
        before = len(standin.messages_to(PRIVATE))
        answered = await press(standin, PRIVATE, message, button(message, label))
        messages = standin.messages_to(PRIVATE)
        return answered, (messages[-1] if len(messages) > before else None)

    async def main():
        async with running_bot(settings):
            first = await ask(standin, PRIVATE, TRAMWAY_QUESTION)
            best = "The Lisbon tramway stage: every tramway stage of Lisbon, stage by stage."
            (corpus / "tram-best.md").write_text(tramway_note("Tramway stages", best))
            await asyncio.to_thread(reindex, corpus, db, rebuild=True)
            now = await ask(standin, PRIVATE, TRAMWAY_QUESTION)
            _, second = await page(first, render.MORE_RESULTS)
            _, back = await page(second, render.BACK)
            read = passage_ids(first)
            changed = next(corpus.glob("tram-0*.md"), None)
            for path in corpus.glob("tram-0*.md"):  # the one shown first, reworded
                if f"title: {read[0]}\n" in path.read_text():
                    changed = path
            changed.write_text(changed.read_text().replace("was discussed", "was debated"))
            await asyncio.to_thread(reindex, corpus, db, rebuild=True)
            _, third = await page(back, render.MORE_RESULTS)
            refused, unchanged = await page(third, render.BACK)
            return first, now, second, back, third, refused, unchanged

    first, now, second, back, third, refused, unchanged = asyncio.run(main())
    assert passage_ids(now)[0] == "Tramway stages"  # asked now, the new briefing comes first
    assert second.plain_text.startswith("Results 4–6")
    assert not set(passage_ids(second)) & set(passage_ids(first))
    assert "Tramway stages" in passage_ids(second)  # not read yet, so it is among the next
    assert passage_ids(back) == passage_ids(first)
    assert passage_ids(third) == passage_ids(second)  # the same page 2 as before
    assert refused["text"] == render.RESULTS_CHANGED and unchanged is None


def _answer(*names: str, total: int | None = None) -> Answer:
    """An answer quoting one passage per name, ranked in that order."""
    hits = []
    for rank, name in enumerate(names, 1):
        hit = Hit(rank, 1.0, f"{name}.md", name, dt.date(2024, 1, 1), None, 0, name, 0, 1, [])
        hits.append(QuotedHit(hit, Quote([], []), rank))
    return Answer("q", ["q"], hits, total=total or len(names), more=total is not None)


def test_a_later_page_goes_on_from_the_ranks_already_read() -> None:
    """Asked again with more candidates, a question's first ranks may come out in another
    order; a later page still shows none of what was read, and going back shows it again."""
    first = _answer("a", "b", "c")
    read = {qh.rank: key(qh.hit) for qh in first.hits}
    again = _answer("b", "d", "a", "c", "e", "f", "g", total=12)
    second = continued(again, read, 3, 3)
    assert [(qh.rank, qh.hit.title) for qh in second.hits] == [(4, "d"), (5, "e"), (6, "f")]
    assert (second.total, second.more) == (12, True)
    back = continued(again, read, 0, 3)
    assert [(qh.rank, qh.hit.title) for qh in back.hits] == [(1, "a"), (2, "b"), (3, "c")]
    # "c" is gone from the new order: page 1 cannot be shown as it was; page 2 still can.
    without_c = _answer("b", "d", "a", "e", "f", "g")
    assert continued(without_c, read, 0, 3) is None
    assert [qh.hit.title for qh in continued(without_c, read, 3, 3).hits] == ["d", "e", "f"]
