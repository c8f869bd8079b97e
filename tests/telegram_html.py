"""What Telegram accepts as a message's HTML, checked as a test reads a reply."""

from __future__ import annotations

from html.parser import HTMLParser

#: The tags briefbot's replies use; Telegram rejects a message with any tag it does not know.
TAGS = {"b", "i", "code", "blockquote", "a"}


class _Checker(HTMLParser):
    """Telegram's HTML: a few tags, properly nested, no blockquote in a blockquote."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        assert tag in TAGS, f"unexpected tag <{tag}>"
        if tag == "a":  # a link: one web address, nothing else
            assert len(attrs) == 1 and attrs[0][0] == "href"
            assert attrs[0][1].startswith(("http://", "https://")), attrs
        else:
            assert attrs in ([], [("expandable", None)])
        assert not (tag == "blockquote" and "blockquote" in self.stack)
        self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack}"
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def visible(message: str) -> str:
    """The text a person sees, after checking the markup is what Telegram accepts."""
    checker = _Checker()
    checker.feed(message)
    checker.close()
    assert not checker.stack, f"unclosed {checker.stack}"
    return "".join(checker.text)
