"""Uploaded files of an application: what is accepted and how it is kept.

Accepted: the documents of an aid application (PDF, office documents without macros,
images, CSV and text), up to `PILOTE_DOCUMENT_MAX_BYTES` (10 Mo by default). The extension
must be one of `ALLOWED` and the content must be what the extension says (puremagic reads
the signature: an executable renamed `.pdf` is refused). The type stored and served is ours,
never the browser's. Files live under MEDIA_ROOT (outside the static root, never served by
the web server), under random names, and are downloaded only through the application's
view, as attachments, after the visibility check.
"""

from __future__ import annotations

import unicodedata
from pathlib import PurePath

import puremagic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat

ALLOWED = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".csv": "text/csv",
    ".txt": "text/plain",
}
TEXT = {".csv", ".txt"}
SAME = {".jpeg": {".jpg", ".jpeg"}, ".jpg": {".jpg", ".jpeg"}}
ACCEPT = ",".join(sorted(ALLOWED))  # the file input's `accept`
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "PILOTE_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def allowed_label() -> str:
    return "PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPEG, CSV ou texte"


def clean_name(name: str) -> str:
    """The uploaded name as shown and offered on download: its last path part, printable."""
    base = PurePath(name.replace("\\", "/")).name
    base = "".join(c for c in unicodedata.normalize("NFC", base) if c.isprintable())
    return base.strip()[:200] or "fichier"


def _head(upload, size: int = 8192) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def check_upload(upload) -> str:
    """The content type of `upload` if it is accepted; a French ValidationError otherwise."""
    limit = max_bytes()
    if upload.size == 0:
        raise ValidationError({"upload": "Le fichier est vide."})
    if upload.size > limit:
        raise ValidationError({"upload": (
            f"Le fichier pèse {filesizeformat(upload.size)} : la limite est de "
            f"{filesizeformat(limit)}."
        )})  # fmt: skip
    extension = PurePath(clean_name(upload.name)).suffix.lower()
    if extension not in ALLOWED:
        accepted = allowed_label()
        raise ValidationError(
            {"upload": f"Ce type de fichier n'est pas accepté. Formats acceptés : {accepted}."}
        )
    head = _head(upload)
    if extension in TEXT:
        if b"\x00" in head:
            raise ValidationError({"upload": "Ce fichier n'est pas un fichier texte."})
        return ALLOWED[extension]
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        found = {m.extension.lower() for m in puremagic.magic_string(data, filename=upload.name)}
    except puremagic.PureError:
        found = set()
    if not found & SAME.get(extension, {extension}):
        raise ValidationError(
            {"upload": f"Le contenu du fichier ne correspond pas à son extension « {extension} »."}
        )
    return ALLOWED[extension]


def store(document, upload, *, parent_field: str):
    """Check `upload` (`check_upload`), fill `document`'s name, size and type from it, store
    the file under a random name and save the row; a row that fails validation leaves no
    file behind. `document` is an unsaved model with `name`, `size`, `content_type` and
    `file` fields, hanging on `parent_field` (already set)."""
    document.content_type = check_upload(upload)
    document.name = clean_name(upload.name)
    document.size = upload.size
    document.file.save(upload.name, upload, save=False)
    stored = document.file.name
    try:
        document.full_clean(exclude=[parent_field, "file"])
        document.save()
    except Exception:
        remove_files([stored])
        raise
    return document


def remove_files(names: list[str]) -> None:
    """Delete stored files (after the row that named them is gone)."""
    for name in names:
        if name:
            default_storage.delete(name)
