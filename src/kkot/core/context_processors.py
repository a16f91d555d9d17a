from django.conf import settings


def kkot(request):
    return {"KKOT_LANGUAGES": settings.LANGUAGES}
