"""Forms of the order, settlement and coupon pages (first-line parsing; the services decide)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from kkot.orders.models import Coupon
from kkot.orders.services.lifecycle import CARRIERS

CARRIER_CHOICES = [(code, label) for code, (label, _re) in CARRIERS.items()]


class ShipForm(forms.Form):
    carrier = forms.ChoiceField(label=gettext_lazy("택배사"), choices=CARRIER_CHOICES,
                                error_messages={"invalid_choice": gettext_lazy("알 수 없는 택배사입니다."),
                                                "required": gettext_lazy("택배사를 선택해 주세요.")})
    tracking_number = forms.CharField(label=gettext_lazy("송장번호"), max_length=40,
                                      error_messages={"required": gettext_lazy("송장번호를 입력해 주세요.")},
                                      widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("사유"), max_length=300,
                             error_messages={"required": gettext_lazy("사유를 입력해 주세요.")})


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class CouponForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("쿠폰 코드"), max_length=30, required=False,
                           help_text=gettext_lazy("영문 대문자, 숫자, -, _ 3~30자. 구매자가 주문서에 입력합니다."),
                           widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off",
                                                         "placeholder": "SPRING10"}))
    name = forms.CharField(label=gettext_lazy("쿠폰 이름"), max_length=60, required=False)
    kind = forms.ChoiceField(label=gettext_lazy("할인 방식"), choices=Coupon.Kind.choices, initial=Coupon.Kind.FIXED,
                             widget=forms.RadioSelect)
    amount = forms.CharField(label=gettext_lazy("할인 금액(원)"), required=False,
                             widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    percent = forms.CharField(label=gettext_lazy("할인율(%)"), required=False,
                              widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    max_discount = forms.CharField(label=gettext_lazy("최대 할인(원)"), required=False,
                                   help_text=gettext_lazy("정률 할인에만 적용. 비우면 제한 없음."),
                                   widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    min_order = forms.CharField(label=gettext_lazy("최소 주문금액(원)"), required=False, initial="0",
                                widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    starts_at = forms.DateTimeField(label=gettext_lazy("시작"), required=False, widget=DateTimeLocalInput(),
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"])
    ends_at = forms.DateTimeField(label=gettext_lazy("종료"), required=False, widget=DateTimeLocalInput(),
                                  input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"])
    audience = forms.ChoiceField(label=gettext_lazy("대상"), choices=Coupon.Audience.choices,
                                 initial=Coupon.Audience.ALL)
    usage_limit = forms.CharField(label=gettext_lazy("총 발행 한도"), required=False,
                                  help_text=gettext_lazy("비우면 제한 없음. 한 고객은 쿠폰을 한 번만 쓸 수 있습니다."),
                                  widget=forms.TextInput(attrs={"inputmode": "numeric"}))

    @classmethod
    def initial_values(cls) -> dict:
        now = timezone.localtime().replace(second=0, microsecond=0)
        return {"starts_at": now, "ends_at": now + timezone.timedelta(days=30), "min_order": "0"}
