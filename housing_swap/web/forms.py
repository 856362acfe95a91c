"""WTForms for the account pages. Field rules live in the services; forms only parse."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, SelectField, StringField
from wtforms.i18n import get_translations
from wtforms.validators import DataRequired, EqualTo, Length, Optional

REQUIRED = "此项为必填项"


class ChineseForm(FlaskForm):
    """Every form: WTForms' own messages (e.g. an invalid choice) in Simplified Chinese."""

    class Meta:
        def get_translations(self, form):
            return get_translations(["zh"])


class LoginForm(ChineseForm):
    login = StringField("用户名或手机号", validators=[DataRequired(REQUIRED), Length(max=64, message="不能超过64个字符")])
    password = PasswordField("密码", validators=[DataRequired(REQUIRED), Length(max=128, message="不能超过128个字符")])


class RegistrationForm(ChineseForm):
    real_name = StringField("真实姓名", validators=[DataRequired(REQUIRED), Length(max=30, message="不能超过30个字符")])
    phone = StringField("手机号码", validators=[DataRequired(REQUIRED), Length(max=20, message="不能超过20个字符")])
    id_number = StringField(
        "身份证号（选填，申请换房前须补充）", validators=[Optional(), Length(max=18, message="身份证号应为18位")]
    )
    password = PasswordField("密码", validators=[DataRequired(REQUIRED), Length(max=128, message="不能超过128个字符")])
    confirm = PasswordField(
        "确认密码", validators=[DataRequired(REQUIRED), EqualTo("password", "两次输入的密码不一致")]
    )


class OrganizationForm(ChineseForm):
    kind = SelectField("机构类型", validators=[DataRequired(REQUIRED)])
    name = StringField("机构名称", validators=[DataRequired(REQUIRED), Length(max=120, message="不能超过120个字符")])
    licence_number = StringField("营业执照/资质证书编号",
                                 validators=[DataRequired(REQUIRED), Length(max=64, message="不能超过64个字符")])
    contact_name = StringField("联系人", validators=[DataRequired(REQUIRED), Length(max=30, message="不能超过30个字符")])
    contact_phone = StringField("联系电话", validators=[DataRequired(REQUIRED), Length(max=20, message="不能超过20个字符")])


class StaffUserForm(ChineseForm):
    username = StringField("登录用户名", validators=[DataRequired(REQUIRED), Length(max=64, message="不能超过64个字符")])
    real_name = StringField("姓名", validators=[DataRequired(REQUIRED), Length(max=30, message="不能超过30个字符")])
    phone = StringField("手机号码（选填）", validators=[Optional(), Length(max=20, message="不能超过20个字符")])
    role = SelectField("角色", validators=[DataRequired(REQUIRED)])
    organization_id = SelectField("所属机构", coerce=int, validators=[DataRequired(REQUIRED)])
    password = PasswordField("初始密码", validators=[DataRequired(REQUIRED), Length(max=128, message="不能超过128个字符")])


class PasswordChangeForm(ChineseForm):
    current = PasswordField("当前密码", validators=[DataRequired(REQUIRED), Length(max=128, message="不能超过128个字符")])
    new = PasswordField("新密码", validators=[DataRequired(REQUIRED), Length(max=128, message="不能超过128个字符")])
    confirm = PasswordField("确认新密码", validators=[DataRequired(REQUIRED), EqualTo("new", "两次输入的密码不一致")])


class ConfirmPasswordForm(ChineseForm):
    password = PasswordField("密码", validators=[DataRequired(REQUIRED), Length(max=128, message="不能超过128个字符")])


def attach_field_errors(form: FlaskForm, details: dict[str, list[str]]) -> None:
    """Show a service's field-level messages beside the matching form fields."""
    for field_name, messages in details.items():
        field = getattr(form, field_name, None)
        if field is None:
            form.form_errors.extend(messages)
        else:
            field.errors = list(field.errors) + messages


def select_choices(pairs) -> list[SelectChoice]:
    """WTForms 3.3+ wants SelectChoice objects rather than (value, label) tuples."""
    return [SelectChoice(str(value), label) for value, label in pairs]

