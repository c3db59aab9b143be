"""Applications in the leak matrix: the application (its pages, lists, export, search, the
forms that write on it), its documents (download) and its payments."""

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from pilote.applications.models import Document, Payment
from tests.accompaniment.factories import site_of
from tests.applications.factories import accepted_of
from tests.factories import CompanyFactory
from tests.leak_matrix import LeakCase, register


def _tag(prefix: str, epci, visibility, author) -> str:
    return f"{prefix}-{epci}-{visibility}-{author}"


def _history(obj) -> str:
    return reverse("core:history", args=[ContentType.objects.get_for_model(obj).pk, obj.pk])


def make_application(world, *, epci, visibility, author):
    tag = _tag("Dossier", epci, visibility, author)
    site = site_of(world, epci, company=CompanyFactory(name="Usine témoin"))
    return accepted_of(world, epci, author, establishment=site, visibility=visibility,
                       title=f"{tag} : four électrique")  # fmt: skip


def make_document(world, *, epci, visibility, author):
    tag = _tag("Piece", epci, visibility, author)
    application = make_application(world, epci=epci, visibility=visibility, author=author)
    document = Document(application=application, kind="autre", name=f"{tag}.txt",
                        size=len(tag), content_type="text/plain")  # fmt: skip
    document.file.save("piece.txt", ContentFile(tag.encode()), save=True)
    return document


def make_payment(world, *, epci, visibility, author):
    tag = _tag("Versement", epci, visibility, author)
    application = make_application(world, epci=epci, visibility=visibility, author=author)
    return Payment.objects.create(application=application, amount="1000.00",
                                  paid_on=timezone.localdate(), label=tag)  # fmt: skip


BILAN_PERIOD = "?de=2026-01-01&a=2026-11-30"  # the specimens are decided on 15/06/2026


def _today() -> str:
    return timezone.localdate().strftime("%d/%m/%Y")


def _detail(a) -> str:
    return reverse("applications:detail", args=[a.pk])


register(
    LeakCase(
        name="application",
        make=make_application,
        marker=lambda a: a.title.split(" ")[0],
        read_urls={"detail": _detail},
        restricted_urls={
            "edit": lambda a: reverse("applications:edit", args=[a.pk]),
            "status": lambda a: reverse("applications:status", args=[a.pk]),
            "delete": lambda a: reverse("applications:delete", args=[a.pk]),
            "history": _history,
        },
        collection_urls={
            "list": lambda world: reverse("applications:list"),
            "search": lambda world: reverse("applications:list") + "?q=Dossier-",
            "export": lambda world: reverse("applications:export"),
            "global search": lambda world: reverse("search:results") + "?type=dossiers&q=Dossier-",
        },
        sample_urls={
            "dashboard": lambda world: reverse("core:home"),
            "global search, every kind": lambda world: reverse("search:results") + "?q=Dossier-",
        },
        related_urls={
            "establishment page": lambda a: a.establishment.get_absolute_url(),
            # The programme's pages (404 to who has none): figures and the bilan's tables,
            # which list the applications accepted in the period by title.
            "programme dashboard": lambda a: reverse("indicators:dashboard"),
            "bilan xlsx": lambda a: reverse("indicators:bilan_xlsx") + BILAN_PERIOD,
            "new application on the establishment": lambda a: (
                reverse("applications:create") + f"?etablissement={a.establishment.siret}"
            ),
        },
        post_urls={
            "edit": (lambda a: reverse("applications:edit", args=[a.pk]), None),
            "status": (
                lambda a: reverse("applications:status", args=[a.pk]),
                lambda a, form: {
                    **form,
                    "status": "refuse",
                    "effective_on": _today(),
                    "reason": "Décision du comité",
                },
            ),
            "delete": (lambda a: reverse("applications:delete", args=[a.pk]), None),
            "payment": (
                lambda a: reverse("applications:payment_add", args=[a.pk]),
                lambda a, form: {"paid_on": _today(), "amount": "1 000", "label": "Avance"},
            ),
            "document": (
                lambda a: reverse("applications:document_add", args=[a.pk]),
                lambda a, form: {
                    "kind": "autre",
                    "upload": SimpleUploadedFile("note.txt", b"Compte rendu"),
                },
            ),
            "time": (
                lambda a: reverse("applications:time_add", args=[a.pk]),
                lambda a, form: {"spent_on": _today(), "minutes": "45"},
            ),
        },
    )
)

register(
    LeakCase(
        name="application document",
        make=make_document,
        marker=lambda d: d.name.removesuffix(".txt"),
        read_urls={"download": lambda d: reverse("applications:document", args=[d.pk])},
        related_urls={"application page": lambda d: _detail(d.application)},
        post_urls={
            "delete": (
                lambda d: reverse("applications:document_delete", args=[d.pk]),
                lambda d, form: {},
            ),
        },
    )
)

register(
    LeakCase(
        name="application payment",
        make=make_payment,
        marker=lambda p: p.label,
        related_urls={"application page": lambda p: _detail(p.application)},
        post_urls={
            "delete": (
                lambda p: reverse("applications:payment_delete", args=[p.pk]),
                lambda p, form: {},
            ),
        },
    )
)
