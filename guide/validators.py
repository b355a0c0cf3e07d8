"""Checks on markdown an editor saves, so every saved text renders, quickly, on every page.

``MarkdownxField(max_length=…)`` is a TextField: the database enforces nothing and the
form's limit only says "Ensure this value has at most 50000 characters". These checks
say what is wrong in words an editor can act on.
"""

from __future__ import annotations

import time

from django.core.exceptions import ValidationError

from guide.markdown import MAX_BLOCK_LENGTH, longest_block, render_strict
from guide.models import MARKDOWN_MAX_LENGTH

# A real chapter of 50,000 characters renders in about 0.05 s: twenty times that is
# not a chapter but a paste of repeated symbols, and every reader would wait for it.
RENDER_BUDGET_SECONDS = 1.0


def markdown_limit_problem(source: str) -> str | None:
    """The first size limit ``source`` breaks, in words; cheap enough for every preview."""
    if len(source) > MARKDOWN_MAX_LENGTH:
        return (
            f"This text is {len(source):,} characters long; the most it can hold is "
            f"{MARKDOWN_MAX_LENGTH:,}. Shorten it, or move part of it to another section."
        )
    longest = longest_block(source)
    if longest > MAX_BLOCK_LENGTH:
        return (
            f"One paragraph, list or table is {longest:,} characters long; the most is "
            f"{MAX_BLOCK_LENGTH:,}. Break it up with a blank line."
        )
    return None


def validate_markdown(source: str) -> None:
    """Size limits, then a trial render: too deeply nested or too slow is refused."""
    problem = markdown_limit_problem(source)
    if problem:
        raise ValidationError(problem, code="too_long")
    started = time.perf_counter()
    try:
        render_strict(source)
    except RecursionError:
        raise ValidationError(
            "Lists or quotes are nested too deeply to show. Flatten them.", code="too_deep"
        ) from None
    seconds = time.perf_counter() - started
    if seconds > RENDER_BUDGET_SECONDS:
        raise ValidationError(
            f"This text takes too long to format ({seconds:.1f} s, where a whole chapter takes "
            "a fraction of a second). Long runs of repeated symbols usually cause this: "
            "remove them.",
            code="too_slow",
        )
