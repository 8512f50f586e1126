"""Thin API views: parse, call one service or selector, serialise."""

import tempfile
import time

from django.contrib.auth import get_user_model
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from labeler import exports, selectors
from labeler.api_errors import first_problem
from labeler.errors import InvalidInput
from labeler.ingest import (
    MAX_BINS,
    TIME_FORMATS,
    TIME_INDEX,
    confidence_fields,
    time_zone_get,
    window_binary,
    window_json,
)
from labeler.models import ProjectMembership
from labeler.renderers import FormatNegotiation, WindowBinaryRenderer
from labeler.serializers import (
    AnnotationChangeShape,
    ChangeResultShape,
    ConfidenceShape,
    FileShape,
    FileStateShape,
    ProjectShape,
    annotation_data,
    change_result_data,
    file_data,
    file_state_data,
    outputs_data,
    project_data,
    upload_result_data,
)
from labeler.services import annotations as annotation_services
from labeler.services import files as file_services
from labeler.services import projects as project_services
from labeler.services import saving as saving_services
from labeler.services import tokens as token_services
from labeler.working_state import working_state_store

ANNOTATION_ID_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"
DESCRIPTION_MAX_LENGTH = 2000
MAX_CHANGES_PER_BATCH = 1000
MAX_PX_POINTS = 16_384  # points per channel when the client gives its plot's width (px)

# Versions count edits; anything past 2**53 is not one a client saw (and not exact in JSON).
MAX_VERSION = 2**53


def id_field(**kwargs):
    """A database id: a positive integer that fits the id column (64-bit)."""
    return serializers.IntegerField(min_value=1, max_value=2**63 - 1, **kwargs)


def time_value_field(**kwargs):
    return serializers.JSONField(
        help_text="number, or ISO 8601 string for date-time files", **kwargs
    )


