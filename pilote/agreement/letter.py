"""The letter of a call for funds, as a PDF (WeasyPrint, the fonts of the other PDFs and
nothing else loaded): letterhead = the payee, addressee = the called party, the amount in
figures, the basis and the period, the rule with what was shared, among how many partners
and the cap, the due date and the payment details."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from pilote.agreement import calls as calls_module
from pilote.agreement import ledger
from pilote.agreement.models import FundsCall


def context(call: FundsCall) -> dict:
    agreement = call.year.agreement
    _, result = calls_module.compute(agreement, call.year.number, call.basis)
    share = next((s for s in result.shares if s.siren == call.party.siren), None)
    ledger.decorate(call)
    return {
        "call": call,
        "agreement": agreement,
        "result": result,
        "partners": len(result.shares),
        "share": share,
        "cap": share.cap if share else None,
        "capped": share is not None and share.equal_share > share.cap,
        "today": timezone.localdate(),
    }


def render_html(call: FundsCall, fonts: dict | None = None) -> str:
    return render_to_string("agreement/letter.html", {**context(call), "fonts": fonts or {}})


def render_pdf(call: FundsCall) -> bytes:
    from weasyprint import CSS, HTML

    from pilote.accompaniment.report import _font_urls, _url_fetcher

    fonts = _font_urls()
    fetcher = _url_fetcher(set(fonts.values()))
    stylesheet = CSS(
        string=render_to_string("agreement/letter.css", {"fonts": fonts, "call": call}),
        url_fetcher=fetcher,
    )
    html = render_html(call, fonts)
    return HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[stylesheet])
