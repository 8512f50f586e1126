from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from autolabel import jobs, selectors, services
from autolabel.models import Job
from autolabel.serializers import JobShape, job_data
from labeler import selectors as labeler_selectors
from labeler.apis import id_field
from labeler.errors import InvalidInput


def model_data(model) -> dict:
    return {
        "id": model.id,
        "name": model.name,
        "project": model.project_id,
        "source": model.source,
        "labels": model.labels,
        "label_kinds": model.label_kinds,
        "channels": model.channels,
        "time_column": model.time_column or None,
        "hyperparameters": model.hyperparameters,
        "metrics": model.metrics,
        "checksum": model.checksum,
        "size_bytes": model.size_bytes,
        "version": model.version,
        "label_studio_project": model.label_studio_project or None,
        "created_by": model.created_by.get_username() if model.created_by else None,
        "created_at": model.created_at,
    }


class ModelListApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ModelUploadInput"

        file = serializers.FileField()
        name = serializers.CharField(max_length=200)
        project = id_field(required=False)

    class FilterSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ModelListFilter"

        project = id_field(required=False)
        file = id_field(required=False)

    @extend_schema(
        parameters=[FilterSerializer], responses=OpenApiTypes.OBJECT, operation_id="models_list"
    )
    def get(self, request):
        query = self.FilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        models = selectors.model_list_for_user(user=request.user)
        if "project" in query.validated_data:
            models = models.filter(project_id=query.validated_data["project"])
        if "file" in query.validated_data:
            series_file = labeler_selectors.file_get_for_user(
                file_id=query.validated_data["file"], user=request.user
            )
            models = [m for m in models if selectors.model_fits_file(m, series_file)]
        return Response([model_data(m) for m in models])

    @extend_schema(request=InputSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        log = getattr(request._request, "upload_log", [])
        refused = next((entry["skipped"] for entry in log if entry["skipped"]), None)
        if refused:
            raise InvalidInput(refused)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        project = None
        if "project" in data:
            project = labeler_selectors.project_get_for_user(
                project_id=data["project"], user=request.user
            )
        model = services.model_upload(
            user=request.user, name=data["name"], uploaded=data["file"], project=project
        )
        return Response(model_data(model), status=status.HTTP_201_CREATED)


class ModelDetailApi(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, model_id):
        model = selectors.model_get_for_user(model_id=model_id, user=request.user)
        return Response(model_data(model))

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def delete(self, request, model_id):
        model = selectors.model_get_for_user(model_id=model_id, user=request.user)
        services.model_delete(model=model, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FileAutolabelApi(APIView):
    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "AutolabelInput"

        model = id_field()

    @extend_schema(request=InputSerializer, responses={202: JobShape})
    def post(self, request, file_id):
        series_file = labeler_selectors.file_get_for_user(file_id=file_id, user=request.user)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        model = selectors.model_get_for_user(
            model_id=payload.validated_data["model"], user=request.user
        )
        job = services.autolabel_start(series_file=series_file, model=model, user=request.user)
        return Response(job_data(job), status=status.HTTP_202_ACCEPTED)


class ProjectTrainApi(APIView):
    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "TrainInput"

        name = serializers.CharField(max_length=200)
        train_epochs = serializers.IntegerField(min_value=1, max_value=10_000, required=False)
        epochs = serializers.IntegerField(min_value=1, max_value=10_000, required=False)
        sequence_size = serializers.IntegerField(min_value=2, max_value=10_000, required=False)
        hidden_size = serializers.IntegerField(min_value=1, max_value=1024, required=False)
        balanced_accuracy_threshold = serializers.FloatField(
            min_value=0, max_value=1, required=False
        )
        min_class_f1_threshold = serializers.FloatField(min_value=0, max_value=1, required=False)
        use_class_weights = serializers.BooleanField(required=False)
        seed = serializers.IntegerField(min_value=0, max_value=2**32 - 1, required=False)
        learning_rate = serializers.FloatField(min_value=1e-7, max_value=1, required=False)
        batch_size = serializers.IntegerField(min_value=1, max_value=4096, required=False)

    @extend_schema(request=InputSerializer, responses={202: JobShape})
    def post(self, request, project_id):
        project = labeler_selectors.project_get_for_user(project_id=project_id, user=request.user)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        params = dict(payload.validated_data)
        if "epochs" in params:
            params["train_epochs"] = params.pop("epochs")
        job = services.training_start(project=project, user=request.user, params=params)
        return Response(job_data(job), status=status.HTTP_202_ACCEPTED)


class ProjectImportApi(APIView):
    """Import CSV files from the server's folder IMPORT_ROOT as a background ingest job."""

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ImportInput"

        paths = serializers.ListField(
            child=serializers.CharField(trim_whitespace=False),
            min_length=1,
            max_length=1000,
            help_text="file paths relative to the server's import folder",
        )

    @extend_schema(request=InputSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, project_id):
        project = labeler_selectors.project_get_for_user(project_id=project_id, user=request.user)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        job = services.files_import_start(
            project=project, user=request.user, paths=payload.validated_data["paths"]
        )
        return Response(job_data(job), status=status.HTTP_202_ACCEPTED)


class JobDetailApi(APIView):
    @extend_schema(responses=JobShape)
    def get(self, request, job_id):
        job = selectors.job_get_for_user(job_id=job_id, user=request.user)
        if job.status == Job.Status.RUNNING:
            jobs.jobs_reap()
            job.refresh_from_db()
        return Response(job_data(job))


class JobCancelApi(APIView):
    @extend_schema(request=None, responses=JobShape)
    def post(self, request, job_id):
        job = selectors.job_get_for_user(job_id=job_id, user=request.user)
        return Response(job_data(jobs.job_cancel(job=job, user=request.user)))