class TokenApi(APIView):
    """POST username + password -> {"token": "...", "expiry": ...} (rate-limited in
    labeler.login_throttle); DELETE with `Authorization: Token <key>` revokes that token."""

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "TokenOutput"

        token = serializers.CharField()
        expiry = serializers.DateTimeField(allow_null=True)

    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(request=AuthTokenSerializer, responses=OutputSerializer, operation_id="token")
    def post(self, request):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        key, row = token_services.token_issue(user=serializer.validated_data["user"])
        return Response(self.OutputSerializer({"token": key, "expiry": row.expiry}).data)

    @extend_schema(request=None, responses={204: None}, operation_id="token_revoke")
    def delete(self, request):
        if not isinstance(request.auth, AuthToken):
            raise InvalidInput("Send the token to revoke as `Authorization: Token <key>`.")
        token_services.token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


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
        no_overlap = serializers.BooleanField(required=False, default=False)

        def validate(self, attrs):
            if not attrs.get("labels") and not attrs.get("label_config"):
                raise serializers.ValidationError("give labels (a list) or label_config (XML)")
            return attrs

    @extend_schema(responses=ProjectShape(many=True), operation_id="projects_list")
    def get(self, request):
        projects = selectors.project_list_for_user(user=request.user)
        return Response([project_data(p) for p in projects])

    @extend_schema(request=InputSerializer, responses={201: ProjectShape})
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
        no_overlap = serializers.BooleanField(required=False)
        on_removed_labels = serializers.DictField(
            child=serializers.JSONField(),
            required=False,
            help_text='for each label dropped while in use: {"relabel": "<kept label>"} or '
            '{"delete": true}',
        )

    @extend_schema(responses=ProjectShape)
    def get(self, request, project_id):
        project = selectors.project_get_for_user(project_id=project_id, user=request.user)
        role = selectors.project_role(project=project, user=request.user)
        return Response(project_data(project, role=role))

    @extend_schema(request=InputSerializer, responses=ProjectShape)
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
        project_services.project_delete(project=project, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProjectMemberApi(APIView):
    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ProjectMemberInput"

        username = serializers.CharField()
        role = serializers.ChoiceField(
            choices=ProjectMembership.Role.choices, default=ProjectMembership.Role.ANNOTATOR
        )

    @extend_schema(request=InputSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, project_id):
        project = selectors.project_get_for_user(project_id=project_id, user=request.user)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        member = get_user_model().objects.filter(username=payload.validated_data["username"])
        if not member.exists():
            raise InvalidInput("No user with that name.")
        membership = project_services.project_member_add(
            project=project,
            user=member.get(),
            added_by=request.user,
            role=payload.validated_data["role"],
        )
        return Response(
            {"project": project.id, "username": member.get().username, "role": membership.role},
            status=status.HTTP_201_CREATED,
        )


class ProjectFilesApi(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    class MappingSerializer(serializers.Serializer):
        """Optional form fields that replace detection for the files of one request."""

        class Meta:
            ref_name = "ProjectFilesMapping"

        time_column = serializers.CharField(
            required=False,
            allow_blank=True,
            trim_whitespace=False,
            help_text="a column name, or 'none' for the row number",
        )
        time_format = serializers.ChoiceField(
            choices=["auto", *TIME_FORMATS], required=False, allow_blank=True
        )
        timezone = serializers.CharField(
            required=False, allow_blank=True, help_text="UTC, +02:00 or Europe/Berlin"
        )
        channels = serializers.CharField(
            required=False, allow_blank=True, help_text="comma-separated column names"
        )

        def validate_timezone(self, value):
            if value.strip():
                try:
                    time_zone_get(value)
                except ValueError as error:
                    raise serializers.ValidationError(str(error)) from error
            return value.strip()

        def validate_channels(self, value):
            if value.strip() and not [name for name in value.split(",") if name.strip()]:
                raise serializers.ValidationError("name at least one channel")
            return value

        def mapping(self) -> file_services.ColumnMapping:
            data = self.validated_data
            time_column = data.get("time_column", "").strip() or None
            channels = [name.strip() for name in data.get("channels", "").split(",")]
            return file_services.ColumnMapping(
                time_column=TIME_INDEX if time_column == "none" else time_column,
                time_format=data.get("time_format") if data.get("time_format") != "auto" else None,
                timezone=data.get("timezone") or None,
                channels=[name for name in channels if name] or None,
            )

    @extend_schema(responses=FileShape(many=True))
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
                    "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    "time_column": {"type": "string"},
                    "time_format": {"type": "string", "enum": ["auto", *TIME_FORMATS]},
                    "timezone": {"type": "string"},
                    "channels": {"type": "string"},
                },
            }
        }
    )
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def post(self, request, project_id):
        project = selectors.project_get_for_user(project_id=project_id, user=request.user)
        options = self.MappingSerializer(data=request.data)
        options.is_valid(raise_exception=True)
        uploads = _uploads_in_order(request)
        if not uploads:
            raise InvalidInput("Send the CSV files in the multipart field 'files'.")
        outcomes = file_services.files_upload(
            project=project, uploads=uploads, user=request.user, mapping=options.mapping()
        )
        results = [upload_result_data(outcome) for outcome in outcomes]
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


