"""Export files as LinkedIn produces them (docs/linkedin.md): a description row above the
header, English labels and MM/DD/YYYY dates in an English interface, French labels and
JJ/MM/AAAA in a French one, demographics sheets beside the daily one."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook

FOLLOWERS_EN = ["Date", "Sponsored followers", "Organic followers", "Auto-invited followers",
                "Total followers"]  # fmt: skip
CONTENT_EN = ["Date", "Impressions (organic)", "Impressions (sponsored)", "Impressions (total)",
              "Unique impressions (organic)", "Clicks (organic)", "Clicks (sponsored)",
              "Clicks (total)", "Reactions (organic)", "Reactions (sponsored)",
              "Reactions (total)", "Comments (organic)", "Comments (sponsored)",
              "Comments (total)", "Reposts (organic)", "Reposts (sponsored)", "Reposts (total)",
              "Engagement rate (organic)", "Engagement rate (sponsored)",
              "Engagement rate (total)"]  # fmt: skip
POSTS_EN = ["Post title", "Post link", "Post type", "Campaign name", "Posted by", "Created date",
            "Campaign start date", "Campaign end date", "Audience", "Impressions", "Views",
            "Offsite Views", "Clicks", "Click through rate (CTR)", "Likes", "Comments",
            "Reposts", "Follows", "Engagement rate", "Content Type"]  # fmt: skip


def us(day: dt.date) -> str:
    return f"{day:%m/%d/%Y}"


def xlsx(sheets: list[tuple[str, list[list]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def followers_xlsx(days: list[tuple[dt.date, int, int]]) -> bytes:
    """The English followers export: (day, organic, sponsored) rows; « Total followers » is
    the day's total of new followers."""
    rows = [["Aggregated new followers data for the selected date range. Data is in UTC."],
            FOLLOWERS_EN]  # fmt: skip
    rows += [[us(day), sponsored, organic, 0, organic + sponsored]
             for day, organic, sponsored in days]  # fmt: skip
    location = [["Location", "Total followers"], ["Douai, Hauts-de-France", 120],
                ["Cambrai, Hauts-de-France", 80]]  # fmt: skip
    return xlsx(
        [
            ("New followers", rows),
            ("Location", location),
            ("Job function", [["Job function", "Total followers"], ["Operations", 33]]),
        ]
    )


def content_xlsx(days: list[tuple[dt.date, int, int]], posts: list[dict]) -> bytes:
    """The English content export: « Metrics » (day, impressions, clicks) and « All posts »."""
    metrics = [["Aggregated metrics for the selected date range. Data is in UTC."], CONTENT_EN]
    for day, impressions, clicks in days:
        rate = round((clicks + 2) / impressions, 4) if impressions else 0
        metrics.append([us(day), impressions, 0, impressions, impressions - 3, clicks, 0, clicks,
                        2, 0, 2, 0, 0, 0, 0, 0, 0, rate, 0, rate])  # fmt: skip
    all_posts = [["All posts data for the selected date range. Posts are shown by date."],
                 POSTS_EN]  # fmt: skip
    for p in posts:
        all_posts.append([
            p["title"], p.get("link", ""), "Organic", "", "Équipe TI", us(p["date"]), "", "",
            "All followers", p["impressions"], "", "", p["clicks"],
            round(p["clicks"] / p["impressions"], 4), p["likes"], p["comments"],
            p.get("reposts", 0), 0, p.get("rate", 0.05), "Text",
        ])  # fmt: skip
    return xlsx([("Metrics", metrics), ("All posts", all_posts)])


def followers_csv_fr(rows: list[list], bom: bool = True) -> bytes:
    """The French followers export re-saved as CSV (« ; », UTF-8 with BOM)."""
    lines = ["Nouveaux abonnés — période sélectionnée ;;;;",
             "Date;Abonnés sponsorisés;Abonnés organiques;Abonnés invités automatiquement;"
             "Total des abonnés"]  # fmt: skip
    lines += [";".join(str(c) for c in row) for row in rows]
    text = "\r\n".join(lines) + "\r\n"
    return (("\ufeff" if bom else "") + text).encode("utf-8")


POSTS_FR = ["Titre du post", "Lien du post", "Type de post", "Nom de la campagne", "Publié par",
            "Date de création", "Audience", "Impressions", "Vues", "Clics", "Taux de clics (CTR)",
            "J'aime", "Commentaires", "Republications", "Abonnements", "Taux d'engagement",
            "Type de contenu"]  # fmt: skip
