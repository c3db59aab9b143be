"""Template helpers available everywhere (registered as builtins in settings)."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import numberformat
from django.utils.safestring import SafeString

from pilote.core.markdown import plain_text, render_markdown
from pilote.core.money import to_cents

register = template.Library()


@register.filter
def euros(value) -> str:
    """10833.333 → « 10 833,33 € » (French grouping, cent precision, non-breaking spaces)."""
    if value is None or value == "":
        return ""
    try:
        amount = to_cents(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return ""
    number = numberformat.format(
        amount, ",", decimal_pos=2, grouping=3, thousand_sep="\xa0", force_grouping=True
    )
    return f"{number}\xa0€"


@register.filter
def markdown(text: str) -> SafeString:
    return render_markdown(text)


@register.filter
def plaintext(text: str) -> str:
    """Markdown without its marks, for excerpts (« **Projet** » reads « Projet »)."""
    return plain_text(text)


@register.simple_tag(takes_context=True)
def query_with(context, **params) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    query = context["request"].GET.copy()
    for key, value in params.items():
        query[key] = value
    return query.urlencode()


@register.simple_tag
def history_url(obj) -> str:
    from django.contrib.contenttypes.models import ContentType
    from django.urls import reverse

    content_type = ContentType.objects.get_for_model(obj)
    return reverse("core:history", args=[content_type.pk, obj.pk])


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "") if mapping else ""


@register.filter
def duration(minutes) -> str:
    """90 → « 1 h 30 », 45 → « 45 min », 120 → « 2 h » (time spent, French style)."""
    if minutes in (None, ""):
        return ""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest}\xa0min"
    return f"{hours}\xa0h\xa0{rest:02d}" if rest else f"{hours}\xa0h"
