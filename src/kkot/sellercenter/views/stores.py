"""Seller-center pages about the store itself: start, list, dashboard, settings, banners, staff, API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kkot.accounts.services import api_token_create, api_token_revoke
from kkot.catalog.selectors import product_status_counts, products_for_seller
from kkot.core.errors import KkotError, NotFound
from kkot.sellercenter.access import Role, accounts_url, ctx, seller_page
from kkot.sellercenter.forms import (
    BannerForm,
    StaffAddForm,
    StaffRoleForm,
    StoreOpenForm,
    StoreSettingsForm,
    TokenForm,
    apply_service_errors,
)
from kkot.stores.selectors import memberships_for_user, store_slug_available, store_staff
from kkot.stores.services import (
    banner_save,
    staff_add,
    staff_change_role,
    staff_remove,
    store_create,
    store_update,
)


def index(request):
    """The user's stores; a logged-out visitor sees how to start, a member of no store is sent to open one."""
    if not request.user.is_authenticated:
        return render(request, "sellercenter/landing.html", {
            "signup_url": accounts_url("signup", reverse("sellercenter:open")),
            "login_url": accounts_url("login", reverse("sellercenter:index")),
        })
    memberships = list(memberships_for_user(user=request.user))
    if not memberships:
        return redirect("sellercenter:open")
    return render(request, "sellercenter/store_list.html", {"memberships": memberships})


def store_open(request):
    """판매자 시작하기: one form, then the new store's dashboard."""
    if not request.user.is_authenticated:
        return redirect(accounts_url("signup", request.get_full_path()))
    if request.method == "POST":
        form = StoreOpenForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                store = store_create(owner=request.user, slug=form.cleaned_data["slug"],
                                     name=form.cleaned_data["name"], logo=form.cleaned_data.get("logo"),
                                     **form.store_fields())
            except KkotError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("스토어를 열었습니다. 첫 상품을 등록해 보세요!"))
                return redirect("sellercenter:dashboard", slug=store.slug)
    else:
        form = StoreOpenForm()
    return render(request, "sellercenter/open.html", {"form": form})


@require_GET
def slug_check(request):
    """Live availability hint for the store address field."""
    if not request.user.is_authenticated:
        return JsonResponse({"ok": False, "message": _("로그인이 필요합니다.")}, status=401)
    ok, message = store_slug_available(slug=request.GET.get("slug", ""))
    return JsonResponse({"ok": ok, "message": message})


@seller_page(methods=("GET",))
def dashboard(request, membership):
    store = membership.store
    counts = product_status_counts(store=store)
    today = timezone.localdate()
    return render(request, "sellercenter/dashboard.html", ctx(
        request, nav="dashboard", counts=counts, total=sum(counts.values()),
        out_of_stock=products_for_seller(store=store, stock="out").count(),
        low_stock=products_for_seller(store=store, stock="low").count(),
        today=today,
    ))


@seller_page()
def store_settings(request, membership):
    store = membership.store
    if request.method == "POST":
        form = StoreSettingsForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                store_update(store=store, actor=request.user, logo=form.cleaned_data.get("logo"),
                             **form.store_fields())
            except KkotError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("스토어 정보를 저장했습니다."))
                return redirect("sellercenter:settings", slug=store.slug)
    else:
        form = StoreSettingsForm(initial=StoreSettingsForm.initial_for(store))
    banners = [(b, BannerForm(initial={k: getattr(b, k) for k in BannerForm.base_fields}, prefix=f"b{b.pk}"))
               for b in store.banners.all()]
    return render(request, "sellercenter/settings.html", ctx(
        request, nav="settings", form=form, banners=banners, new_banner=BannerForm(prefix="new"),
    ))


def _banner_post(request, membership, banner_id: int | None):
    store = membership.store
    prefix = f"b{banner_id}" if banner_id else "new"
    form = BannerForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            banner_save(store=store, actor=request.user, banner_id=banner_id, **form.cleaned_data)
        except NotFound:
            raise
        except KkotError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("배너를 저장했습니다."))
    else:
        for field, errs in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for e in errs:
                messages.error(request, f"{label}: {e}" if label else e)
    return redirect(reverse("sellercenter:settings", args=[store.slug]) + "#banners")


@seller_page(methods=("POST",))
def banner_create(request, membership):
    return _banner_post(request, membership, None)


@seller_page(methods=("POST",))
def banner_update(request, membership, banner_id: int):
    if not membership.store.banners.filter(pk=banner_id).exists():
        raise Http404(_("배너를 찾을 수 없습니다."))
    return _banner_post(request, membership, banner_id)


@seller_page(write_role=Role.OWNER)
def staff(request, membership):
    store = membership.store
    form = StaffAddForm()
    if request.method == "POST":
        form = StaffAddForm(request.POST)
        if form.is_valid():
            try:
                staff_add(store=store, actor=request.user, email=form.cleaned_data["email"],
                          role=form.cleaned_data["role"])
            except KkotError as exc:
                form.add_error("email" if exc.code in ("user_not_found", "already_member") else None, exc.message)
            else:
                messages.success(request, _("직원을 추가했습니다."))
                return redirect("sellercenter:staff", slug=store.slug)
    members = [(m, StaffRoleForm(initial={"role": m.role}, prefix=f"m{m.pk}")) for m in store_staff(store=store)]
    return render(request, "sellercenter/staff.html", ctx(request, nav="staff", form=form, members=members))


@seller_page(write_role=Role.OWNER, methods=("POST",))
def staff_member(request, membership, membership_id: int):
    store = membership.store
    if not store_staff(store=store).filter(pk=membership_id).exists():
        raise Http404(_("직원을 찾을 수 없습니다."))
    try:
        if request.POST.get("action") == "remove":
            staff_remove(store=store, actor=request.user, membership_id=membership_id)
            messages.success(request, _("직원을 내보냈습니다."))
        else:
            form = StaffRoleForm(request.POST, prefix=f"m{membership_id}")
            if not form.is_valid():
                messages.error(request, _("알 수 없는 역할입니다."))
            else:
                staff_change_role(store=store, actor=request.user, membership_id=membership_id,
                                  role=form.cleaned_data["role"])
                messages.success(request, _("역할을 바꿨습니다."))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except KkotError as exc:
        messages.error(request, exc.message)
    if membership_id == membership.pk:  # changed or removed oneself: the staff page may be out of reach now
        return redirect("sellercenter:index")
    return redirect("sellercenter:staff", slug=store.slug)


@seller_page()
def api_tokens(request, membership):
    store = membership.store
    raw_key = None
    form = TokenForm()
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                _token, raw_key = api_token_create(user=request.user, store=store, name=form.cleaned_data["name"])
            except KkotError as exc:
                form.add_error(None, exc.message)
            else:
                form = TokenForm()
    tokens = store.api_tokens.filter(user=request.user).order_by("-created_at")
    response = render(request, "sellercenter/api_tokens.html", ctx(
        request, nav="tokens", form=form, tokens=tokens, raw_key=raw_key,
    ))
    if raw_key:
        response["Cache-Control"] = "no-store"
    return response


@seller_page(methods=("POST",))
def api_token_revoke_view(request, membership, token_id: int):
    try:
        api_token_revoke(user=request.user, store=membership.store, token_id=token_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    messages.success(request, _("토큰을 폐기했습니다. 이 토큰으로는 더 이상 API를 쓸 수 없습니다."))
    return redirect("sellercenter:api_tokens", slug=membership.store.slug)
