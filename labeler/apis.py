"""Thin API views: parse, call one service or selector, serialise."""

import tempfile
import time

from django.contrib.auth import get_user_model
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from labeler import exports, selectors, storage
from labeler.errors import InvalidInput
from labeler.ingest import series_window
from labeler.serializers import (
    annotation_data,
    file_data,
    file_state_data,
    outputs_data,
    project_data,
)
from labeler.services import annotations as annotation_services
from labeler.services import files as file_services
from labeler.services import projects as project_services
from labeler.services import saving as saving_services
from labeler.working_state import working_state_store

# Versions count edits; anything past 2**53 is not one a client saw (and not exact in JSON).
MAX_VERSION = 2**53


def id_field(**kwargs):
    """A database id: a positive integer that fits the id column (64-bit)."""
    return serializers.IntegerField(min_value=1, max_value=2**63 - 1, **kwargs)


def time_value_field(**kwargs):
    return serializers.JSONField(
        help_text="number, or ISO 8601 string for date-time files", **kwargs
    )


class TokenApi(ObtainAuthToken):
    """POST username + password -> {"token": "..."}; rate-limited."""

    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"


class ProjectListApi(APIView):
    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ProjectListInput"

        name = serializers.CharField(max_length=200)
        description = serializers.CharField(required=False, allow_blank=True, default="")
        labels = serializers.ListField(child=serializers.JSONField(), required=False)
        label_config = serializers.CharField(
            required=False, allow_blank=True, trim_whitespace=False
        )
        time_column = serializers.CharField(
            max_length=project_services.TIME_COLUMN_MAX_LENGTH,
            required=False,
            allow_blank=True,
            default="",
        )
        channels = serializers.ListField(
            child=serializers.CharField(), required=False, default=list
        )

        def validate(self, attrs):
            if not attrs.get("labels") and not attrs.get("label_config"):
                raise serializers.ValidationError("give labels (a list) or label_config (XML)")
            return attrs

    @extend_schema(responses=OpenApiTypes.OBJECT, operation_id="projects_list")
    def get(self, request):
        projects = selectors.project_list_for_user(user=request.user)
        return Response([project_data(p) for p in projects])

    @extend_schema(request=InputSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        project = project_services.project_create(user=request.user, **payload.validated_data)
        return Response(project_data(project, role="owner"), status=status.HTTP_201_CREATED)


class ProjectDetailApi(APIView):
    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ProjectDetailInput"

        name = serializers.CharField(max_length=200, required=False)
        description = serializers.CharField(required=False, allow_blank=True)
        labels = serializers.ListField(child=serializers.JSONField(), required=False)
        label_config = serializers.CharField(required=False, trim_whitespace=False)
        time_column = serializers.CharField(
            max_length=project_services.TIME_COLUMN_MAX_LENGTH, required=False, allow_blank=True
        )
        channels = serializers.ListField(child=serializers.CharField(), required=False)
        on_removed_labels = serializers.DictField(
            child=serializers.JSONField(),
            required=False,
            help_text='for each label dropped while in use: {"relabel": "<kept label>"} or '
            '{"delete": true}',
        )

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, project_id):
        project = selectors.project_get_for_user(project_id=project_id, user=request.user)
        role = selectors.project_role(project=project, user=request.user)
        return Response(project_data(project, role=role))

    @extend_schema(request=InputSerializer, responses=OpenApiTypes.OBJECT)
    def patch(self, request, project_id):
        project = selectors.project_get_for_user(project_id=project_id, user=request.user)
        payload = self.InputSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        project = project_services.project_update(
            project=project, user=request.user, **payload.validated_data
        )
        return Response(project_data(project))

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def delete(self, request, project_id):
        project = selectors.project_get_for_user(project_id=project_id, user=request.user)
        if selectors.project_role(project=project, user=request.user) != "owner":
            raise InvalidInput("Only the project's owner can delete it.")
        project_services.project_delete(project=project)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProjectMemberApi(APIView):
    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ProjectMemberInput"

        username = serializers.CharField()
        role = serializers.ChoiceField(choices=["owner", "annotator"], default="annotator")

    @extend_schema(request=InputSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, project_id):
        project = selectors.project_get_for_user(project_id=project_id, user=request.user)
        if selectors.project_role(project=project, user=request.user) != "owner":
            raise InvalidInput("Only the project's owner can add members.")
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        member = get_user_model().objects.filter(username=payload.validated_data["username"])
        if not member.exists():
            raise InvalidInput("No user with that name.")
        membership = project_services.project_member_add(
            project=project, user=member.get(), role=payload.validated_data["role"]
        )
        return Response(
            {"project": project.id, "username": member.get().username, "role": membership.role},
            status=status.HTTP_201_CREATED,
        )


