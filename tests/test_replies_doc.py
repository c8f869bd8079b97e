"""docs/replies.md is made by one command; these tests run it, so that the command cannot stop
working unnoticed, and check its Telegram HTML to Markdown on what the bot's replies hold."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "docs" / "replies.py"

SCREENS = [
    "A question in a private chat",
    "An answer from several briefings",
    "The next page of an answer",
    "A passage in its context",
    "Nothing found",
    "A question in a group",
    "Inline mode",
    "A day's summary",
    "Help in a private chat",
]


def _replies_module():
    spec = importlib.util.spec_from_file_location("docs_replies", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def test_the_command_writes_every_screen(tmp_path: Path) -> None:
    out = tmp_path / "replies.md"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(out)],
        cwd=tmp_path,  # the command does not depend on where it is run from
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    headings = re.findall(r"^## \d+\. (.+)$", page, re.M)
    assert headings == SCREENS
    assert "docs/replies.py" in page.split("\n## ", 1)[0]  # says how it is made
    sections = page.split("\n## ")[1:]
    for section in sections:
        assert "**You" in section, section[:80]  # what the person did
        assert "**briefbot" in section or "Telegram lists" in section, section[:80]
    # Telegram's markup is all turned into Markdown.
    assert not re.search(r"(?<!\\)</?[A-Za-z][A-Za-z-]*(\s[^>]*)?>", page)
    assert not re.search(r"&(lt|gt|amp|quot|#\d+);", page)
    assert "\n> " in page and "**railway**" in page and "](https://" in page
    assert "`[ Context" in page and "[ More" in page  # buttons by how their labels begin


def test_telegram_html_becomes_markdown() -> None:
    to_markdown = _replies_module().to_markdown
    html = (
        '<b>Title &amp; more</b>\n<i>8 April 2024</i> · <a href="https://example.org/x">source'
        "</a>\n<b>1.</b> <i>Repairs</i>\n<blockquote expandable>the <b>dam</b> &lt;here&gt;"
        "</blockquote>\n\n<b>2.</b>\n<blockquote>two</blockquote>after <code>@a_bot q</code>"
    )
    assert to_markdown(html) == (
        "**Title & more**\\\n"
        "_8 April 2024_ · [source](https://example.org/x)\\\n"
        "**1.** _Repairs_\n"
        "\n"
        "> the **dam** \\<here\\>\n"
        "\n"
        "**2.**\n"
        "\n"
        "> two\n"
        "\n"
        "after `@a_bot q`"
    )
    # Text that Markdown would read as a list, a heading or emphasis stays text.
    assert to_markdown("1. one\n- two\nsnake_case _x_ 2*3") == (
        "1\\. one\\\n\\- two\\\nsnake_case \\_x\\_ 2\\*3"
    )
