"""Markdown that members write (proposals, discussion), rendered to HTML that cannot run.

Two locks: markdown-it renders with raw HTML turned off (a `<script>` typed in the text comes
out as text), then nh3 keeps only the tags and attributes below and links to http(s) and
mailto. Whatever the text, the result has no script, iframe, style, event attribute or
`javascript:` link.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

MAX_LENGTH = 20_000

_PARSER = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_PARSER.enable("table")
_PARSER.enable("strikethrough")

_TAGS = {
    "p", "br", "hr", "em", "strong", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "a",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}


def render(text: str) -> Markup:
    """Safe HTML for `text` (Markdown)."""
    html = _PARSER.render(text)
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(clean)  # noqa: S704 - sanitised just above
