"""Django's `{# … #}` comment ends at the end of its line: a comment written over two lines
is printed on the page as it is. Multi-line comments use `{% comment %}`."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_no_template_writes_a_one_line_comment_over_several_lines():
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")) + sorted(TEMPLATES.rglob("*.txt")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for start in (m.start() for m in re.finditer(r"\{#", line)):
                if "#}" not in line[start:]:
                    found.append(f"{path.relative_to(TEMPLATES)}:{number}")
    assert not found, "commentaires {# #} sur plusieurs lignes : " + ", ".join(found)
