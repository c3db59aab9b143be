import datetime as dt
import uuid

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from pilote.aids.models import AidScheme, CallWindow

factory.Faker._DEFAULT_LOCALE = "fr_FR"


class AidSchemeFactory(DjangoModelFactory):
    class Meta:
        model = AidScheme

    etalab_id = factory.LazyFunction(lambda: str(uuid.uuid4()))
    title = factory.Sequence(lambda n: f"Dispositif de test {n}")
    promise = "Financez votre projet industriel"
    description = "Un dispositif de test."
    eligibility = "• Être une entreprise."
    aid_types = ["financement"]
    carriers = [{"nom": "ADEME", "siren": "385290309", "roles": ["financeur"]}]
    targets = ["professionnels"]
    geo_included = ["PAYS-99100"]
    source_updated_at = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0))

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        self.refresh_tags()
        if create:
            self.save()


class CallWindowFactory(DjangoModelFactory):
    class Meta:
        model = CallWindow

    scheme = factory.SubFactory(AidSchemeFactory)
    kind = "fenetre"
    label = "Appel"
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=20))
