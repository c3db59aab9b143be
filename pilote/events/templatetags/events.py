"""`{% no_show event %}`: the no-show rate of an event annotated `with_counts()`."""

from django import template

from pilote.events.models import no_show_rate

register = template.Library()


@register.simple_tag
def no_show(event) -> str:
    rate = no_show_rate(event.n_registered, event.n_attended)
    if rate is None:
        return "—"
    return f"{round(rate * 100)} %"


@register.filter
def percent(rate) -> str:
    return "—" if rate is None else f"{round(rate * 100)} %"
