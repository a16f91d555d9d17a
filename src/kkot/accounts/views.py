"""Account pages: sign-up, login, logout, privacy choice. The my page (with followed stores) is served by
:mod:`kkot.storefront` at ``/me/`` because accounts may not import stores (layering)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kkot.accounts.forms import LoginForm, SignupForm
from kkot.accounts.services import user_set_tracking_opt_out, user_signup
from kkot.core.errors import ValidationError


def _safe_next(request, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def signup(request):
    if request.user.is_authenticated:
        return redirect(_safe_next(request))
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user = user_signup(email=d["email"], password=d["password"], name=d["name"], gender=d["gender"],
                               birth_year=d["birth_year"], marketing_consent=d["marketing_consent"])
        except ValidationError as exc:
            for field, errors in (exc.details or {"__all__": [exc.message]}).items():
                for err in errors:
                    form.add_error(field if field in form.fields else None, err)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("가입을 환영합니다, %(name)s님!") % {"name": user.display_name})
            return redirect(_safe_next(request))
    return render(request, "accounts/signup.html", {"form": form, "next": _safe_next(request, "")})


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    next_page = "/"


@login_required
@require_POST
def privacy(request):
    opt_out = request.POST.get("tracking_opt_out") in ("1", "on", "true")
    user_set_tracking_opt_out(user=request.user, opt_out=opt_out)
    if opt_out:
        messages.success(request, _("이제 행동 데이터를 수집하지 않습니다."))
    else:
        messages.success(request, _("행동 데이터 수집을 다시 허용했습니다."))
    return redirect(_safe_next(request, "/"))
