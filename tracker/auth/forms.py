"""Login and password forms."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from .passwords import password_problems


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
            Length(max=200, message=_l("新密码最多 200 位。")),
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

    def __init__(self, *args, username: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.username = username  # the policy forbids it inside the new password

    def validate_new_password(self, field) -> None:
        # Every broken rule is listed under the field at once, not one per submission.
        value = field.data or ""
        field.errors.extend(password_problems(value, self.username))
        if value == (self.current_password.data or ""):
            field.errors.append(_("新密码不能与当前密码相同。"))
