"""Secret tokens (invitation links, calendar addresses, confirmations): only their SHA-256
is stored, so a database leak does not leak usable links."""

import hashlib


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
