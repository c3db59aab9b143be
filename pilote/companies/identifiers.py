"""SIREN and SIRET as people type them: spaces allowed, checked by python-stdnum (Luhn, with La
Poste's exception for its establishments), refused with a French message."""

from django.core.exceptions import ValidationError
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as Bad
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

_MESSAGES = {
    InvalidLength: "Un {kind} compte {digits} chiffres.",
    InvalidFormat: "Un {kind} ne contient que des chiffres.",
    InvalidChecksum: "Ce {kind} n'existe pas : sa clé de contrôle est fausse (vérifiez la saisie).",
}


def _clean(value: str, module, kind: str, digits: int) -> str:
    try:
        return module.validate(value or "")
    except Bad as exc:
        template = next(
            (text for error, text in _MESSAGES.items() if isinstance(exc, error)),
            "Ce {kind} n'est pas valide.",
        )
        raise ValidationError(template.format(kind=kind, digits=digits), code="invalid") from exc


def clean_siret(value: str) -> str:
    """The SIRET without spaces, or ValidationError in French."""
    return _clean(value, stdnum_siret, "SIRET", 14)


def clean_siren(value: str) -> str:
    """The SIREN without spaces, or ValidationError in French."""
    return _clean(value, stdnum_siren, "SIREN", 9)
