"""The import of LinkedIn exports: formats, idempotence, updates, rejections, dry run."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from pilote.core.models import AuditEvent
from pilote.linkedin import figures
from pilote.linkedin.imports import ImportFileError, import_export, normalise, post_key
from pilote.linkedin.models import ContentDay, FollowerDay, Post
from tests.linkedin.exports import (
    POSTS_FR,
    content_xlsx,
    followers_csv_fr,
    followers_xlsx,
    xlsx,
)

pytestmark = pytest.mark.django_db

D = dt.date(2026, 3, 1)
FOLLOWER_DAYS = [(D + dt.timedelta(days=i), 3 + i % 4, 1 if i == 2 else 0) for i in range(20)]
CONTENT_DAYS = [(D + dt.timedelta(days=i), 100 + 10 * i, 4 + i % 3) for i in range(20)]
POSTS = [
    {"title": "Visite des Forges de Denain", "date": dt.date(2026, 3, 3),
     "link": "https://www.linkedin.com/feed/update/urn:li:activity:7171111111111111111/",
     "impressions": 1500, "clicks": 60, "likes": 45, "comments": 6, "reposts": 3},
    {"title": "Appel à projets « industrie du futur »", "date": dt.date(2026, 3, 13),
     "link": "https://www.linkedin.com/feed/update/urn:li:activity:7172222222222222222?utm=x",
     "impressions": 900, "clicks": 20, "likes": 15, "comments": 1},
    {"title": "Comité de pilotage à Cambrai", "date": dt.date(2026, 3, 14),
     "impressions": 400, "clicks": 2, "likes": 10, "comments": 0},
]  # fmt: skip


def run(world, data: bytes, name: str, wet: bool = True):
    return import_export(io.BytesIO(data), filename=name, territory=world.territory_a,
                         wet_run=wet)  # fmt: skip


def test_labels_are_normalised():
    assert normalise("Taux d’engagement (total)") == "taux d engagement total"
    assert normalise("\ufeffAbonnés organiques") == "abonnes organiques"


def test_an_english_followers_workbook_imports_twice_without_duplicates(world):
    data = followers_xlsx(FOLLOWER_DAYS)
    first = run(world, data, "followers.xlsx")
    assert first.file_kind == "followers"
    assert first.summary() == {"file_kind": "followers", "read": 20, "created": 20,
                               "updated": 0, "kept": 0, "rejected": 0}  # fmt: skip
    assert first.sheets[0].header_line == 2  # below the description row
    assert first.skipped_sheets == ["Location", "Job function"]
    day = FollowerDay.objects.get(date=D + dt.timedelta(days=2))
    # « Total followers » is the day's new followers here (organic + sponsored + auto-invited)
    assert (day.organic, day.sponsored, day.new_total, day.total_followers) == (5, 1, 6, None)
    rows = list(FollowerDay.objects.order_by("date").values())
    second = run(world, data, "followers.xlsx")
    assert second.summary() == {"file_kind": "followers", "read": 20, "created": 0,
                                "updated": 0, "kept": 20, "rejected": 0}  # fmt: skip
    assert FollowerDay.objects.count() == 20
    assert list(FollowerDay.objects.order_by("date").values()) == rows


def test_a_content_workbook_imports_its_metrics_and_its_posts_idempotently(world):
    data = content_xlsx(CONTENT_DAYS, POSTS)
    first = run(world, data, "content.xlsx")
    assert first.file_kind == "content"
    assert [(s.sheet, s.kind, s.created) for s in first.sheets] == [
        ("Metrics", "content", 20),
        ("All posts", "posts", 3),
    ]
    day = ContentDay.objects.get(date=D)
    assert (day.impressions, day.clicks, day.reactions, day.unique_impressions) == (100, 4, 2, 97)
    assert day.engagement_rate == Decimal("0.06")
    post = Post.objects.get(title="Visite des Forges de Denain")
    assert post.key == "urn:li:activity:7171111111111111111"
    assert (post.created_on, post.impressions, post.clicks, post.reactions, post.comments,
            post.reposts) == (dt.date(2026, 3, 3), 1500, 60, 45, 6, 3)  # fmt: skip
    assert (
        Post.objects.get(title__startswith="Comité").key
        == "2026-03-14|comité de pilotage à cambrai"
    )
    snapshot = (list(ContentDay.objects.values()), list(Post.objects.values()))
    second = run(world, data, "content.xlsx")
    assert second.summary()["created"] == second.summary()["updated"] == 0
    assert second.kept == second.read == 23
    assert (list(ContentDay.objects.values()), list(Post.objects.values())) == snapshot


def test_a_later_export_updates_the_days_it_overlaps_and_says_how_many(world):
    run(world, content_xlsx(CONTENT_DAYS, POSTS), "content.xlsx")
    later_days = [(day, impressions + (50 if day >= D + dt.timedelta(days=15) else 0), clicks)
                  for day, impressions, clicks in CONTENT_DAYS[10:]]  # fmt: skip
    later_days += [(D + dt.timedelta(days=20 + i), 300, 9) for i in range(5)]
    later_posts = [
        dict(POSTS[0], impressions=2100, clicks=80),
        POSTS[1],
        dict(POSTS[2], link="https://www.linkedin.com/feed/update/urn:li:activity:7173/"),
    ]
    report = run(world, content_xlsx(later_days, later_posts), "content-later.xlsx")
    metrics, posts = report.sheets
    assert (metrics.read, metrics.kept, metrics.updated, metrics.created) == (15, 5, 5, 5)
    # the post found by its URN is updated; the one without a link is found by date and title
    assert (posts.kept, posts.updated, posts.created) == (1, 2, 0)
    assert ContentDay.objects.count() == 25
    assert ContentDay.objects.get(date=D + dt.timedelta(days=19)).impressions == 340
    assert Post.objects.count() == 3
    assert Post.objects.get(key="urn:li:activity:7171111111111111111").impressions == 2100
    assert Post.objects.filter(key="urn:li:activity:7173").exists()


def test_a_french_csv_with_semicolons_imports_and_bad_lines_are_rejected(world):
    rows = [
        ["02/03/2026", 0, 4, 0, 4],
        ["03/03/2026", 1, 5, 0, 6],
        ["31/02/2026", 0, 1, 0, 1],
        ["pas une date", 0, 1, 0, 1],
        ["05/03/2026", 0, -2, 0, -2],
        ["06/03/2026", 0, "trois", 0, 3],
        [],
        ["03/03/2026", 0, 5, 0, 5],
        ["13/03/2026", 0, "1 2", 0, 12],
    ]
    report = run(world, followers_csv_fr(rows), "abonnes.csv")
    assert report.file_kind == "followers"
    assert report.read == 8
    assert report.created == 3  # « 1 2 »: a thousands space, 12
    reasons = {r.line: r.reason for r in report.rejections}
    assert set(reasons) == {5, 6, 7, 8, 10}
    assert "« 31/02/2026 » n'est pas une date" in reasons[5]
    assert "« pas une date » n'est pas une date" in reasons[6]
    assert "ne peut pas être négatif (-2)" in reasons[7]
    assert "« trois » n'est pas un nombre entier" in reasons[8]
    assert "le 03/03/2026 figure déjà ligne 4" in reasons[10]
    day = FollowerDay.objects.get(date=dt.date(2026, 3, 3))  # day first: a French file
    assert (day.organic, day.sponsored, day.new_total) == (5, 1, 6)


def test_without_bom_and_with_commas(world):
    text = "Date,Organic followers,Sponsored followers,Total followers\n03/13/2026,4,0,4\n"
    report = run(world, text.encode(), "f.csv")
    assert report.created == 1
    assert FollowerDay.objects.get().date == dt.date(2026, 3, 13)  # month first: English


def test_the_day_order_follows_an_unambiguous_date(world):
    text = "Date,Organic followers\n01/02/2026,4\n01/20/2026,3\n"
    run(world, text.encode(), "f.csv")
    assert set(FollowerDay.objects.values_list("date", flat=True)) == {
        dt.date(2026, 1, 2),
        dt.date(2026, 1, 20),
    }


def test_a_cumulative_total_is_the_pages_size(world):
    text = "Date;Abonnés organiques;Total des abonnés\n01/03/2026;4;504\n02/03/2026;2;506\n"
    run(world, text.encode(), "f.csv")
    days = FollowerDay.objects.order_by("date")
    assert [(d.new_total, d.total_followers) for d in days] == [(4, 504), (2, 506)]
    assert figures.Followers(world.territory_a).at(dt.date(2026, 3, 31)) == 506


def test_a_french_posts_sheet(world):
    header = POSTS_FR
    row = ["Forum de l'industrie", "https://www.linkedin.com/posts/ti-hdc_forum-activity-7175555555555555555-abcd",
           "Organique", "", "Équipe", "15/03/2026", "Tous", "1 234", "", "50", "4,05 %", "30",
           "3", "2", "1", "6,9 %", "Texte"]  # fmt: skip
    data = xlsx([("Toutes les publications", [["Statistiques des publications"], header, row])])
    report = run(world, data, "contenu.xlsx")
    assert report.file_kind == "posts"
    post = Post.objects.get()
    assert post.key == "urn:li:activity:7175555555555555555"
    assert (post.created_on, post.impressions, post.clicks, post.reactions) == (
        dt.date(2026, 3, 15), 1234, 50, 30)  # fmt: skip
    assert post.ctr == Decimal("0.0405")
    assert post.engagement_rate == Decimal("0.069")
    assert run(world, data, "contenu.xlsx").kept == 1


def test_a_dry_run_writes_nothing_but_counts_as_a_real_one(world):
    report = run(world, content_xlsx(CONTENT_DAYS, POSTS), "content.xlsx", wet=False)
    assert report.created == 23
    assert ContentDay.objects.count() == Post.objects.count() == 0
    assert not AuditEvent.objects.filter(action="linkedin.import").exists()
    run(world, content_xlsx(CONTENT_DAYS, POSTS), "content.xlsx")
    assert AuditEvent.objects.filter(action="linkedin.import").count() == 1


def test_files_that_are_not_exports_are_refused_in_french(world):
    with pytest.raises(ImportFileError, match="Aucune feuille"):
        run(world, b"nom;prenom\nDupont;Jean\n", "x.csv")
    with pytest.raises(ImportFileError, match="vide"):
        run(world, b"", "x.csv")
    with pytest.raises(ImportFileError, match="pas un classeur Excel valide"):
        run(world, b"hello", "x.xlsx")
    with pytest.raises(ImportFileError, match=r"\.xls est illisible"):
        run(world, b"\xd0\xcf\x11\xe0" + b"\x00" * 600, "x.xls")
    assert FollowerDay.objects.count() == 0


def test_a_legacy_xls_is_read(world, tmp_path):
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("New followers")
    for r, row in enumerate([["Aggregated new followers"], ["Date", "Organic followers"],
                             ["03/01/2026", 4], ["03/02/2026", 5]]):  # fmt: skip
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    path = tmp_path / "f.xls"
    book.save(str(path))
    report = run(world, path.read_bytes(), "f.xls")
    assert report.created == 2


def test_post_keys():
    assert post_key("https://www.linkedin.com/feed/update/urn:li:share:123/", None, "") == (
        "urn:li:share:123"
    )
    assert post_key("https://www.linkedin.com/feed/update/urn%3Ali%3Aactivity%3A9?x", None, "") == (
        "urn:li:activity:9"
    )
    assert post_key("", dt.date(2026, 1, 2), "  Bonjour   Douai ") == "2026-01-02|bonjour douai"


def test_the_command_prints_one_json_line_and_the_rejections(world, tmp_path, capsys):
    path = tmp_path / "abonnes.csv"
    path.write_bytes(followers_csv_fr([["02/03/2026", 0, 4, 0, 4], ["xx", 0, 1, 0, 1]]))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_linkedin", str(path), "--territory", "ti-a", stdout=out, stderr=err)
    assert json.loads(out.getvalue()) == {"file_kind": "followers", "read": 2, "created": 1,
                                          "updated": 0, "kept": 0, "rejected": 1}  # fmt: skip
    assert err.getvalue().startswith("ligne 4 : la date « xx »")
    assert FollowerDay.objects.count() == 0  # dry run by default
    out = io.StringIO()
    call_command("import_linkedin", str(path), "--territory", "ti-a", "--wet-run", stdout=out,
                 stderr=io.StringIO())  # fmt: skip
    assert json.loads(out.getvalue())["created"] == 1
    out = io.StringIO()
    call_command("import_linkedin", str(path), "--territory", "ti-a", "--wet-run", stdout=out,
                 stderr=io.StringIO())  # fmt: skip
    assert json.loads(out.getvalue())["kept"] == 1
    assert FollowerDay.objects.count() == 1
    with pytest.raises(CommandError, match="Plusieurs territoires"):
        call_command("import_linkedin", str(path))
    bad = tmp_path / "x.csv"
    bad.write_text("a;b\n1;2\n")
    with pytest.raises(CommandError, match="Rien n'a été importé"):
        call_command("import_linkedin", str(bad), "--territory", "ti-a")