class FileDetailApi(APIView):
    @extend_schema(responses=FileShape)
    def get(self, request, file_id):
        series_file = selectors.file_get_for_user(file_id=file_id, user=request.user)
        version = working_state_store().version(series_file.id)
        return Response(file_data(series_file, working_version=version))

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def delete(self, request, file_id):
        series_file = selectors.file_get_for_user(file_id=file_id, user=request.user)
        file_services.file_delete(series_file=series_file, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FileDataApi(APIView):
    """The points of a time window to plot: JSON (default) or the binary form
    (``?format=binary`` or ``Accept: application/octet-stream``, docs/data-format.md)."""

    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, WindowBinaryRenderer]
    content_negotiation_class = FormatNegotiation

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "FileDataInput"

        start = serializers.CharField(required=False, allow_blank=True)
        end = serializers.CharField(required=False, allow_blank=True)
        max_points = serializers.IntegerField(min_value=10, max_value=200_000, default=4000)
        px = serializers.IntegerField(
            min_value=5,
            max_value=100_000,
            required=False,
            help_text="the plot's width in pixels: about 2 points per pixel (min and max), "
            f"at most {MAX_PX_POINTS}; replaces max_points",
        )
        channels = serializers.CharField(required=False, allow_blank=True)
        view_start = serializers.CharField(
            required=False,
            max_length=64,
            help_text="with view_end: the plot's visible range; the answer then carries "
            "`axis`, the x axis' tick values and texts for it (docs/data-format.md)",
        )
        view_end = serializers.CharField(required=False, max_length=64)

        def validate(self, attrs):
            if ("view_start" in attrs) != ("view_end" in attrs):
                raise serializers.ValidationError("view_start and view_end go together.")
            return attrs

    @extend_schema(
        parameters=[InputSerializer],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, WindowBinaryRenderer.media_type): OpenApiTypes.BINARY,
        },
    )
    def get(self, request, file_id):
        series_file = selectors.file_get_for_user(file_id=file_id, user=request.user)
        query = self.InputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        started = time.perf_counter()
        window = selectors.file_window_get(
            series_file=series_file,
            start=_time_param(params.get("start")),
            end=_time_param(params.get("end")),
            max_points=min(2 * params["px"], MAX_PX_POINTS)
            if "px" in params
            else params["max_points"],
            channels=[c for c in params.get("channels", "").split(",") if c] or None,
        )
        extra = {}
        if "view_start" in params:
            view = [_time_param(params["view_start"]), _time_param(params["view_end"])]
            extra["axis"] = selectors.file_axis_ticks(series_file=series_file, view=view)
        binary = request.accepted_renderer.format == WindowBinaryRenderer.format
        body = window_binary(window, header_extra=extra) if binary else window_json(window) | extra
        elapsed_ms = (time.perf_counter() - started) * 1000
        return Response(body, headers={"Server-Timing": f"window;dur={elapsed_ms:.1f}"})


class FileConfidenceApi(APIView):
    """The model's confidence over the whole file after an auto-label run, the minimum per
    bin: JSON (default) or the data endpoint's binary form (``?format=binary``,
    docs/data-format.md)."""

    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, WindowBinaryRenderer]
    content_negotiation_class = FormatNegotiation

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "FileConfidenceInput"

        bins = serializers.IntegerField(
            min_value=1,
            max_value=MAX_BINS,
            default=4096,
            help_text="at most this many bins of (about) equal row counts, each its minimum",
        )

    @extend_schema(
        parameters=[InputSerializer],
        responses={
            (200, "application/json"): ConfidenceShape,
            (200, WindowBinaryRenderer.media_type): OpenApiTypes.BINARY,
        },
    )
    def get(self, request, file_id):
        series_file = selectors.file_get_for_user(file_id=file_id, user=request.user)
        query = self.InputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        window = selectors.file_confidence_get(
            series_file=series_file, bins=query.validated_data["bins"]
        )
        if request.accepted_renderer.format == WindowBinaryRenderer.format:
            return Response(window_binary(window, header_extra=confidence_fields()))
        return Response({**window_json(window), **confidence_fields()})


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

        id = serializers.RegexField(ANNOTATION_ID_PATTERN, required=False)
        label = serializers.CharField(max_length=200)
        start = time_value_field()
        end = time_value_field()
        description = serializers.CharField(
            max_length=DESCRIPTION_MAX_LENGTH, required=False, allow_blank=True, default=""
        )

    @extend_schema(responses=FileStateShape)
    def get(self, request, file_id):
        series_file = selectors.file_get_for_user(file_id=file_id, user=request.user)
        state, skipped = annotation_services.working_state_checked(series_file=series_file)
        return Response({**file_state_data(state, file_id=series_file.id), "skipped": skipped})

    @extend_schema(request=InputSerializer, responses={201: AnnotationChangeShape})
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


