"""The team's Markdown, as HTML safe to print in the report and to show in a page.

markdown-it-py in CommonMark mode with raw HTML off (a ``<script>`` typed in a section is
text, not markup), then nh3 (the Rust ammonia sanitiser) keeps only the tags a report
section needs: defence in depth, should a parser rule ever let markup through. Links keep
their target but get ``rel="noopener noreferrer"``; images are not allowed (a report is
printed; a picture from elsewhere would be fetched by whoever opens it).
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_PARSER = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "h3", "h4", "a", "code",
}  # fmt: skip


def to_html(markdown: str) -> str:
    # Headings in a section are sub-headings of the section's own title (h2 in the report).
    rendered = _PARSER.render(markdown)
    for level, to in (("h1", "h3"), ("h2", "h3"), ("h5", "h4"), ("h6", "h4")):
        rendered = rendered.replace(f"<{level}>", f"<{to}>").replace(f"</{level}>", f"</{to}>")
    return nh3.clean(
        rendered,
        tags=_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
