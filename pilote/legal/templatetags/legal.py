from django import template

from pilote.legal import accessibility

register = template.Library()


@register.simple_tag
def accessibility_level() -> str:
    """« non conforme » or « partiellement conforme », for the footer (settings only)."""
    return accessibility.statement().level
