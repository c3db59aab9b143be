"""Model instances → the API's dicts (pilote.api.schemas). Money as strings, « 1234.50 »."""

from __future__ import annotations

from pilote.core import locking


def _money(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def _author(user) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.email


def follow_up(obj) -> dict:
    return {
        "id": obj.pk,
        "epci": obj.epci_id,
        "visibility": obj.visibility,
        "author": _author(obj.author),
        "author_organisation": str(obj.author_organisation),
        "created_at": obj.created_at,
        "updated_at": obj.updated_at,
        "version": locking.version_of(obj),
    }


def establishment(e) -> dict:
    return {
        "siret": e.siret,
        "siren": e.company.siren,
        "name": e.display_name,
        "own_name": e.own_name,
        "epci": e.epci_id,
        "commune": e.commune_id,
        "address": e.address,
        "postcode": e.postcode,
        "city": e.city,
        "naf_code": e.naf_code,
        "headcount_band": e.headcount_band,
        "is_head_office": e.is_head_office,
        "state": e.state,
        "created_on": e.created_on,
        "updated_at": e.updated_at,
    }


def note(n) -> dict:
    return {
        **follow_up(n),
        "title": n.title,
        "body": n.body,
        "establishment": n.establishment.siret if n.establishment_id else None,
    }


def contact(c) -> dict:
    return {
        **follow_up(c),
        "first_name": c.first_name,
        "last_name": c.last_name,
        "role": c.role,
        "company_siren": c.company.siren,
        "establishment": c.main_establishment.siret,
        "legal_basis": c.legal_basis,
    }


def interaction(i) -> dict:
    return {
        **follow_up(i),
        "establishment": i.establishment.siret,
        "kind": i.kind,
        "occurred_on": i.occurred_on,
        "start_time": i.start_time,
        "summary": i.summary,
        "time_spent_minutes": i.time_spent_minutes,
        "with_epci": i.with_epci,
        "is_meeting": i.is_meeting,
    }


def need(n) -> dict:
    return {
        **follow_up(n),
        "establishment": n.establishment.siret,
        "interaction": n.interaction_id,
        "theme": n.theme,
        "description": n.description,
        "urgency": n.urgency,
        "resolved_on": n.resolved_on,
    }


def project(p) -> dict:
    return {
        **follow_up(p),
        "establishment": p.establishment.siret,
        "interaction": p.interaction_id,
        "kind": p.kind,
        "title": p.title,
        "description": p.description,
        "investment_amount": _money(p.investment_amount),
        "jobs_created": p.jobs_created,
        "jobs_kept": p.jobs_kept,
        "horizon": p.horizon,
        "maturity": p.maturity,
    }


def application(a) -> dict:
    return {
        **follow_up(a),
        "establishment": a.establishment.siret,
        "reference": a.reference,
        "title": a.title,
        "scheme": a.scheme_id,
        "funder": a.funder,
        "project": a.project_id,
        "need": a.need_id,
        "supported": a.supported,
        "status": a.status,
        "filed_on": a.filed_on,
        "decided_on": a.decided_on,
        "closes_on": a.closes_on,
        "amount_requested": _money(a.amount_requested),
        "amount_granted": _money(a.amount_granted),
        "investment": _money(a.investment),
        "jobs": a.jobs,
        "comment": a.comment,
    }


def scheme(s, today) -> dict:
    return {
        "id": s.pk,
        "etalab_id": s.etalab_id,
        "title": s.title,
        "promise": s.promise,
        "description": s.description,
        "level": s.level,
        "themes": list(s.themes or []),
        "carriers": list(s.carrier_names),
        "source_url": s.source_url,
        "opens_at": s.opens_at,
        "closes_at": s.closes_at,
        "status": s.status(today),
        "updated_at": s.updated_at,
    }


def call(w) -> dict:
    return {
        "id": w.pk,
        "scheme": w.scheme_id,
        "scheme_title": w.scheme.title,
        "kind": w.kind,
        "label": w.label,
        "opens_on": w.opens_on,
        "closes_on": w.closes_on,
        "updated_at": w.updated_at,
    }


def territory_project(p) -> dict:
    """A territory project with what hangs on it. Expects the prefetches of
    `pilote.api.read._territory_projects` (`visible_applications`: the linked applications
    the reader sees, never the others)."""
    return {
        **follow_up(p),
        "territory": p.territory.slug,
        "title": p.title,
        "summary": p.summary,
        "theme": p.theme,
        "phase": p.phase,
        "status": p.status,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "budget": _money(p.budget),
        "carriers": [
            {"epci": c.epci_id, "role": c.role, "share": _money(c.share)} for c in p.carriers.all()
        ],
        "shared_with": sorted(s.epci_id for s in p.shares.all()),
        "votes": [
            {
                "id": v.pk,
                "epci": v.epci_id,
                "voted_on": v.voted_on,
                "deliberation_number": v.deliberation_number,
                "outcome": v.outcome,
                "note": v.note,
            }
            for v in p.votes.all()
        ],
        "milestones": [
            {
                "id": m.pk,
                "title": m.title,
                "due_on": m.due_on,
                "done_on": m.done_on,
                "note": m.note,
            }
            for m in p.milestones.all()
        ],
        "establishments": sorted(e.siret for e in p.establishments.all()),
        "calls": sorted(c.pk for c in p.calls.all()),
        "applications": sorted(a.pk for a in p.visible_applications),
    }
