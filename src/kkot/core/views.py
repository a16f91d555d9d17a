from django.shortcuts import render
from django.utils.translation import gettext as _


def csrf_failure(request, reason=""):
    return render(
        request,
        "core/error.html",
        {"title": _("요청이 만료되었습니다"), "message": _("페이지를 새로고침한 뒤 다시 시도해 주세요.")},
        status=403,
    )
