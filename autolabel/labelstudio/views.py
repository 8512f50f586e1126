"""Thin views of the Label Studio ML backend protocol. No user login (Label Studio sends none);
HTTP basic auth when BASIC_AUTH_USER / BASIC_AUTH_PASS are set (every endpoint but /health)."""

import base64
import binascii
import hmac
import json
import logging
from functools import wraps

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from autolabel.labelstudio import protocol, services
from autolabel.models import LabelStudioProject, TrainedModel
from labeler.errors import UserError
from labeler.working_state import WorkingStateUnavailable

logger = logging.getLogger(__name__)


def basic_auth_required(view):
    @wraps(view)
    def checked(request, *args, **kwargs):
        user, password = settings.BASIC_AUTH_USER, settings.BASIC_AUTH_PASS
        if user and password and not _credentials_match(request, user, password):
            response = HttpResponse("Unauthorized", status=401)
            response["WWW-Authenticate"] = 'Basic realm="Label Studio ML backend"'
            return response
        return view(request, *args, **kwargs)

    return checked


def _credentials_match(request, user: str, password: str) -> bool:
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        given_user, _, given_password = base64.b64decode(encoded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return hmac.compare_digest(given_user, user) & hmac.compare_digest(given_password, password)


def protocol_view(view):
    """JSON in, JSON out; a payload Label Studio would not send is a 400 with the reason."""

    @csrf_exempt
    @basic_auth_required
    @wraps(view)
    def handled(request, *args, **kwargs):
        try:
            body = json.loads(request.body or b"{}") if request.method == "POST" else {}
            data, status = view(request, body, *args, **kwargs)
        except json.JSONDecodeError:
            data, status = {"error": "The body is not JSON."}, 400
        except protocol.ProtocolError as error:
            data, status = {"error": str(error)}, 400
        except UserError as error:
            data, status = {"error": error.message}, error.status_code
        except WorkingStateUnavailable:
            data, status = {"error": "The label store is unreachable; try again."}, 503
        return JsonResponse(data, status=status, safe=False)

    return handled


@require_POST
@protocol_view
def setup(request, body):
    return services.backend_setup(protocol.setup_request_parse(body)), 200


@require_POST
@protocol_view
def predict(request, body):
    return services.backend_predict(protocol.predict_request_parse(body)), 200


@require_POST
@protocol_view
def webhook(request, body):
    return services.backend_webhook(protocol.webhook_parse(body))


@require_POST
@protocol_view
def train(request, body):
    """Label Studio's older training call (`POST /train`), when its webhook flag is off."""
    event = protocol.WebhookEvent(
        "START_TRAINING",
        protocol.project_key(body.get("project")),
        str(body.get("label_config") or ""),
    )
    return services.backend_webhook(event)


@require_GET
@protocol_view
def metrics(request, body):
    return {
        "projects": LabelStudioProject.objects.count(),
        "models": TrainedModel.objects.exclude(label_studio_project="").count(),
    }, 200
