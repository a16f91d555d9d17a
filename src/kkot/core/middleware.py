"""Refuse oversized request bodies before Django reads them (multipart uploads are otherwise unbounded)."""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = getattr(settings, "KKOT_MAX_REQUEST_BYTES", 50 * 1024 * 1024)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            message = _("요청이 너무 큽니다(최대 %(mb)dMB). 파일 크기를 줄여 다시 올려 주세요.") % {"mb": limit // (1024 * 1024)}
            if request.path.startswith("/api/") or request.path.startswith("/e/"):
                return JsonResponse({"code": "payload_too_large", "message": message}, status=413)
            return render(request, "core/error.html", {"title": _("파일이 너무 큽니다"), "message": message}, status=413)
        return self.get_response(request)


class KoreanFirstLocaleMiddleware(LocaleMiddleware):
    """Pages are Korean unless the visitor chose English with the switcher (language cookie) or the operator set
    KKOT_LANGUAGE; a browser's Accept-Language does not flip the shop's language. The API (machine clients)
    follows Accept-Language for its messages."""

    def process_request(self, request):
        if request.path.startswith("/api/"):
            return super().process_request(request)
        lang = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if lang not in dict(settings.LANGUAGES):
            lang = settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = translation.get_language()
