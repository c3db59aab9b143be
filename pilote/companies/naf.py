"""NAF rév. 2 helpers: the section of a code, labels from the Naf table."""

from functools import cache

# Sections of the NAF rév. 2 by their first and last division (INSEE).
SECTIONS = [
    ("A", 1, 3), ("B", 5, 9), ("C", 10, 33), ("D", 35, 35), ("E", 36, 39), ("F", 41, 43),
    ("G", 45, 47), ("H", 49, 53), ("I", 55, 56), ("J", 58, 63), ("K", 64, 66), ("L", 68, 68),
    ("M", 69, 75), ("N", 77, 82), ("O", 84, 84), ("P", 85, 85), ("Q", 86, 88), ("R", 90, 93),
    ("S", 94, 96), ("T", 97, 98), ("U", 99, 99),
]  # fmt: skip


@cache
def section_of(naf_code: str) -> str:
    """'29.32Z' → 'C'; '' for an empty or unknown code."""
    head = (naf_code or "")[:2]
    if not head.isdigit():
        return ""
    division = int(head)
    for section, first, last in SECTIONS:
        if first <= division <= last:
            return section
    return ""


def labels(codes) -> dict[str, str]:
    from pilote.companies.models import Naf

    return dict(Naf.objects.filter(code__in=set(codes)).values_list("code", "label"))
