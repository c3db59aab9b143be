from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers: 200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "indisponible", "database": False}, status=503)
    return JsonResponse({"status": "ok", "database": True})


def error_404(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_403(request: HttpRequest, exception=None) -> HttpResponse:
    """Our services and views refuse with a French sentence (« Vous pouvez consulter cet
    élément, mais pas le modifier. »): it is shown; a bare refusal gets the generic one."""
    reason = str(exception) if exception is not None else ""
    return render(request, "403.html", {"reason": reason}, status=403)


def error_500(request: HttpRequest) -> HttpResponse:
    # No context processors: the error may come from the database or a context processor.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)
