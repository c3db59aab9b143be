from django.contrib import admin

from pilote.core import audit
from pilote.core.models import AuditEvent


class AuditedModelAdmin(admin.ModelAdmin):
    """The technical admin bypasses the services, so it writes its own audit events:
    one per saved object (many-to-many fields included) and one per inline row."""

    def _state(self, obj) -> dict:
        state = audit.snapshot(obj)
        for field in obj._meta.many_to_many:
            state[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
        return state

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            request._audit_before = self._state(obj)
        return obj

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        action = "update" if change else "create"
        audit.record(
            actor=request.user,
            action=f"admin.{obj._meta.model_name}.{action}",
            obj=obj,
            before=getattr(request, "_audit_before", {}) if change else {},
            after=self._state(obj),
        )

    def save_formset(self, request, form, formset, change):
        before = {o.pk: audit.snapshot(o) for o in formset.get_queryset()} if change else {}
        for deleted in (f.instance for f in formset.deleted_forms if f.instance.pk):
            audit.record(
                actor=request.user,
                action=f"admin.{deleted._meta.model_name}.delete",
                obj=deleted,
                before=before.get(deleted.pk, {}),
            )
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects + [o for o, _ in formset.changed_objects]:
            audit.record(
                actor=request.user,
                action=f"admin.{obj._meta.model_name}.{'update' if obj.pk in before else 'create'}",
                obj=obj,
                before=before.get(obj.pk, {}),
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
