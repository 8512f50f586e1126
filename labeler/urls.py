from django.urls import path

from labeler import apis

urlpatterns = [
    path("auth/token/", apis.TokenApi.as_view(), name="api-token"),
    path("projects/", apis.ProjectListApi.as_view(), name="project-list"),
    path("projects/<int:project_id>/", apis.ProjectDetailApi.as_view(), name="project-detail"),
    path(
        "projects/<int:project_id>/members/",
        apis.ProjectMemberApi.as_view(),
        name="project-members",
    ),
    path("projects/<int:project_id>/files/", apis.ProjectFilesApi.as_view(), name="project-files"),
    path(
        "projects/<int:project_id>/save-all/",
        apis.ProjectSaveAllApi.as_view(),
        name="project-save-all",
    ),
    path(
        "projects/<int:project_id>/outputs/",
        apis.ProjectOutputsApi.as_view(),
        name="project-outputs",
    ),
    path(
        "projects/<int:project_id>/outputs/download/",
        apis.ProjectOutputsDownloadApi.as_view(),
        name="project-outputs-download",
    ),
    path(
        "projects/<int:project_id>/label-next/",
        apis.ProjectLabelNextApi.as_view(),
        name="project-label-next",
    ),
    path("files/<int:file_id>/", apis.FileDetailApi.as_view(), name="file-detail"),
    path("files/<int:file_id>/data/", apis.FileDataApi.as_view(), name="file-data"),
    path(
        "files/<int:file_id>/confidence/",
        apis.FileConfidenceApi.as_view(),
        name="file-confidence",
    ),
    path(
        "files/<int:file_id>/annotations/",
        apis.AnnotationListApi.as_view(),
        name="annotation-list",
    ),
    path(
        "files/<int:file_id>/annotations/<str:annotation_id>/",
        apis.AnnotationDetailApi.as_view(),
        name="annotation-detail",
    ),
    path("files/<int:file_id>/changes/", apis.FileChangesApi.as_view(), name="file-changes"),
    path("files/<int:file_id>/save/", apis.FileSaveApi.as_view(), name="file-save"),
]
