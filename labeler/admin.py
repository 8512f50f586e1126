from django.contrib import admin

from labeler.models import Annotation, Project, ProjectMembership, SeriesFile


class MembershipInline(admin.TabularInline):
    model = ProjectMembership
    extra = 1


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "created_by", "created_at")
    search_fields = ("name",)
    inlines = [MembershipInline]


@admin.register(SeriesFile)
class SeriesFileAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "project", "rows", "time_kind", "saved_at")
    list_filter = ("project", "time_kind")
    search_fields = ("name",)
    readonly_fields = ("storage_key", "checksum", "ingest_info")


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    list_display = ("id", "file", "label", "start", "end", "instant", "source", "score")
    list_filter = ("label", "source", "instant")
