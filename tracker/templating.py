"""Template globals: permission predicates, enum labels, formatting."""

from __future__ import annotations

from flask import Flask, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from . import dates, enums, permissions


def url_with(**changes) -> str:
    """The current URL with some query arguments changed (None removes one)."""
    args = request.args.to_dict(flat=True)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def mask_phone(value: str | None) -> str:
    """13912345678 → 139****5678; short numbers keep only their last two digits."""
    digits = "".join(c for c in (value or "") if c.isdigit())
    if not digits:
        return ""
    if len(digits) >= 7:
        return digits[:3] + "****" + digits[-4:]
    return "*" * (len(digits) - 2) + digits[-2:]


ACTION_LABELS = {
    "create": _l("创建"),
    "edit": _l("修改"),
    "submit": _l("提交"),
    "resubmit": _l("重新提交"),
    "delete": _l("删除"),
    "approve": _l("审核通过"),
    "return": _l("退回"),
    "reopen": _l("重新打开"),
    "register": _l("立案"),
    "not_register": _l("不予立案"),
    "assign": _l("交办"),
    "start_handling": _l("开始办理"),
    "reply": _l("答复"),
    "rate": _l("评价"),
    "urge": _l("督办"),
    "close": _l("办结"),
    "refer": _l("转办"),
    "resolve": _l("办结（已解决）"),
    "mark_unresolvable": _l("办结（无法解决）"),
    "feed_back": _l("反馈群众"),
    "retire": _l("停用"),
    "restore": _l("恢复使用"),
    "exemplary": _l("列为典型案例"),
    "not_exemplary": _l("取消典型案例"),
    "load": _l("载入"),
    "activate": _l("设为当前"),
    "attach": _l("上传附件"),
    "detach": _l("删除附件"),
    "reveal_phone": _l("查看完整电话"),
    "anonymise_contacts": _l("按保存期限删除联系方式"),
}


def action_label(action: str) -> str:
    """The translated name of an audited action."""
    return str(ACTION_LABELS.get(action, action))


def state_labels(enum_cls) -> dict[str, str]:
    """value → translated label, for showing audited states."""
    return {member.value: member.label for member in enum_cls}


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        can_view_activity=permissions.can_view_activity,
        can_edit_activity=permissions.can_edit_activity,
        can_log_activity=permissions.can_log_activity,
        can_view_all_activities=permissions.can_view_all_activities,
        can_administer=permissions.can_administer,
        ActivityStatus=enums.ActivityStatus,
        url_with=url_with,
        action_label=action_label,
        state_labels=state_labels,
        enums=enums,
        can_review_activity=permissions.can_review_activity,
        can_view_proposal=permissions.can_view_proposal,
        can_handle_proposal=permissions.can_handle_proposal,
        can_rate_proposal=permissions.can_rate_proposal,
        can_view_concern=permissions.can_view_concern,
        can_handle_concern=permissions.can_handle_concern,
        is_staff_in_scope=permissions.is_staff_in_scope,
        period_label=dates.period_label,
    )

    @app.context_processor
    def unread_notifications():
        from flask_login import current_user

        from .notifications.services import unread_count

        def count() -> int:
            if current_user and current_user.is_authenticated:
                return unread_count(current_user)
            return 0

        def staff_todo():
            if not (current_user and current_user.is_authenticated and current_user.is_staff):
                return None
            from .dates import local_today
            from .permissions import scope_for
            from .reports.queries import staff_todo_counts

            return staff_todo_counts(scope_for(current_user), local_today())

        def delegate_todo():
            if not (current_user and current_user.is_authenticated and current_user.is_delegate):
                return None
            from .permissions import scope_for
            from .reports.queries import delegate_todo_counts

            return delegate_todo_counts(scope_for(current_user))

        return {
            "unread_notifications": count,
            "staff_todo": staff_todo,
            "delegate_todo": delegate_todo,
        }

    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["mask_phone"] = mask_phone
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
