"""Members' Markdown comes out as HTML that cannot run anything."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from governance.language.markdown_text import render

ATTACKS = [
    "<script>alert(1)</script>",
    "<iframe src='https://evil.example'></iframe>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "<img src=x onerror=alert(1)>",
    '<a href="#" onclick="alert(1)">x</a>',
    "<style>body{display:none}</style>",
    "![x](https://evil.example/track.png)",
    "<svg onload=alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _harmless(html: str) -> bool:
    parser = _Tags()
    parser.feed(html)
    for tag, attrs in parser.tags:
        if tag in {"script", "iframe", "style", "img", "svg", "object", "embed"}:
            return False
        for name, value in attrs.items():
            if name.startswith("on") or name == "style":
                return False
            if name == "href" and not (value or "").startswith(("http://", "https://", "mailto:")):
                return False
    return True


def test_known_attacks_come_out_harmless() -> None:
    for attack in ATTACKS:
        assert _harmless(render(attack)), attack


def test_ordinary_markdown_is_kept() -> None:
    html = render("# Title\n\n**bold** and [a link](https://example.org)\n\n- one\n- two")
    assert "<h1>Title</h1>" in html and "<strong>bold</strong>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">a link</a>' in html
    assert "<li>one</li>" in html


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from([*ATTACKS, "text", "\n\n", "*", "[", "](", "<", ">", '"']), max_size=12
    )
)
def test_any_mix_comes_out_harmless(parts: list[str]) -> None:
    assert _harmless(render("".join(parts)))