class ProjectFilesApi(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, project_id):
        project = selectors.project_get_for_user(project_id=project_id, user=request.user)
        store = working_state_store()
        files = selectors.file_list_for_project(project=project)
        return Response([file_data(f, working_version=store.version(f.id)) for f in files])

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {
                    "files": {"type": "array", "items": {"type": "string", "format": "binary"}}
                },
            }
        }
    )
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def post(self, request, project_id):
        project = selectors.project_get_for_user(project_id=project_id, user=request.user)
        uploads = _uploads_in_order(request)
        if not uploads:
            raise InvalidInput("Send the CSV files in the multipart field 'files'.")
        outcomes = file_services.files_upload(project=project, uploads=uploads, user=request.user)
        results = [_upload_result(outcome) for outcome in outcomes]
        created = sum(outcome.created for outcome in outcomes)
        body = {"results": results, "created": created, "rejected": len(outcomes) - created}
        if not created:
            body["error"] = "No file was accepted."
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return Response(body, status=status.HTTP_201_CREATED)


INCOMPLETE_UPLOAD = "The upload ended before this file was complete; send it again."


def _uploads_in_order(request):
    """[(name, uploaded file, refusal)] in the order the client sent them."""
    accepted = iter(request.FILES.getlist("files"))
    uploads = []
    for entry in getattr(request._request, "upload_log", []):
        if entry["field"] != "files":
            continue
        if entry["skipped"]:
            uploads.append((entry["name"], None, entry["skipped"]))
        elif not entry["complete"]:
            uploads.append((entry["name"], None, INCOMPLETE_UPLOAD))
        else:
            uploaded = next(accepted)
            uploads.append((uploaded.name, uploaded, None))
    return uploads


def _upload_result(outcome) -> dict:
    if outcome.created:
        return {
            "name": outcome.name,
            "status": "created",
            "file": file_data(outcome.file),
            "warnings": outcome.warnings,
        }
    return {"name": outcome.name, "status": "rejected", "error": outcome.error}


class FileDetailApi(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, file_id):
        series_file = selectors.file_get_for_user(file_id=file_id, user=request.user)
        version = working_state_store().version(series_file.id)
        return Response(file_data(series_file, working_version=version))

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def delete(self, request, file_id):
        series_file = selectors.file_get_for_user(file_id=file_id, user=request.user)
        exports.outputs_remove(series_file)
        file_services.file_delete(series_file=series_file)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FileDataApi(APIView):
    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "FileDataInput"

        start = serializers.CharField(required=False, allow_blank=True)
        end = serializers.CharField(required=False, allow_blank=True)
        max_points = serializers.IntegerField(min_value=10, max_value=200_000, default=4000)
        channels = serializers.CharField(required=False, allow_blank=True)

    @extend_schema(parameters=[InputSerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request, file_id):
        series_file = selectors.file_get_for_user(file_id=file_id, user=request.user)
        query = self.InputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        started = time.perf_counter()
        series = storage.series_of(series_file)
        channels = [c for c in params.get("channels", "").split(",") if c] or None
        unknown = sorted(set(channels or []) - set(series.channels))
        if unknown:
            raise InvalidInput("Unknown channels: " + ", ".join(unknown))
        try:
            window = series_window(
                series,
                start=_time_param(params.get("start")),
                end=_time_param(params.get("end")),
                max_points=params["max_points"],
                channels=channels,
            )
        except ValueError as error:
            raise InvalidInput(str(error)) from error
        elapsed_ms = (time.perf_counter() - started) * 1000
        return Response(window, headers={"Server-Timing": f"window;dur={elapsed_ms:.1f}"})


def _time_param(value):
    if value in (None, ""):
        return None
    try:
        return float(value)
    except ValueError:
        return value


class AnnotationListApi(APIView):
    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "AnnotationListInput"

        id = serializers.RegexField(r"^[A-Za-z0-9_-]{8,64}$", required=False)
        label = serializers.CharField(max_length=200)
        start = time_value_field()
        end = time_value_field()
        description = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, file_id):
        series_file = selectors.file_get_for_user(file_id=file_id, user=request.user)
        state, skipped = annotation_services.working_state_checked(series_file=series_file)
        return Response({**file_state_data(state, file_id=series_file.id), "skipped": skipped})

    @extend_schema(request=InputSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, file_id):
        series_file = selectors.file_get_for_user(file_id=file_id, user=request.user)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        annotation, version = annotation_services.annotation_create(
            series_file=series_file,
            user=request.user,
            label=data["label"],
            start=data["start"],
            end=data["end"],
            description=data["description"],
            annotation_id=data.get("id"),
        )
        return Response(
            {**annotation_data(annotation), "file_version": version},
            status=status.HTTP_201_CREATED,
        )


