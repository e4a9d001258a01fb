"""Rendering a draft: HTML, markdown-ish or plain text, then a little unicode and whitespace noise."""

from __future__ import annotations

import html
import random
import re
from collections.abc import Callable, Sequence

from embedtune.data.demo.drafts import Draft, Section, Style, TextFormat

__all__ = ["render"]

# Heading patterns by `Style.heading`.
_HTML_HEADINGS = ("<p><strong>{}</strong></p>", "<h3>{}</h3>", "<b>{}</b><br>")
_MARKDOWN_HEADINGS = ("**{}**", "### {}", "{}:")
_PLAIN_HEADINGS = ("{}:", "{}", "{}")


def render(draft: Draft) -> str:
    """The draft's text in its style; the noise is seeded by the draft, so reposts vary too."""
    renderers: dict[TextFormat, Callable[[Sequence[Section], Style], str]] = {
        "html": _render_html,
        "markdown": _render_markdown,
        "plain": _render_plain,
    }
    text = renderers[draft.style.fmt](draft.sections, draft.style)
    return _add_noise(random.Random(draft.noise_seed), text, draft.style.fmt)


def _render_html(sections: Sequence[Section], style: Style) -> str:
    def esc(text: str) -> str:
        return html.escape(text, quote=False).replace("'", style.apostrophe)

    blocks = []
    for section in sections:
        if section.inline and section.heading:
            body = esc(" ".join(section.paragraphs))
            blocks.append(f"<p><strong>{esc(section.heading)}:</strong> {body}</p>")
            continue
        if section.heading:
            blocks.append(_HTML_HEADINGS[style.heading].format(esc(section.heading)))
        if section.paragraphs:
            if style.compact:
                blocks.append("<p>" + "<br>".join(esc(p) for p in section.paragraphs) + "</p>")
            else:
                blocks += [f"<p>{esc(p)}</p>" for p in section.paragraphs]
        if section.bullets:
            joiner = "" if style.compact else "\n"
            items = joiner.join(f"<li>{esc(b)}</li>" for b in section.bullets)
            blocks.append(f"<ul>{joiner}{items}{joiner}</ul>")
    return ("" if style.compact else "\n").join(blocks)


def _render_markdown(sections: Sequence[Section], style: Style) -> str:
    return _render_text(
        sections,
        inline="**{}:** ",
        heading=lambda text: _MARKDOWN_HEADINGS[style.heading].format(text),
        bullets=lambda bullets: [style.marker + bullet for bullet in bullets],
    )


def _render_plain(sections: Sequence[Section], style: Style) -> str:
    def heading(text: str) -> str:
        line = _PLAIN_HEADINGS[style.heading].format(text)
        return line.upper() if style.heading == 2 else line

    def bullets(items: tuple[str, ...]) -> list[str]:
        if style.compact and items:
            return [" ".join(item.rstrip(".") + "." for item in items)]
        return list(items)

    return _render_text(sections, inline="{}: ", heading=heading, bullets=bullets)


def _render_text(
    sections: Sequence[Section],
    *,
    inline: str,
    heading: Callable[[str], str],
    bullets: Callable[[tuple[str, ...]], list[str]],
) -> str:
    """Blocks of lines split by blank lines; `inline` formats "Heading: text" sections."""
    blocks = []
    for section in sections:
        if section.inline and section.heading:
            blocks.append(inline.format(section.heading) + " ".join(section.paragraphs))
            continue
        lines = [heading(section.heading)] if section.heading else []
        lines += list(section.paragraphs)
        lines += bullets(section.bullets)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _add_noise(rng: random.Random, text: str, fmt: TextFormat) -> str:
    """Curly quotes, non-breaking and zero-width spaces, ragged whitespace: scraped-text noise."""
    if rng.random() < 0.3:
        text = re.sub(r'"([^"<>]*)"', "\u201c\\1\u201d", text.replace("'", "\u2019"))
    if rng.random() < 0.25:
        nbsp = "&nbsp;" if fmt == "html" and rng.random() < 0.5 else "\u00a0"
        text = _sometimes(rng, text, r" ", nbsp, 0.04)
    if rng.random() < 0.12:
        text = _sometimes(rng, text, r" (?=\w)", " \u200b", 0.02)
    if rng.random() < 0.3:
        text = _sometimes(rng, text, r"\. ", ".  ", 0.3)
        text = _sometimes(rng, text, r"\n", "  \n\n", 0.2)
        text = "\n " + text + " \n"
    if rng.random() < 0.06:
        text = text.replace("\n", "\r\n")
    return text


def _sometimes(rng: random.Random, text: str, pattern: str, new: str, p: float) -> str:
    """Replace each match of `pattern` with `new` with probability `p`."""
    return re.sub(pattern, lambda m: new if rng.random() < p else m.group(0), text)
