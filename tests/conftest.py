import os

import pytest

from tests.world import build_world


def pytest_configure(config):
    """`PILOTE_TEST_CLOCK=2026-12-06T23:50:00+01:00 make test` runs the suite as if started at
    that instant (the clock then ticks; set before collection, so module-level dates follow): a
    test that only passes at some hours of the day shows up at once instead of failing one CI
    run in four."""
    start = os.environ.get("PILOTE_TEST_CLOCK")
    if start:
        import time_machine

        config._pilote_clock = time_machine.travel(start, tick=True)
        config._pilote_clock.start()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the default one lives in the process)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def login(client):
    """Log `client` in as `user` (skipping the lockout backend, which needs a request)."""

    def _login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on localhost (aiosmtpd); Django sends to it over the socket."""
    import socket
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    class Collector:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(
                (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default))
            )
            return "250 Message accepted for delivery"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    try:
        yield collector
    finally:
        controller.stop()
