"""``POST /e/``: the minimal capture path. Validate the batch, append it with one ``bulk_create``, nothing else."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kkot.core.errors import ValidationError
from kkot.events.capture import request_identity, request_tracking_allowed
from kkot.events.services import MAX_BATCH_BYTES, events_append, events_parse_batch


@csrf_exempt  # append-only, no state a forged request could change; same-origin checked below
@require_POST
def capture(request):
    if not request_tracking_allowed(request):
        return HttpResponse(status=204)
    origin = request.headers.get("Origin")
    if origin and origin.split("://", 1)[-1] != request.get_host():
        return JsonResponse({"code": "bad_origin", "message": "다른 사이트에서 보낸 이벤트는 받지 않습니다."},
                            status=400)
    length = request.headers.get("Content-Length") or "0"
    if not length.isdigit() or int(length) > MAX_BATCH_BYTES:
        return JsonResponse({"code": "payload_too_large", "message": "이벤트 묶음이 너무 큽니다(최대 32KB)."},
                            status=400)
    try:
        rows = events_parse_batch(body=request.body, identity=request_identity(request))
    except ValidationError as exc:
        return JsonResponse(exc.as_dict(), status=400)
    events_append(rows=rows)
    return HttpResponse(status=204)
