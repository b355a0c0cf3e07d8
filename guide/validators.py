"""Checks on markdown an editor saves, so every saved text renders, quickly, on every page.

``MarkdownxField(max_length=…)`` is a TextField: the database enforces nothing and the
form's limit only says "Ensure this value has at most 50000 characters". These checks
say what is wrong in words an editor can act on. The admin's live preview runs the same
checks, so what it shows is what saving would accept.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.safestring import SafeString

from guide.markdown import (
    MAX_BLOCK_LENGTH,
    MAX_NESTING,
    RenderTooSlow,
    longest_block,
    trial_render,
)
from guide.models import MARKDOWN_MAX_LENGTH

# A real chapter of 50,000 characters renders in about 0.05 s: twenty times that is
# not a chapter but a paste of repeated symbols, and every reader would wait for it.
RENDER_BUDGET_SECONDS = 1.0

TOO_DEEP = (
    f"Lists or quotes are nested too deeply to show (the most is {MAX_NESTING} levels). "
    "Flatten them."
)


def markdown_limit_problem(source: str) -> str | None:
    """The first size limit ``source`` breaks, in words; cheap: nothing is rendered."""
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


def checked_render(source: str) -> SafeString:
    """The site's HTML for ``source``, or ``ValidationError`` saying why it can't be saved:
    too long, too deeply nested, or too slow to format (given up after the budget, so a
    check never keeps an editor waiting longer than that)."""
    problem = markdown_limit_problem(source)
    if problem:
        raise ValidationError(problem, code="too_long")
    try:
        trial = trial_render(source, budget=RENDER_BUDGET_SECONDS)
    except RecursionError:
        raise ValidationError(TOO_DEEP, code="too_deep") from None
    except RenderTooSlow:
        trial = None
    if trial is None or trial.seconds > RENDER_BUDGET_SECONDS:
        raise ValidationError(
            "This text takes too long to format (over a second, where a whole chapter takes "
            "a fraction of one). Long runs of repeated symbols or list items usually cause "
            "this: remove them, or split the text.",
            code="too_slow",
        )
    if trial.nesting > MAX_NESTING:
        raise ValidationError(TOO_DEEP, code="too_deep")
    return trial.html


def validate_markdown(source: str) -> None:
    """Size limits, then a trial render: too deeply nested or too slow is refused."""
    checked_render(source)
