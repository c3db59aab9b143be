"""/api/v1/: the NinjaAPI's operations, then a problem+json 404 for any other address; a
method an address does not accept answers a problem+json 405."""

from functools import wraps

from django.urls import re_path

from pilote.api import problems
from pilote.api.main import api

app_name = "api"


def _problem_405(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            problems.CONTENT_TYPE
        ):
            problem = problems.problem(405)
            problem["Allow"] = response.get("Allow", "")
            return problem
        return response

    return wrapped


def not_found(request, rest=""):
    return problems.problem(404)


not_found.csrf_exempt = True

_patterns, _app, _namespace = api.urls
for _pattern in _patterns:
    _pattern.callback = _problem_405(_pattern.callback)

urlpatterns = [*_patterns, re_path(r"^(?P<rest>.*)$", not_found, name="not_found")]
