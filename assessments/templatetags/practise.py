"""``{% practise_today strategy %}``: the "I practised this today" box, for signed-in readers.

The box is written by ``assessments.row_html.practise_today``, the one place its markup
lives (the toolkit writes a box per saved strategy with it too). Signed-out readers get
nothing, so their page stays free of forms and cacheable.
"""

from django import template
from django.template.backends.utils import csrf_input

from assessments import row_html

register = template.Library()


@register.simple_tag(takes_context=True)
def practise_today(context: template.Context, strategy, next_url: str = "") -> str:
    """The box for ``strategy`` (its slug and title), coming back to ``next_url`` after a
    press (this page by default)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return ""
    return row_html.practise_today(
        slug=strategy.slug,
        title=str(strategy.title),
        csrf_field=csrf_input(request),
        next_url=next_url or request.get_full_path(),
    )
