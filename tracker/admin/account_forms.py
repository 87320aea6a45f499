"""Forms of the account pages. Every choice is built from the database for the request and
checked on the server: a posted role, scope or delegate outside them is refused next to its
field, and fields the forms don't have (active, password flags, owner) cannot be set at all."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from ..enums import Role
from ..forms import ChoiceField, RadioChoiceField, strip
from ..models import Delegate, Delegation, User
from .accounts import USERNAME_PATTERN, is_username_taken

NAME_MAX = 60

# The message for each rule the account services enforce (AccountError.code).
REFUSALS = {
    "username_invalid": _l("用户名须为 2–60 位字母、数字或 _ . - @，不含空格和汉字。"),
    "username_taken": _l("该用户名已被使用，请换一个。"),
    "name_missing": _l("请输入姓名。"),
    "scope_not_staff": _l("只有工作人员账号可以限定代表团范围。"),
    "delegate_missing": _l("请选择要关联的代表。"),
    "delegate_not_delegate": _l("只有代表账号可以关联代表。"),
    "delegate_unavailable": _l("该代表已有账号或已不在任，请重新选择。"),
    "role_fixed": _l("代表账号不能改为其他角色，其他账号也不能改为代表账号。"),
    "own_role": _l("不能修改自己的角色。"),
    "last_admin": _l("这是最后一个在用的管理员账号，不能停用，也不能改为其他角色。"),
    "deactivate_self": _l("不能停用自己的账号。"),
    "reset_self": _l("自己的密码请在“修改密码”页修改。"),
}


def _delegation_choices(delegations: Sequence[Delegation]) -> list[tuple[str, str]]:
    return [("", _l("全市（不限代表团）"))] + [(str(d.id), d.name) for d in delegations]


class _ScopedForm(FlaskForm):
    """Role and staff scope, shared by the new and the edit form."""

    display_name = StringField(
        _l("姓名"),
        filters=[strip],
        validators=[
            DataRequired(REFUSALS["name_missing"]),
            Length(max=NAME_MAX, message=_l("最多 %(max)d 字。")),
        ],
    )
    role = RadioChoiceField(_l("角色"), choices=[], validators=[InputRequired(_l("请选择角色。"))])
    delegation = ChoiceField(_l("工作人员范围"))

    def _set_delegations(self, delegations: Sequence[Delegation]) -> None:
        self.delegations_by_id = {str(d.id): d for d in delegations}
        self.delegation.choices = _delegation_choices(delegations)

    def validate_delegation(self, field) -> None:
        if field.data and self.role.data != Role.STAFF.value:
            raise ValidationError(REFUSALS["scope_not_staff"])

    @property
    def selected_role(self) -> Role:
        return Role(self.role.data)

    @property
    def selected_delegation(self) -> Delegation | None:
        return self.delegations_by_id.get(self.delegation.data or "")


class NewUserForm(_ScopedForm):
    """新建账号: a staff or admin account, or a delegate's tied to a delegate without one."""

    username = StringField(
        _l("用户名"),
        filters=[strip],
        validators=[
            DataRequired(_l("请输入用户名。")),
            Regexp(USERNAME_PATTERN, message=REFUSALS["username_invalid"]),
        ],
    )
    delegate = ChoiceField(_l("关联的代表"))

    def __init__(
        self,
        *args,
        delegations: Sequence[Delegation],
        delegates: Sequence[Delegate],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.role.choices = Role.choices()
        self._set_delegations(delegations)
        self.delegates_by_id = {str(d.id): d for d in delegates}
        self.delegate.choices = [("", _l("不关联"))] + [
            (str(d.id), _("%(name)s（%(delegation)s）", name=d.name, delegation=d.delegation.name))
            for d in delegates
        ]

    def validate_username(self, field) -> None:
        if field.data and is_username_taken(field.data):
            raise ValidationError(REFUSALS["username_taken"])

    def validate_delegate(self, field) -> None:
        if self.role.data == Role.DELEGATE.value and not field.data:
            raise ValidationError(REFUSALS["delegate_missing"])
        if field.data and self.role.data != Role.DELEGATE.value:
            raise ValidationError(REFUSALS["delegate_not_delegate"])

    @property
    def selected_delegate(self) -> Delegate | None:
        return self.delegates_by_id.get(self.delegate.data or "")


class EditUserForm(_ScopedForm):
    """修改账号: the name, and for staff and admins the role and the staff scope. A delegate
    account's only role choice is 代表."""

    def __init__(self, *args, user: User, delegations: Sequence[Delegation], **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.role == Role.DELEGATE:
            # not asked on the page: it can only stay 代表
            self.role.choices = [(Role.DELEGATE.value, Role.DELEGATE.label)]
            self.role.validators = [Optional()]
        else:
            self.role.choices = [(r.value, r.label) for r in (Role.STAFF, Role.ADMIN)]
        self._set_delegations(delegations)


class DelegateAccountsForm(FlaskForm):
    """为代表开户: every delegate without an account, or those of one delegation."""

    delegation = ChoiceField(_l("为哪些代表开户"))

    def __init__(self, *args, delegations: Sequence[Delegation], missing: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.delegations_by_id = {str(d.id): d for d in delegations}
        self.missing_total = sum(missing.values())
        self.delegation.choices = [("", _("全部代表团（%(n)s 人）", n=self.missing_total))] + [
            (str(d.id), _("%(name)s（%(n)s 人）", name=d.name, n=missing.get(d.id, 0)))
            for d in delegations
        ]

    @property
    def selected_delegation(self) -> Delegation | None:
        return self.delegations_by_id.get(self.delegation.data or "")
