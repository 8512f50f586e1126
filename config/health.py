from django.http import JsonResponse
from django.views.decorators.http import require_GET


@require_GET
def health(request):
    """Liveness for people, load balancers and Label Studio (no login)."""
    return JsonResponse({"status": "UP", "model_class": "TimeSeriesSegmenter"})
