"""The API against its own OpenAPI description: schemathesis generates requests, positive
and negative, for every operation, with a read-write token, and checks that none fails on the
server, that every response fits the document, and that no operation ignores authentication.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import ignored_auth, not_a_server_error, response_schema_conformance

from pilote.api.models import Scope
from tests.factories import EstablishmentFactory, NoteFactory
from tests.territory_projects.factories import make_project

EXAMPLES = 15  # per operation and mode: the whole run stays under a minute
CHECKS = [not_a_server_error, response_schema_conformance, ignored_auth]


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """The WSGI handler closes the database connection after each request (Django's test
    client turns that off; schemathesis calls the WSGI application itself): the test's
    transaction must outlive the requests."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(world, settings, wsgi_keeps_the_test_connection):
    settings.API_THROTTLE_RATE = "1000000/min"
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    return schema


@pytest.fixture
def manager_key(world, key_for):
    site = EstablishmentFactory(epci=world.epcis["e1"])
    NoteFactory(
        epci=world.epcis["e1"], establishment=site, author=world.users["manager"],
        author_organisation=world.orgs["cci"],
    )  # fmt: skip
    project = make_project(world, epci="e1", partners=["e2"], budget="1000.01")
    project.establishments.add(site)
    return key_for(world.users["manager"], scope=Scope.READ_WRITE)


def test_the_api_answers_as_its_openapi_document_says(api_schema, manager_key):
    headers = {"Authorization": f"Bearer {manager_key}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck),
            )  # fmt: skip
            def check(case):
                case.call_and_validate(headers=headers, checks=CHECKS)

            check()
