import pytest

from pilote.api import services
from pilote.api.models import Scope


@pytest.fixture
def key_for():
    """The raw key of a new token of `user` (created as the command line does)."""

    def _key(user, *, scope=Scope.READ, days=90, name="Outil de test"):
        _, key = services.token_create(
            acting_user=None, user=user, name=name, scope=scope, days=days
        )
        return key

    return _key


@pytest.fixture
def api(client):
    """Call the API with a token: api.get(key, "/notes", params), api.post(key, path, data)."""

    class Api:
        prefix = "/api/v1"

        def _headers(self, key, extra=None):
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            return {**headers, **(extra or {})}

        def get(self, key, path, params=None, headers=None):
            url = path if path.startswith("http") else self.prefix + path
            return client.get(url, params or {}, headers=self._headers(key, headers))

        def post(self, key, path, data, headers=None):
            return client.post(
                self.prefix + path, data, content_type="application/json",
                headers=self._headers(key, headers),
            )  # fmt: skip

        def patch(self, key, path, data, headers=None):
            return client.patch(
                self.prefix + path, data, content_type="application/json",
                headers=self._headers(key, headers),
            )  # fmt: skip

    return Api()
