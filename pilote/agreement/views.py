"""The agreement's pages (docs/agreement.md#pages): the overview of the current territory's
agreement with its budget follow-up, a year's actual expenses and computed calls, the
expenses import, the calls for funds (list, XLSX, issue form, detail, PDF letter, payments,
reminders).

Read by the TI managers and EPCI agents of the territory (perms.py); anyone else gets 404
on the agreement's pages. The calls list and its export show the calls the reader may see
(none for a partner). The write pages answer 404 to whoever does not manage the territory.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from pilote.accounts.access import NOT_FOUND
from pilote.agreement import calls as calls_module
from pilote.agreement import followup, ledger, letter, perms, services
from pilote.agreement.enums import Basis, CallStatus, Nature, Rule
from pilote.agreement.forms import (
    AmendmentForm,
    CallsIssueForm,
    ExpensesImportForm,
    PaymentForm,
)
from pilote.agreement.imports import COLUMNS, ImportFileError
from pilote.agreement.models import Agreement, AmendedLine, FundsCall, Payment, Year
from pilote.core import spreadsheet
from pilote.core.spreadsheet import AMOUNT, DATE, INTEGER, TEXT, Column

AGREEMENT_PARAM = "convention"


def _territory(request: HttpRequest):
    territory = request.territory
    if not perms.can_read(request.user, territory):
        raise Http404(NOT_FOUND)
    return territory


def _agreement(request: HttpRequest, territory) -> Agreement | None:
    """The agreement shown: `?convention=<pk>` among the territory's, else its latest."""
    agreements = Agreement.objects.filter(territory=territory).select_related("territory")
    chosen = request.GET.get(AGREEMENT_PARAM)
    if chosen:
        try:
            return agreements.get(pk=int(chosen))
        except (ValueError, Agreement.DoesNotExist) as exc:
            raise Http404(NOT_FOUND) from exc
    return agreements.order_by("-starts_on", "-pk").first()


def _managed_agreement(request: HttpRequest) -> Agreement:
    territory = _territory(request)
    if not perms.can_manage(request.user, territory):
        raise Http404(NOT_FOUND)
    agreement = _agreement(request, territory)
    if agreement is None:
        raise Http404(NOT_FOUND)
    return agreement


def _suffix(agreement: Agreement, several: bool) -> str:
    return f"?{AGREEMENT_PARAM}={agreement.pk}" if several else ""


def _stale_calls(year: Year) -> list[dict]:
    """The bases whose issued calls of `year` differ from what the rule gives now (after an
    amendment, or new actual expenses): issued calls are never changed."""
    stale = []
    for basis in Basis:
        issued = {
            c.party.siren: c.amount
            for c in FundsCall.objects.filter(year=year, basis=basis).select_related("party")
        }
        if not issued:
            continue
        _, result = calls_module.compute(year.agreement, year.number, basis)
        now = {s.siren: s.amount for s in result.shares if s.amount > 0}
        if issued != now:
            stale.append(
                {
                    "label": basis.label,
                    "issued": sum(issued.values(), ledger.ZERO),
                    "now": sum(now.values(), ledger.ZERO),
                }
            )
    return stale


def _year_context(year: Year, as_of=None) -> dict:
    _, forecast = calls_module.compute(year.agreement, year.number, Basis.FORECAST)
    resources = sorted(
        year.resources.select_related("party", "amendment"),
        key=lambda r: (r.rule != Rule.FIXED, r.party.siren, r.party.name),
    )
    lines = sorted(
        year.forecast_expenses.select_related("amendment"),
        key=lambda line: Nature.values.index(line.nature),
    )
    context = {
        "year": year,
        "resources": resources,
        "resources_total": sum((r.amount for r in resources), ledger.ZERO),
        "forecast_lines": lines,
        "forecast": forecast,
        "followup": followup.for_year(year),
        "stale_calls": _stale_calls(year),
    }
    if as_of is not None:
        context["version"] = _version(year, lines, resources, as_of)
    return context


