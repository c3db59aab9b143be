"""Markdown written by users, rendered then sanitised with nh3 (no script, no style)."""

import html

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "code", "pre",
    "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def render_markdown(text: str) -> SafeString:
    html = md.markdown(text or "", extensions=["tables", "sane_lists"])
    return mark_safe(
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer nofollow",
        )
    )


def plain_text(text: str) -> str:
    """What the Markdown says, without its marks: for excerpts, titles and lists, where
    « **Projet** » must read « Projet ». Lines are kept (a paragraph per line)."""
    rendered = md.markdown(text or "", extensions=["tables", "sane_lists"])
    rendered = (
        rendered.replace("</p>", "</p>\n").replace("<br />", "\n").replace("</li>", "</li>\n")
    )
    stripped = nh3.clean(rendered, tags=set())
    lines = (" ".join(line.split()) for line in html.unescape(stripped).splitlines())
    return "\n".join(line for line in lines if line)
