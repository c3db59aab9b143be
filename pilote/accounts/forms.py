from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from pilote.accounts import lockout, perms, throttle
from pilote.accounts.enums import Role
from pilote.accounts.models import Organisation
from pilote.core.emails import queue_email


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Adresse électronique",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": (
            "Adresse électronique ou mot de passe incorrect. Après 5 essais infructueux en "
            "15 minutes, la connexion à ce compte depuis votre réseau est bloquée pendant "
            "15 minutes."
        ),
        "inactive": "Ce compte est désactivé.",
    }


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Adresse électronique de la personne invitée")
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.none(),
        empty_label="Choisissez une organisation",
    )
    role = forms.ChoiceField(label="Rôle", choices=Role.choices)

    def __init__(self, *args, user, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["organisation"].queryset = Organisation.objects.in_territory(territory)
        if not perms.is_platform_admin(user):
            self.fields["role"].choices = [c for c in Role.choices if c[0] != Role.ADMIN]

    def clean(self):
        cleaned = super().clean()
        organisation, role = cleaned.get("organisation"), cleaned.get("role")
        if organisation and role and role not in perms.invitable_roles(self.user, organisation):
            labels = ", ".join(
                str(Role(r).label) for r in perms.invitable_roles(self.user, organisation)
            )
            self.add_error(
                "role",
                f"Ce rôle n'existe pas pour {organisation}. Rôles possibles : {labels}.",
            )
        return cleaned


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    password1 = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Au moins 12 caractères, pas uniquement des chiffres ni un mot courant.",
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "Les deux mots de passe ne correspondent pas.")
        elif p1:
            from pilote.accounts.models import User

            probe = User(
                email=self.email,
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, but throttled (`throttle.py`) and the email is queued with the
    account's id only: the task makes the link when it sends it (`accounts.emails`)."""

    def save(self, *, request=None, **options) -> None:
        email = self.cleaned_data["email"]
        ip = lockout.client_ip(request) if request is not None else None
        if not throttle.allow_password_reset(email=email, ip=ip):
            return
        for user in self.get_users(email):
            queue_email("accounts.password_reset", user_id=user.pk)
