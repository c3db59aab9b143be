from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """True for a request made by htmx, which wants a fragment rather than a whole page."""
    return request.headers.get("HX-Request") == "true"
