"""Login and password forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

MIN_PASSWORD_LENGTH = 8


class LoginForm(FlaskForm):
    username = StringField(
        _l("用户名"), validators=[DataRequired(_l("请输入用户名。")), Length(max=60)]
    )
    password = PasswordField(
        _l("密码"), validators=[DataRequired(_l("请输入密码。")), Length(max=200)]
    )
    submit = SubmitField(_l("登录"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("当前密码"), validators=[DataRequired(_l("请输入当前密码。"))]
    )
    new_password = PasswordField(
        _l("新密码"),
        validators=[
            DataRequired(_l("请输入新密码。")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=_l("新密码至少 %(n)s 位。", n=MIN_PASSWORD_LENGTH),
            ),
        ],
    )
    confirm = PasswordField(
        _l("再输一遍新密码"),
        validators=[
            DataRequired(_l("请再输一遍新密码。")),
            EqualTo("new_password", message=_l("两次输入的新密码不一致。")),
        ],
    )
    submit = SubmitField(_l("修改密码"))

    def validate_new_password(self, field) -> None:
        value = field.data or ""
        kinds = sum(
            [
                any(c.isdigit() for c in value),
                any(c.isalpha() and c.isascii() and c.islower() for c in value),
                any(c.isalpha() and c.isascii() and c.isupper() for c in value),
                any(not c.isalnum() for c in value),
            ]
        )
        if kinds < 2:
            raise ValidationError(_l("新密码须包含字母、数字、符号中的至少两类。"))
        if value == (self.current_password.data or ""):
            raise ValidationError(_l("新密码不能与当前密码相同。"))
