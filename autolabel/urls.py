from django.urls import path

from autolabel import apis

urlpatterns = [
    path("models/", apis.ModelListApi.as_view(), name="model-list"),
    path("models/<int:model_id>/", apis.ModelDetailApi.as_view(), name="model-detail"),
    path("files/<int:file_id>/autolabel/", apis.FileAutolabelApi.as_view(), name="file-autolabel"),
    path("projects/<int:project_id>/train/", apis.ProjectTrainApi.as_view(), name="train"),
    path("projects/<int:project_id>/imports/", apis.ProjectImportApi.as_view(), name="imports"),
    path("jobs/<int:job_id>/", apis.JobDetailApi.as_view(), name="job-detail"),
    path("jobs/<int:job_id>/cancel/", apis.JobCancelApi.as_view(), name="job-cancel"),
]
