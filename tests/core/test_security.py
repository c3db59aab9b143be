import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "x7Gq2-b9Kp4mZr8Lw1Vt6Yc3Nh5Js0Fd-Qe7Ua2Xo9Ri4Pk8Mb1Tg6Wz3Cv5Hy0",
    "ALLOWED_HOSTS": "pilote.exemple.fr",
    "DJANGO_SETTINGS_MODULE": "config.settings",
    # The legal pages' settings (docs/legal.md): left empty, `check --deploy` warns.
    "LEGAL_PUBLISHER": "CCI Exemple",
    "LEGAL_HOST": "Hébergeur Exemple",
    "LEGAL_PUBLICATION_DIRECTOR": "Directrice Exemple",
    "LEGAL_CONTACT_EMAIL": "contact@pilote.exemple.fr",
    "LEGAL_DPO_EMAIL": "dpo@pilote.exemple.fr",
}


def manage(*args, env=None):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_development_secret_key_is_refused_in_production():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = manage("check", "--deploy", env=env)
    assert result.returncode != 0
    assert "pilote.E001" in result.stderr + result.stdout


def test_production_cookies_are_secure():
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.DEBUG)"
    )
    result = manage("shell", "--no-imports", "-c", code, env=PRODUCTION_ENV)
    assert result.stdout.split() == ["True", "True", "True", "False"], result.stderr


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get("/comptes/connexion/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy


def test_no_template_holds_an_inline_script_or_style():
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
    inline_style = re.compile(r"<style\b|\sstyle=\"", re.IGNORECASE)
    handlers = re.compile(r"\son[a-z]+=\"", re.IGNORECASE)
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        if path.parent.name in {"emails", "email"}:  # e-mails are not served under the CSP
            continue
        text = path.read_text()
        for pattern in (inline_script, inline_style, handlers):
            if pattern.search(text):
                offenders.append(f"{path.relative_to(ROOT)}: {pattern.pattern}")
    assert not offenders


@pytest.mark.django_db
def test_forms_are_protected_against_csrf(world):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.users["agent_e1"], backend="django.contrib.auth.backends.ModelBackend")
    response = strict.post("/notes/nouvelle/", {"title": "x"})
    assert response.status_code == 403
    assert "Formulaire expiré" in response.content.decode()
