"""Cursor pagination, `updated_since` and ETags, shared by every list of the API.

A list is read in (`updated_at`, `pk`) order; its `next` link carries an opaque cursor, the
position of the last row sent, so that a page never repeats nor skips a row however the
rows before it change. A record changed while a client pages through comes again later,
which is what a synchronisation wants (docs/api.md).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json

from django.db.models import Q, QuerySet
from django.http import HttpResponseNotModified
from django.utils import timezone
from django.utils.http import urlencode
from ninja import Schema
from pydantic import Field

from pilote.api.problems import ApiError

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
BAD_CURSOR = "Curseur invalide : reprenez le lien « next » de la page précédente."


class ListParams(Schema):
    cursor: str | None = Field(
        None,
        max_length=200,
        description="Le curseur opaque du lien « next » de la page précédente.",
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Éléments par page.")
    updated_since: dt.datetime | None = Field(
        None,
        description="Seulement les éléments modifiés depuis cet instant (ISO 8601), "
        "pour la synchronisation.",
    )


class SearchParams(ListParams):
    q: str | None = Field(None, max_length=200, description="Recherche, comme la page.")


def encode_cursor(moment: dt.datetime, pk: int) -> str:
    raw = json.dumps([moment.isoformat(), pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        moment, pk = json.loads(raw)
        moment = dt.datetime.fromisoformat(moment)
        if timezone.is_naive(moment) or not isinstance(pk, int) or not 0 <= pk < 2**63:
            raise ValueError
        moment.astimezone(dt.UTC)
    except (ValueError, TypeError, binascii.Error, OverflowError, UnicodeDecodeError) as exc:
        raise ApiError(400, BAD_CURSOR) from exc
    return moment, pk


def aware(moment: dt.datetime) -> dt.datetime:
    """An instant from the query: a naive one is Europe/Paris time; one that cannot be
    compared (year 1, year 9999 shifted past the calendar) answers 422."""
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        moment.astimezone(dt.UTC)
        if not 1900 <= moment.year <= 9000:
            raise OverflowError
    except (OverflowError, ValueError) as exc:
        raise ApiError(422, "La date « updated_since » est hors des dates possibles.") from exc
    return moment


def page(request, qs: QuerySet, serialize, params: ListParams, *, field: str = "updated_at"):
    """One page of `qs`: {"results": [...], "next": absolute URL or null}."""
    if params.updated_since is not None:
        qs = qs.filter(**{f"{field}__gte": aware(params.updated_since)})
    qs = qs.order_by(field, "pk")
    if params.cursor:
        moment, pk = decode_cursor(params.cursor)
        qs = qs.filter(Q(**{f"{field}__gt": moment}) | Q(**{field: moment, "pk__gt": pk}))
    rows = list(qs[: params.limit + 1])
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    next_url = None
    if more:
        last = rows[-1]
        query = request.GET.copy()
        query["cursor"] = encode_cursor(getattr(last, field), last.pk)
        next_url = request.build_absolute_uri(request.path) + "?" + urlencode(query, doseq=True)
    return {"results": [serialize(row) for row in rows], "next": next_url}


def conditional(request, response):
    """Every successful GET carries an ETag (a hash of its body); a client sending it back in
    `If-None-Match` gets 304 Not Modified, without the body."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    tag = '"' + hashlib.sha256(response.content).hexdigest()[:40] + '"'
    response["ETag"] = tag
    sent = request.headers.get("If-None-Match", "")
    if sent:
        tags = {t.strip().removeprefix("W/") for t in sent.split(",")}
        if tag in tags or "*" in tags:
            not_modified = HttpResponseNotModified()
            not_modified["ETag"] = tag
            return not_modified
    return response
