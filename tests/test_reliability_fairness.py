"""No side doors, through the Bot API stand-in: inline answers stay with the person who asked
when access is restricted."""

from __future__ import annotations

import asyncio

import pytest
from botapi import BotAPIStandIn, standin_fixture  # noqa: F401
from bothelpers import (
    PRIVATE,
    bot_settings,
    build_index,
    running_bot,
)

STRANGER = 77


@pytest.fixture
def indexed(tmp_path):
    return build_index(tmp_path)


@pytest.mark.parametrize("allowed", [frozenset(), frozenset({PRIVATE})], ids=["open", "allow-list"])
def test_inline_results_are_personal_whenever_an_allow_list_is_set(
    standin: BotAPIStandIn, indexed, allowed
) -> None:
    """Telegram serves cached inline results to anyone typing the same query, unless they are
    personal: with an allow-list, a refused user would see what an allowed one was shown."""
    settings = bot_settings(standin, *indexed, allowed_chat_ids=allowed, inline_cache_seconds=30)

    async def main():
        async with running_bot(settings):
            for query in ("railway Raeisi", "qqqzzz", ""):
                standin.push_inline_query(PRIVATE, query)
            await standin.wait_for_calls_async("answerInlineQuery", 3)
            if allowed:
                standin.push_inline_query(STRANGER, "railway Raeisi")
                await standin.wait_for_calls_async("answerInlineQuery", 4)
            return [c.params for c in standin.calls_to("answerInlineQuery")]

    answers = asyncio.run(main())
    found = [a for a in answers if a["results"]]
    assert len(found) == 1 and "<b>railway</b>" in str(found[0]["results"])
    for sent in answers:
        assert sent.get("is_personal", False) is bool(allowed), sent
    assert found[0]["cache_time"] == 30
