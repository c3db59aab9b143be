from django.contrib import admin

from pilote.core.admin import AuditedModelAdmin
from pilote.territories.models import Commune, Department, Epci, Region, Territory


@admin.register(Territory)
class TerritoryAdmin(AuditedModelAdmin):
    list_display = ["name", "slug"]
    filter_horizontal = ["epcis"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Epci)
class EpciAdmin(AuditedModelAdmin):
    list_display = ["name", "siren", "kind", "population"]
    search_fields = ["name", "siren"]
    list_filter = ["kind"]


@admin.register(Commune)
class CommuneAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "department", "epci", "population"]
    search_fields = ["name", "code", "postcodes"]
    list_select_related = ["department", "epci"]
    raw_id_fields = ["epci"]


admin.site.register(Region, AuditedModelAdmin)
admin.site.register(Department, AuditedModelAdmin)
