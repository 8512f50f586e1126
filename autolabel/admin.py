from django.contrib import admin

from autolabel.models import Job, TrainedModel


@admin.register(TrainedModel)
class TrainedModelAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "project", "source", "created_at", "size_bytes")
    list_filter = ("source",)


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "status", "progress", "project", "created_at", "finished_at")
    list_filter = ("kind", "status")
