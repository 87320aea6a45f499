"""Fixed vocabularies, stored as their string values; labels are translated at render time."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class LabeledEnum(StrEnum):
    """A string enum whose members carry a translated label."""

    @property
    def label(self) -> str:
        return str(ENUM_LABELS[(type(self).__name__, self.value)])

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls]


class Role(LabeledEnum):
    DELEGATE = "delegate"
    STAFF = "staff"
    ADMIN = "admin"


class Gender(LabeledEnum):
    MALE = "male"
    FEMALE = "female"


class Level(LabeledEnum):
    NATIONAL = "national"
    PROVINCIAL = "provincial"
    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"


class DelegateType(LabeledEnum):
    GOVERNMENT = "government"
    ENTREPRENEUR = "entrepreneur"
    TECHNICAL = "technical"
    GRASSROOTS = "grassroots"


class DelegationKind(LabeledEnum):
    DISTRICT = "district"
    COUNTY = "county"
    NEW_AREA = "new_area"


class StationKind(LabeledEnum):
    HOME = "home"
    LIAISON = "liaison"
    LEGISLATIVE_POINT = "legislative_point"


class ActivityStatus(LabeledEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"


class VisitTargetKind(LabeledEnum):
    HOUSEHOLDS = "households"
    ENTERPRISE = "enterprise"
    PROJECT = "project"


class RaisedByKind(LabeledEnum):
    CITIZEN = "citizen"
    ENTERPRISE = "enterprise"


class ConcernStatus(LabeledEnum):
    OPEN = "open"
    REFERRED = "referred"
    RESOLVED = "resolved"
    UNRESOLVABLE = "unresolvable"
    FED_BACK = "fed_back"


class ProposalStatus(LabeledEnum):
    SUBMITTED = "submitted"
    REGISTERED = "registered"
    NOT_REGISTERED = "not_registered"
    ASSIGNED = "assigned"
    HANDLING = "handling"
    REPLIED = "replied"
    CLOSED = "closed"


class ProposalOutcome(LabeledEnum):
    """How a handling body's reply classes the proposal (A solved … D kept for reference)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"


class Rating(LabeledEnum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    UNSATISFIED = "unsatisfied"


class ConcernResolution(LabeledEnum):
    RESOLVED = "resolved"
    UNRESOLVABLE = "unresolvable"


ENUM_LABELS = {
    ("Role", "delegate"): _l("代表"),
    ("Role", "staff"): _l("工作人员"),
    ("Role", "admin"): _l("管理员"),
    ("Gender", "male"): _l("男"),
    ("Gender", "female"): _l("女"),
    ("Level", "national"): _l("全国人大代表"),
    ("Level", "provincial"): _l("省人大代表"),
    ("Level", "city"): _l("市人大代表"),
    ("Level", "county"): _l("区县人大代表"),
    ("Level", "township"): _l("乡镇人大代表"),
    ("DelegateType", "government"): _l("党政机关代表"),
    ("DelegateType", "entrepreneur"): _l("企业家代表"),
    ("DelegateType", "technical"): _l("专业技术代表"),
    ("DelegateType", "grassroots"): _l("基层代表"),
    ("DelegationKind", "district"): _l("区"),
    ("DelegationKind", "county"): _l("县"),
    ("DelegationKind", "new_area"): _l("国家级新区"),
    ("StationKind", "home"): _l("代表之家"),
    ("StationKind", "liaison"): _l("代表联络站"),
    ("StationKind", "legislative_point"): _l("基层立法联系点"),
    ("ActivityStatus", "draft"): _l("草稿"),
    ("ActivityStatus", "submitted"): _l("已提交"),
    ("ActivityStatus", "returned"): _l("已退回"),
    ("ActivityStatus", "approved"): _l("已通过"),
    ("VisitTargetKind", "households"): _l("群众/住户"),
    ("VisitTargetKind", "enterprise"): _l("企业"),
    ("VisitTargetKind", "project"): _l("项目"),
    ("RaisedByKind", "citizen"): _l("群众"),
    ("RaisedByKind", "enterprise"): _l("企业"),
    ("ConcernStatus", "open"): _l("待处理"),
    ("ConcernStatus", "referred"): _l("已转办"),
    ("ConcernStatus", "resolved"): _l("已解决"),
    ("ConcernStatus", "unresolvable"): _l("无法解决"),
    ("ConcernStatus", "fed_back"): _l("已反馈"),
    ("ProposalStatus", "submitted"): _l("已提交"),
    ("ProposalStatus", "registered"): _l("已立案"),
    ("ProposalStatus", "not_registered"): _l("不予立案"),
    ("ProposalStatus", "assigned"): _l("已交办"),
    ("ProposalStatus", "handling"): _l("办理中"),
    ("ProposalStatus", "replied"): _l("已答复"),
    ("ProposalStatus", "closed"): _l("已办结"),
    ("ProposalOutcome", "A"): _l("A 类：已解决"),
    ("ProposalOutcome", "B"): _l("B 类：正在解决"),
    ("ProposalOutcome", "C"): _l("C 类：列入计划"),
    ("ProposalOutcome", "D"): _l("D 类：留作参考"),
    ("Rating", "satisfied"): _l("满意"),
    ("Rating", "basically_satisfied"): _l("基本满意"),
    ("Rating", "unsatisfied"): _l("不满意"),
    ("ConcernResolution", "resolved"): _l("已解决"),
    ("ConcernResolution", "unresolvable"): _l("无法解决"),
}
