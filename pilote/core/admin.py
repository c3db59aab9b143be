from django.contrib import admin

from pilote.core import audit
from pilote.core.models import AuditEvent


class AuditedModelAdmin(admin.ModelAdmin):
    """The technical admin bypasses the services, so it writes its own audit events."""

    def save_model(self, request, obj, form, change):
        before = audit.snapshot(type(obj).objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)
        action = f"{obj._meta.model_name}.{'update' if change else 'create'}"
        audit.record(
            actor=request.user,
            action=f"admin.{action}",
            obj=obj,
            before=before,
            after=audit.snapshot(obj),
        )

    def delete_model(self, request, obj):
        audit.record(
            actor=request.user,
            action=f"admin.{obj._meta.model_name}.delete",
            obj=obj,
            before=audit.snapshot(obj),
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "action", "object_repr"]
    list_filter = ["action"]
    search_fields = ["actor_label", "object_repr", "action"]
    date_hierarchy = "at"

    # The audit trail is append-only.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