class AnnotationDetailApi(APIView):
    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "AnnotationDetailInput"

        label = serializers.CharField(max_length=200, required=False)
        start = time_value_field(required=False)
        end = time_value_field(required=False)
        description = serializers.CharField(required=False, allow_blank=True)
        version = serializers.IntegerField(required=False, min_value=1, max_value=MAX_VERSION)

    @extend_schema(request=InputSerializer, responses=OpenApiTypes.OBJECT)
    def patch(self, request, file_id, annotation_id):
        series_file = selectors.file_get_for_user(file_id=file_id, user=request.user)
        payload = self.InputSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        fields = dict(payload.validated_data)
        expected = fields.pop("version", None)
        if expected is None:
            expected = _if_match(request)
        annotation, version = annotation_services.annotation_update(
            series_file=series_file,
            user=request.user,
            annotation_id=annotation_id,
            fields=fields,
            expected_version=expected,
        )
        return Response({**annotation_data(annotation), "file_version": version})

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def delete(self, request, file_id, annotation_id):
        series_file = selectors.file_get_for_user(file_id=file_id, user=request.user)
        expected = _version_param(request.query_params.get("version"), "version")
        if expected is None:
            expected = _if_match(request)
        version = annotation_services.annotation_delete(
            series_file=series_file,
            user=request.user,
            annotation_id=annotation_id,
            expected_version=expected,
        )
        return Response({"deleted": annotation_id, "file_version": version})


def _if_match(request):
    """The annotation version in an If-Match header (None: no header, or "*")."""
    header = request.headers.get("If-Match", "").strip()
    if header in ("", "*"):
        return None
    return _version_param(header.removeprefix("W/").strip('"'), "If-Match")


def _version_param(value, name):
    """A version the client saw: a positive integer, or None when not given; else 400."""
    if value is None:
        return None
    digits = len(value) <= 16 and value.isascii() and value.isdigit()
    if not digits or not 1 <= int(value) <= MAX_VERSION:
        raise InvalidInput(
            f"{name} must be the annotation's version, a positive integer; got {value[:40]!r}."
        )
    return int(value)


class FileSaveApi(APIView):
    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request, file_id):
        series_file = selectors.file_get_for_user(file_id=file_id, user=request.user)
        return Response(saving_services.file_save(series_file=series_file, user=request.user))


class ProjectSaveAllApi(APIView):
    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request, project_id):
        project = selectors.project_get_for_user(project_id=project_id, user=request.user)
        saved = saving_services.project_save_all(project=project, user=request.user)
        return Response({"saved": saved, "count": len(saved)})


class ProjectOutputsApi(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, project_id):
        project = selectors.project_get_for_user(project_id=project_id, user=request.user)
        saved = project.files.filter(saved_at__isnull=False).order_by("name")
        return Response({"outputs": [outputs_data(f) for f in saved]})


class ProjectOutputsDownloadApi(APIView):
    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ProjectOutputsDownloadInput"

        files = serializers.ListField(child=id_field(), min_length=1, max_length=10_000)

    @extend_schema(request=InputSerializer, responses={(200, "application/zip"): bytes})
    def post(self, request, project_id):
        project = selectors.project_get_for_user(project_id=project_id, user=request.user)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        file_ids = list(dict.fromkeys(payload.validated_data["files"]))
        chosen = list(project.files.filter(pk__in=file_ids))
        foreign = sorted(set(file_ids) - {f.id for f in chosen})
        if foreign:
            raise InvalidInput(
                "These files are not in this project: " + ", ".join(map(str, foreign)),
                {"files": foreign},
            )
        unsaved = [f.name for f in chosen if f.saved_at is None]
        if unsaved:
            raise InvalidInput(
                "These files have no saved outputs yet: " + ", ".join(unsaved), {"files": unsaved}
            )
        archive = tempfile.TemporaryFile(suffix=".zip")  # noqa: SIM115 - FileResponse closes it
        exports.outputs_zip(archive, chosen)
        archive.seek(0)
        return FileResponse(
            archive,
            as_attachment=True,
            filename=f"{exports.storage.safe_stem(project.name)}_outputs.zip",
            content_type="application/zip",
        )


class ProjectLabelNextApi(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, project_id):
        project = selectors.project_get_for_user(project_id=project_id, user=request.user)
        files = selectors.files_to_label_next(project=project)
        return Response(
            {
                "files": [
                    {"id": f.id, "name": f.name, "uncertainty": f.uncertainty, "rows": f.rows}
                    for f in files
                ]
            }
        )
