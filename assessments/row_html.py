"""The rows a reader's pages repeat (every attempt, every saved strategy), as HTML.

A page shows a hundred attempts or fifty saved strategies, and a template spends far more
on each row's tags, lookups and filters than the row's own text costs: so the rows are
written here, escaped as a template would, with what every row shares (addresses, words
for dates) worked out once per page. The markup is this module's alone; its indentation
follows the templates the rows go in (``assessments/me.html``, ``assessments/toolkit.html``).
The "I practised this today" box is here too, for the toolkit's rows and, through
``{% practise_today %}`` (``assessments.templatetags.practise``), for every other page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape  # Django's escape() without its lazy-string wrapper: the same text
from typing import TYPE_CHECKING
from urllib.parse import quote

from django.utils.safestring import SafeString, mark_safe

from assessments.charts import dates_in_words, local_moments
from assessments.models import NOTE_MAX_LENGTH
from config.template_urls import fixed_url
from guide.models import StrategyPath, quick_urls

if TYPE_CHECKING:
    from assessments.presenters import AttemptRow, ToolkitRow
    from assessments.scoring import Change

_PATH_LABELS = dict(StrategyPath.choices)


def _or_none(value: int | None) -> str:
    """``default_if_none:"–"`` for a number (which needs no escaping)."""
    return "–" if value is None else str(value)


def attempt_rows(rows: Iterable[tuple[AttemptRow, str]]) -> SafeString:
    """``me.html``'s table of attempts: the date (linking to the result) and the scores.

    Scores and version numbers are integers: only the label, a date, needs escaping."""
    url = quick_urls("assessments:result", "pk")
    return mark_safe(
        "".join(
            f"""
                <tr>
                  <th scope="row"><a href="{url(result.pk)}">{escape(label)}</a></th>
                  <td>{result.overall}</td>
                  <td>{_or_none(result.anxious_side)}</td>
                  <td>{_or_none(result.avoidant_side)}</td>
                  <td>{_or_none(result.version_number)}</td>
                </tr>
              """  # noqa: E501
            for result, label in rows
        )
    )


def change_rows(
    rows: Iterable[tuple[str, int | None, int | None, Change]], *, indent: int
) -> SafeString:
    """``me.html``'s tables of what changed since the attempt before: a score or a sign,
    its value then and now, and the change in words. ``indent`` is the template's, where the
    rows go."""
    start, end = "\n" + " " * (indent + 2), "\n" + " " * indent
    return mark_safe(
        "".join(
            f'{start}<tr><th scope="row">{escape(str(label))}</th><td>{_or_none(before)}</td>'
            f"<td>{_or_none(now)}</td><td><span "
            f'class="change change-{escape(change.kind)}">{escape(change.label)}</span></td></tr>'
            f"{end}"
            for label, before, now, change in rows
        )
    )


def practise_today(*, slug: str, title: str, csrf_field: str, next_url: str) -> SafeString:
    """ "I practised this today" for one strategy: one press logs it (dated today in the
    reader's time zone), and the full form, with the situation and how it went, is the link
    beside it. For signed-in readers only (``{% practise_today %}`` checks): a signed-out
    page stays free of forms and cacheable. ``csrf_field`` is the page's token field."""
    title = escape(title)
    return mark_safe(f"""
  <div class="practise-today">
    <form method="post" action="{escape(fixed_url("assessments:practice-quick"))}">
      {csrf_field}
      <input type="hidden" name="strategy" value="{escape(slug)}">
      <input type="hidden" name="next" value="{escape(next_url)}">
      <button type="submit" class="button button-secondary">I practised this today<span class="visually-hidden">: “{title}”</span></button>
    </form>
    <a class="small" href="{escape(fixed_url("assessments:practice-new"))}?strategy={escape(quote(slug, safe="/"))}">Log it with details<span class="visually-hidden">: “{title}”</span></a>
  </div>
""")  # noqa: E501


def toolkit_items(items: Sequence[ToolkitRow], *, csrf_field: str, next_url: str) -> SafeString:
    """``toolkit.html``'s list: each saved strategy with its "practised today" form (while
    the strategy is in the guide), its note form and its remove button. Dates are in the
    current time zone, as the template's ``date`` filter gives them."""
    saved_on = dates_in_words(local_moments([item.created for item in items]), short=False)
    toolkit_url = escape(fixed_url("assessments:toolkit"))
    strategy_url = quick_urls("guide:strategy", "slug")
    note_url = quick_urls("assessments:note", "slug")
    unsave_url = quick_urls("assessments:unsave", "slug")
    parts = []
    for item, saved in zip(items, saved_on, strict=True):
        slug = escape(item.strategy_slug)
        title = escape(item.title)
        in_guide = bool(item.strategy_published)  # None when the strategy is gone
        if in_guide:
            heading = f'<a href="{escape(strategy_url(item.strategy_current_slug))}">{title}</a>'
            practise = practise_today(
                slug=item.strategy_current_slug,
                title=item.strategy_title,
                csrf_field=csrf_field,
                next_url=next_url,
            )
        else:
            heading = title
            practise = ""
        path = ""
        if item.strategy_id is not None:
            path = f"{escape(_PATH_LABELS.get(item.strategy_path, item.strategy_path))} · "
        gone = "" if in_guide else " · No longer in the guide; your note is kept."
        note = escape(note_url(item.strategy_slug))
        unsave = escape(unsave_url(item.strategy_slug))
        parts.append(
            f"""
          <li class="toolkit-item card" id="saved-{slug}">
            <h2 class="toolkit-title">
              {heading}
            </h2>
            <p class="small muted">
              {path}Saved {saved}
              {gone}
            </p>
            {practise}
            <form method="post" action="{note}" class="note-form">
              {csrf_field}
              <label for="note-{slug}">Private note on “{title}”</label>
              <p class="small muted" id="note-{slug}-help">Only you can see this: when you practiced it, what you noticed.</p>
              <textarea name="note" id="note-{slug}" rows="4" maxlength="{NOTE_MAX_LENGTH}" aria-describedby="note-{slug}-help">{escape(item.note)}</textarea>
              <button type="submit">Save note<span class="visually-hidden"> on “{title}”</span></button>
            </form>
            <form method="post" action="{unsave}" class="unsave-form">
              {csrf_field}
              <input type="hidden" name="next" value="{toolkit_url}">
              <button type="submit" class="button-secondary button-small">Remove<span class="visually-hidden"> “{title}”</span> from toolkit</button>
            </form>
          </li>
        """  # noqa: E501
        )
    return mark_safe("".join(parts))
