"""Excerpts show what Markdown says, not its marks (« **Projet** » reads « Projet »)."""

import pytest
from django.urls import reverse

from pilote.core.markdown import plain_text
from tests.accompaniment.factories import NeedFactory, meeting_of, written_by


def test_plain_text_drops_the_marks_and_keeps_the_words():
    text = (
        "**Projet** de _four_ électrique :\n\n- 1,2 M€\n- [Bpifrance](https://bpifrance.fr) & ADEME"
    )
    assert plain_text(text) == "Projet de four électrique :\n1,2 M€\nBpifrance & ADEME"
    assert plain_text("<script>alert(1)</script>Texte") == "Texte"
    assert plain_text("") == ""


@pytest.mark.django_db
def test_lists_and_the_timeline_show_excerpts_without_markdown_marks(world, login):
    meeting = meeting_of(world, "e1", "agent_e1", summary="**Projet** de four électrique")
    NeedFactory(
        establishment=meeting.establishment,
        description="**Recrutement** de soudeurs",
        **written_by(world, "agent_e1"),
    )
    client = login(world.users["agent_e1"])
    for url in (
        reverse("accompaniment:interaction_list"),
        reverse("accompaniment:need_list"),
        meeting.establishment.get_absolute_url(),
    ):
        html = client.get(url).content.decode()
        assert "**" not in html, url
    assert (
        "Projet de four électrique"
        in client.get(reverse("accompaniment:interaction_list")).content.decode()
    )