class AnnotationFieldsSerializer(serializers.Serializer):
    """The fields of a label a client may set (for an update, those that change)."""

    label = serializers.CharField(max_length=200, required=False)
    start = time_value_field(required=False)
    end = time_value_field(required=False)
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX_LENGTH, required=False, allow_blank=True
    )


class AnnotationDetailApi(APIView):
    class InputSerializer(AnnotationFieldsSerializer):
        class Meta:
            ref_name = "AnnotationDetailInput"

        version = serializers.IntegerField(required=False, min_value=1, max_value=MAX_VERSION)

    @extend_schema(request=InputSerializer, responses=AnnotationChangeShape)
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


class FileChangesApi(APIView):
    """A batch of label changes, checked one by one and applied all together or not at all."""

    class ChangeSerializer(serializers.Serializer):
        class Meta:
            ref_name = "AnnotationChange"

        op = serializers.ChoiceField(choices=["create", "update", "delete"])
        id = serializers.RegexField(ANNOTATION_ID_PATTERN, required=False)
        annotation = serializers.DictField(required=False, default=dict)
        version = serializers.IntegerField(required=False, min_value=1)
        snap = serializers.BooleanField(
            required=False, default=False, help_text="move the bounds to the nearest rows"
        )

        def validate(self, attrs):
            _refuse_unknown_keys(self.initial_data, self.fields)
            _refuse_unknown_keys(attrs["annotation"], AnnotationFieldsSerializer().fields)
            if attrs["op"] != "create" and not attrs.get("id"):
                raise serializers.ValidationError(f"{attrs['op']} needs the label's id.")
            fields = AnnotationFieldsSerializer(data=attrs["annotation"])
            fields.is_valid(raise_exception=True)
            attrs["annotation"] = dict(fields.validated_data)
            if (
                attrs["op"] == "create"
                and not {"label", "start", "end"} <= attrs["annotation"].keys()
            ):
                raise serializers.ValidationError("create needs label, start and end.")
            return attrs

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "FileChangesInput"

        changes = serializers.ListField(
            child=serializers.DictField(), min_length=1, max_length=MAX_CHANGES_PER_BATCH
        )
        file_version = serializers.IntegerField(required=False, min_value=0)

    @extend_schema(request=InputSerializer, responses=ChangeResultShape)
    def post(self, request, file_id):
        series_file = selectors.file_get_for_user(file_id=file_id, user=request.user)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        changes = [
            _change_from_request(position, item)
            for position, item in enumerate(payload.validated_data["changes"])
        ]
        result = annotation_services.annotation_changes_apply(
            series_file=series_file,
            user=request.user,
            changes=changes,
            expected_file_version=payload.validated_data.get("file_version"),
        )
        return Response(change_result_data(result, file_id=series_file.id))


def _refuse_unknown_keys(data, fields):
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise serializers.ValidationError(
            f"Unknown field(s) {', '.join(map(str, unknown))}: accepted are {', '.join(fields)}."
        )


def _change_from_request(position, item) -> annotation_services.AnnotationChange:
    change = FileChangesApi.ChangeSerializer(data=item)
    if not change.is_valid():
        raise InvalidInput(
            f"Change {position + 1} ({item.get('op', 'no op')} {item.get('id', 'new')}): "
            + first_problem(change.errors),
            {"change": position, "id": item.get("id"), "problem": change.errors},
        )
    data = change.validated_data
    return annotation_services.AnnotationChange(
        op=data["op"],
        annotation_id=data.get("id"),
        fields=data["annotation"],
        expected_version=data.get("version"),
        snap=data["snap"],
    )


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
                    {
                        "id": f.id,
                        "name": f.name,
                        "uncertain_share": f.uncertain_share,
                        "uncertainty": f.uncertainty,
                        "rows": f.rows,
                    }
                    for f in files
                ]
            }
        )