def _version(year: Year, lines, resources, as_of) -> dict:
    """The forecast of `year` as it stood on `as_of`, rebuilt from the current lines by
    undoing, latest first, the amended lines of the amendments dated after it."""
    expenses = {line.nature: line.amount for line in lines}
    brought = {r.party_id: r.amount for r in resources}
    names = {r.party_id: r.party.name for r in resources}
    later = (
        AmendedLine.objects.filter(year=year, amendment__date__gt=as_of)
        .select_related("party")
        .order_by("-amendment__date", "-amendment__pk")
    )
    for amended in later:
        amounts, key = (
            (expenses, amended.nature)
            if amended.kind == AmendedLine.Kind.EXPENSE
            else (brought, amended.party_id)
        )
        if amended.party_id:
            names[amended.party_id] = amended.party.name
        if amended.amount_before is None:
            amounts.pop(key, None)
        else:
            amounts[key] = amended.amount_before
    return {
        "expenses": [(Nature(n).label, expenses[n]) for n in Nature.values if n in expenses],
        "expenses_total": sum(expenses.values(), ledger.ZERO),
        "resources": sorted(((names[p], a) for p, a in brought.items()), key=lambda r: r[0]),
        "resources_total": sum(brought.values(), ledger.ZERO),
    }


def _as_of(request: HttpRequest):
    """`?au=YYYY-MM-DD`: the date of the version of the forecast shown, else None."""
    raw = request.GET.get("au", "")
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    territory = _territory(request)
    agreement = _agreement(request, territory)
    agreements = list(Agreement.objects.filter(territory=territory).order_by("-starts_on"))
    context = {
        "territory": territory,
        "agreement": agreement,
        "agreements": agreements,
        "can_manage": perms.can_manage(request.user, territory),
    }
    if agreement is not None:
        as_of = _as_of(request)
        amendments = list(
            agreement.amendments.prefetch_related(
                Prefetch(
                    "lines",
                    queryset=AmendedLine.objects.select_related("year", "party").order_by(
                        "year__number", "kind", "pk"
                    ),
                )
            )
        )
        context.update(
            suffix=_suffix(agreement, len(agreements) > 1),
            parties=agreement.parties.select_related("epci").order_by("kind", "siren", "name"),
            amendments=amendments,
            as_of=as_of,
            years=[_year_context(y, as_of) for y in agreement.years.order_by("number")],
        )
    return render(request, "agreement/overview.html", context)


@login_required
def year_detail(request: HttpRequest, number: int) -> HttpResponse:
    territory = _territory(request)
    agreement = _agreement(request, territory)
    year = agreement and agreement.years.filter(number=number).first()
    if year is None:
        raise Http404(NOT_FOUND)
    computed = {}
    for basis in Basis:
        _, result = calls_module.compute(agreement, number, basis)
        computed[basis.value] = {
            "label": basis.label,
            "result": result,
            "issued": FundsCall.objects.filter(year=year, basis=basis).count(),
        }
    several = Agreement.objects.filter(territory=territory).count() > 1
    return render(
        request,
        "agreement/year.html",
        {
            "agreement": agreement,
            "year": year,
            "suffix": _suffix(agreement, several),
            "actuals": year.actual_expenses.order_by("date", "nature", "pk"),
            "computed": computed,
            "followup": followup.for_year(year),
            "can_manage": perms.can_manage(request.user, territory),
        },
    )


@login_required
def expenses_import(request: HttpRequest) -> HttpResponse:
    agreement = _managed_agreement(request)
    form = ExpensesImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        wet_run = not form.cleaned_data["dry_run"]
        try:
            report = services.expenses_import(
                acting_user=request.user, agreement=agreement, stream=upload,
                filename=upload.name, wet_run=wet_run, size=upload.size,
            )  # fmt: skip
        except ImportFileError as error:
            form.add_error("file", f"{error} Rien n'a été importé.")
        else:
            if wet_run:
                messages.success(
                    request,
                    f"Import de {upload.name} terminé : {report.created} dépense(s) créée(s), "
                    f"{report.updated} mise(s) à jour, {report.kept} inchangée(s), "
                    f"{report.rejected} ligne(s) refusée(s).",
                )
        finally:
            upload.close()
    return render(
        request,
        "agreement/expenses_import.html",
        {"form": form, "report": report, "agreement": agreement, "columns": COLUMNS},
    )


