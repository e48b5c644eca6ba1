"""The audit log, read-only: nobody adds, edits or deletes an entry through the admin."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from dlquiz.ops.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_name", "action", "target_type", "target_repr", "changes")
    list_filter = ("action", "target_type")
    search_fields = ("actor_name", "target_repr", "description")
    date_hierarchy = "at"
    readonly_fields = [field.name for field in AuditEntry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False
