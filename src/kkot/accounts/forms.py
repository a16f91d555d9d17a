from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kkot.accounts.models import User

REQUIRED = {"required": _("필수 항목입니다.")}


class SignupForm(forms.Form):
    email = forms.EmailField(label=_("이메일"), max_length=254,
                             error_messages={**REQUIRED, "invalid": _("이메일 주소 형식이 올바르지 않습니다.")},
                             widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}))
    password = forms.CharField(label=_("비밀번호"), strip=False, max_length=128, error_messages=REQUIRED,
                               help_text=_("8자 이상, 흔한 비밀번호는 사용할 수 없습니다."),
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("비밀번호 확인"), strip=False, max_length=128, error_messages=REQUIRED,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    name = forms.CharField(label=_("이름"), max_length=50, required=False,
                           error_messages={"max_length": _("이름은 50자 이내로 입력해 주세요.")},
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    gender = forms.ChoiceField(label=_("성별"), choices=User.Gender.choices, initial=User.Gender.UNDISCLOSED,
                               error_messages={**REQUIRED, "invalid_choice": _("성별 값이 올바르지 않습니다.")})
    birth_year = forms.IntegerField(label=_("출생연도"), required=False, min_value=1900,
                                    error_messages={"invalid": _("출생연도는 숫자 4자리로 입력해 주세요."),
                                                    "min_value": _("출생연도를 확인해 주세요."),
                                                    "max_value": _("출생연도를 확인해 주세요.")},
                                    widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "1990"}))
    marketing_consent = forms.BooleanField(label=_("마케팅 정보 수신에 동의합니다 (선택)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        field = self.fields["birth_year"]
        field.widget.attrs["max"] = this_year
        field.validators.append(MaxValueValidator(this_year, message=_("출생연도를 확인해 주세요.")))

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password2") is not None and data["password"] != data["password2"]:
            self.add_error("password2", _("비밀번호가 서로 다릅니다."))
        return data


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("이메일 또는 비밀번호가 올바르지 않습니다."),
        "inactive": _("사용할 수 없는 계정입니다."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("이메일")
        self.fields["username"].widget = forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
        self.fields["username"].error_messages["required"] = _("이메일을 입력해 주세요.")
        self.fields["password"].label = _("비밀번호")
        self.fields["password"].error_messages["required"] = _("비밀번호를 입력해 주세요.")

    def clean_username(self):
        return (self.cleaned_data.get("username") or "").strip().lower()