@login_required
def amendment_create(request: HttpRequest) -> HttpResponse:
    agreement = _managed_agreement(request)
    form = AmendmentForm(request.POST or None, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            amendment = services.amendment_record(
                acting_user=request.user, agreement=agreement, date=data["date"],
                label=data["label"], changes_text=data["changes"],
                expenses=data["expenses"], resources=data["resources"],
            )  # fmt: skip
        except ValidationError as error:
            _add_errors(form, error)
        else:
            count = amendment.lines.count()
            messages.success(
                request,
                f"Avenant du {amendment.date:%d/%m/%Y} enregistré : {count} ligne(s) du budget "
                f"prévisionnel modifiée(s).",
            )
            several = Agreement.objects.filter(territory=agreement.territory).count() > 1
            return redirect(reverse("agreement:overview") + _suffix(agreement, several))
    return render(request, "agreement/amendment_form.html", {"form": form, "agreement": agreement})


# --- Calls for funds ------------------------------------------------------------------------


def _visible_calls(request: HttpRequest):
    calls = FundsCall.objects.filter(perms.calls_q(request.user))
    if request.territory is None:
        return calls.none()
    return calls.filter(year__agreement__territory=request.territory)


def _filtered_calls(request: HttpRequest) -> tuple[list[FundsCall], dict]:
    calls = ledger.with_paid(
        _visible_calls(request).select_related("year__agreement", "party")
    ).order_by("year__agreement", "year__number", "basis", "number")
    filters = {
        "annee": request.GET.get("annee", ""),
        "base": request.GET.get("base", ""),
        "statut": request.GET.get("statut", ""),
    }
    if filters["annee"].isdigit():
        calls = calls.filter(year__number=int(filters["annee"]))
    if filters["base"] in Basis.values:
        calls = calls.filter(basis=filters["base"])
    today = timezone.localdate()
    rows = [ledger.decorate(c, today) for c in calls]
    if filters["statut"] in CallStatus.values:
        rows = [c for c in rows if c.status == filters["statut"]]
    return rows, filters


@login_required
def calls(request: HttpRequest) -> HttpResponse:
    rows, filters = _filtered_calls(request)
    territory = request.territory
    years = sorted(
        set(
            Year.objects.filter(agreement__territory=territory).values_list("number", flat=True)
        )
    ) if perms.can_read(request.user, territory) else []  # fmt: skip
    totals = {
        "amount": sum((c.amount for c in rows), ledger.ZERO),
        "paid": sum((c.paid for c in rows), ledger.ZERO),
        "balance": sum((c.balance for c in rows), ledger.ZERO),
    }
    return render(
        request,
        "agreement/calls.html",
        {
            "calls": rows,
            "filters": filters,
            "years": years,
            "bases": Basis.choices,
            "statuses": CallStatus.choices,
            "totals": totals,
            "query": request.GET.urlencode(),
            "can_read": perms.can_read(request.user, territory),
            "can_manage": perms.can_manage(request.user, territory),
        },
    )


@login_required
def calls_export(request: HttpRequest) -> HttpResponse:
    rows, _ = _filtered_calls(request)
    references: dict[int, list[str]] = {c.pk: [] for c in rows}
    payments = Payment.objects.filter(call__in=references).exclude(reference="")
    for call_id, reference in payments.order_by("received_on", "pk").values_list(
        "call_id", "reference"
    ):
        references[call_id].append(reference)
    columns = [
        Column("Numéro", TEXT), Column("Convention", TEXT), Column("Année", INTEGER),
        Column("Base", TEXT), Column("Partenaire", TEXT), Column("SIREN", TEXT),
        Column("Émis le", DATE), Column("Échéance", DATE), Column("Montant appelé", AMOUNT),
        Column("Reçu", AMOUNT), Column("Reste à payer", AMOUNT), Column("Statut", TEXT),
        Column("Relances", INTEGER), Column("Références des paiements", TEXT),
    ]  # fmt: skip
    data = (
        [c.number, c.year.agreement.title, c.year.number, c.get_basis_display(), c.party.name,
         c.party.siren, c.issued_on, c.due_on, c.amount, c.paid, c.balance, c.status_label,
         c.reminders_sent, ", ".join(references[c.pk])]
        for c in rows
    )  # fmt: skip
    return spreadsheet.xlsx_response("appels-de-fonds", columns, data, title="Appels de fonds")


@login_required
def calls_issue(request: HttpRequest) -> HttpResponse:
    agreement = _managed_agreement(request)
    form = CallsIssueForm(request.POST or None, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        year = agreement.years.get(number=form.cleaned_data["year"])
        try:
            created, skipped = services.calls_issue(
                acting_user=request.user, year=year, basis=form.cleaned_data["basis"],
                issued_on=form.cleaned_data["issued_on"],
            )  # fmt: skip
        except ValidationError as error:
            _add_errors(form, error)
        else:
            total = sum((c.amount for c in created), ledger.ZERO)
            text = (
                f"{len(created)} appel(s) de fonds émis pour l'année {year.number} "
                f"({Basis(form.cleaned_data['basis']).label.lower()}), "
                f"{_euros(total)} au total."
            )
            if skipped:
                text += f" Non appelé(s), à 0,00 € : {', '.join(skipped)}."
            messages.success(request, text)
            return redirect(
                reverse("agreement:calls")
                + f"?annee={year.number}&base={form.cleaned_data['basis']}"
            )
    return render(request, "agreement/calls_issue.html", {"form": form, "agreement": agreement})


def _add_errors(form, error: ValidationError) -> None:
    """A service's French errors on the form: on their field when it has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _euros(amount) -> str:
    from pilote.core.templatetags.pilote import euros

    return euros(amount)


def _call(request: HttpRequest, pk: int) -> FundsCall:
    call = (
        ledger.with_paid(FundsCall.objects.filter(perms.calls_q(request.user)))
        .select_related("year__agreement__territory", "party__epci", "author")
        .filter(pk=pk)
        .first()
    )
    if call is None:
        raise Http404(NOT_FOUND)
    return ledger.decorate(call)


def _managed_call(request: HttpRequest, pk: int) -> FundsCall:
    call = _call(request, pk)
    if not perms.can_manage_call(request.user, call):
        raise Http404(NOT_FOUND)
    return call


def _call_page(request, call, form=None, status=200):
    can_manage = perms.can_manage_call(request.user, call)
    today = timezone.localdate()
    return render(
        request,
        "agreement/call.html",
        {
            "call": call,
            "agreement": call.year.agreement,
            "payments": call.payments.select_related("author").order_by("received_on", "pk"),
            "can_manage": can_manage,
            "form": form or (PaymentForm(initial={"received_on": today}) if can_manage else None),
            "overdue": ledger.is_overdue(call, today),
        },
        status=status,
    )


@login_required
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _call_page(request, _call(request, pk))


@login_required
def call_letter(request: HttpRequest, pk: int) -> HttpResponse:
    call = _call(request, pk)
    response = HttpResponse(letter.render_pdf(call), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="appel-de-fonds-{call.number}.pdf"'
    return response


@login_required
def payment_add(request: HttpRequest, pk: int) -> HttpResponse:
    call = _managed_call(request, pk)
    if request.method != "POST":
        return _call_page(request, call)
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            payment = services.payment_record(
                acting_user=request.user, call=call, **form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                f"Paiement de {_euros(payment.amount)} enregistré sur l'appel {call.number}.",
            )
            return redirect("agreement:call", pk=call.pk)
    return _call_page(request, call, form=form)


@login_required
@require_POST
def call_remind(request: HttpRequest, pk: int) -> HttpResponse:
    call = _managed_call(request, pk)
    try:
        services.call_remind(acting_user=request.user, call=call)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Relance de l'appel {call.number} envoyée aux agents de {call.party.name}.",
        )
    return redirect("agreement:call", pk=call.pk)
