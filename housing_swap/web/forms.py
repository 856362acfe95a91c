"""WTForms for the account pages. Field rules live in the services; forms only parse."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

REQUIRED = "此项为必填项"


class LoginForm(FlaskForm):
    login = StringField("用户名或手机号", validators=[DataRequired(REQUIRED), Length(max=64, message="不能超过64个字符")])
    password = PasswordField("密码", validators=[DataRequired(REQUIRED), Length(max=128, message="不能超过128个字符")])


class RegistrationForm(FlaskForm):
    real_name = StringField("真实姓名", validators=[DataRequired(REQUIRED), Length(max=30, message="不能超过30个字符")])
    phone = StringField("手机号码", validators=[DataRequired(REQUIRED), Length(max=20, message="不能超过20个字符")])
    id_number = StringField(
        "身份证号（选填，申请换房前须补充）", validators=[Optional(), Length(max=18, message="身份证号应为18位")]
    )
    password = PasswordField("密码", validators=[DataRequired(REQUIRED), Length(max=128, message="不能超过128个字符")])
    confirm = PasswordField(
        "确认密码", validators=[DataRequired(REQUIRED), EqualTo("password", "两次输入的密码不一致")]
    )
