"""The technical admin: accounts, organisations, geography, the audit trail, tasks.

It shows no follow-up content (docs/rules.md: administrators see no follow-up): follow-up
models are not registered, their audit events show who did what and when on which content
type and number but no value, deletion pages name the follow-up an object holds by kind and
number only, and tasks do not show their arguments.
"""

import json

from django.contrib import admin
from django.contrib.admin.utils import NestedObjects, quote
from django.db import router
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst

from pilote.core import audit
from pilote.core.models import AuditEvent


def is_follow_up_model(model) -> bool:
    """A confidential follow-up model (notes, contacts, campaigns, interactions…), wherever
    its abstract base lives: it carries a visibility and an author organisation and its
    QuerySet reads through `visible_to`."""
    if model is None:
        return False
    names = {f.name for f in model._meta.get_fields()}
    return {"visibility", "author_organisation"} <= names and hasattr(
        model._default_manager, "visible_to"
    )


def shows_content(model, admin_site=admin.site) -> bool:
    """Whether the admin may show values of `model`: only a model it already shows, and never
    follow-up (the admin then reveals nothing it does not show anyway)."""
    return (
        model is not None
        and model is not AuditEvent
        and admin_site.is_registered(model)
        and not is_follow_up_model(model)
    )


def safe_deleted_objects(objs, request, admin_site):
    """`django.contrib.admin.utils.get_deleted_objects`, except that an object the admin does
    not show (the notes protecting an EPCI, a user's saved searches…) is named by its kind and
    number, never by its text."""
    try:
        first = objs[0]
    except IndexError:
        return [], {}, set(), []
    collector = NestedObjects(using=router.db_for_write(first._meta.model), origin=objs)
    collector.collect(objs)
    perms_needed = set()

    def format_callback(obj):
        model, opts = type(obj), obj._meta
        if not shows_content(model, admin_site):
            return f"{capfirst(opts.verbose_name)} n° {obj.pk}"
        if not admin_site.get_model_admin(model).has_delete_permission(request, obj):
            perms_needed.add(opts.verbose_name)
        try:
            url = reverse(
                f"{admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                args=[quote(obj.pk)],
            )
        except NoReverseMatch:
            return f"{capfirst(opts.verbose_name)} : {obj}"
        return format_html('{} : <a href="{}">{}</a>', capfirst(opts.verbose_name), url, obj)

    to_delete = collector.nested(format_callback)
    protected = [format_callback(obj) for obj in collector.protected]
    model_count = {
        model._meta.verbose_name_plural: len(found) for model, found in collector.model_objs.items()
    }
    return to_delete, model_count, perms_needed, protected


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

    def get_deleted_objects(self, objs, request):
        return safe_deleted_objects(objs, request, self.admin_site)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Who did what, when, on which content type and number. The values (`changes`) and the
    object's label are shown only for models this admin shows anyway (accounts, geography),
    never for follow-up; the search reads the action and the author only."""

    list_display = ["at", "actor_label", "action", "content_type", "object_id", "object_label"]
    list_filter = ["action", ("content_type", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["content_type"]
    search_fields = ["action", "actor_label", "actor__email"]
    date_hierarchy = "at"
    fields = [
        "at",
        "actor_label",
        "action",
        "content_type",
        "object_id",
        "object_label",
        "changed_fields",
        "values",
    ]
    readonly_fields = fields

    def _shows_content(self, event: AuditEvent) -> bool:
        model = event.content_type.model_class() if event.content_type_id else None
        return shows_content(model, self.admin_site)

    def get_object(self, request, object_id, from_field=None):
        """The event without its object's label when the admin does not show that object:
        the page's title and breadcrumbs are `str(event)`. (Never saved: no change right.)"""
        event = super().get_object(request, object_id, from_field)
        if event is not None and not self._shows_content(event):
            event.object_repr = ""
        return event

    @admin.display(description="objet")
    def object_label(self, event: AuditEvent) -> str:
        return event.object_repr if self._shows_content(event) else "—"

    @admin.display(description="champs modifiés")
    def changed_fields(self, event: AuditEvent) -> str:
        return ", ".join(sorted(event.changes)) or "—"

    @admin.display(description="valeurs")
    def values(self, event: AuditEvent) -> str:
        if not self._shows_content(event):
            return "Non affichées ici : suivi confidentiel ou objet absent de l'administration."
        return format_html("<pre>{}</pre>", json.dumps(event.changes, ensure_ascii=False, indent=2))

    # The audit trail is append-only.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _hide_task_arguments() -> None:
    """django_tasks_db's admin shows a task's arguments and return value; tasks carry ids, but
    an e-mail's text is rendered before it is queued: the admin shows neither."""
    try:
        from django_tasks_db.admin import DBTaskResultAdmin
        from django_tasks_db.models import DBTaskResult
    except ImportError:
        return
    if not admin.site.is_registered(DBTaskResult):
        return

    class TaskResultAdmin(DBTaskResultAdmin):
        def get_readonly_fields(self, request, obj=None):
            hidden = {"args_kwargs", "return_value"}
            return [f for f in super().get_readonly_fields(request, obj) if f not in hidden]

    admin.site.unregister(DBTaskResult)
    admin.site.register(DBTaskResult, TaskResultAdmin)


_hide_task_arguments()
