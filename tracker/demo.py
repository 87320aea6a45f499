"""Demo data: stations, delegates, accounts and months of activities that read like Lanzhou.

Everything is drawn from ``random.Random(seed)`` and the given ``today``, so a seed always
gives the same dataset. :func:`generate_demo` flushes; ``flask demo`` commits.
"""

from __future__ import annotations

import random
import sys
import time
import unicodedata
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from .activities import rollups
from .campaigns.loader import CampaignFileError, active_campaign, load_campaign
from .dates import add_months, local_today
from .enums import (
    ActivityStatus,
    ConcernResolution,
    ConcernStatus,
    DelegateType,
    DelegationKind,
    Gender,
    Level,
    ProposalOutcome,
    ProposalStatus,
    RaisedByKind,
    Rating,
    Role,
    StationKind,
    VisitTargetKind,
)
from .extensions import db
from .models import (
    Activity,
    Campaign,
    Concern,
    Delegate,
    Delegation,
    HandlingBody,
    Proposal,
    ProposalReply,
    Station,
    User,
)
from .people.services import create_user

DEMO_PASSWORD = "Demo@2023"  # noqa: S105 - printed on purpose: it only guards demo data
DEMO_USERNAMES = ("admin", "staff", "staff_cg", "daibiao", "qiye")
BATCH_SIZE = 500


def _words(text: str) -> list[str]:
    return text.split()


def _lines(text: str) -> list[list[str]]:
    return [line.split("|") for line in text.strip().splitlines()]


def _weights(text: str, cast: type = int) -> dict[str, Any]:
    """``"a 3 b 1"`` → ``{"a": 3, "b": 1}``."""
    words = text.split()
    return {key: cast(value) for key, value in zip(words[::2], words[1::2], strict=True)}


def _table(text: str) -> dict[str, dict[str, int]]:
    return {row[0]: _weights(row[1]) for row in _lines(text)}


def _numbers(text: str) -> dict[str, list[int]]:
    return {row[0]: [int(w) for w in row[1].split()] for row in _lines(text)}


# --- places --------------------------------------------------------------------------------------
# code|share of delegates|local specialty|streets and townships; the first three hold the
# 代表之家, the 代表联络站 and the 基层立法联系点
PLACES = {
    row[0]: row[1:]
    for row in _lines("""
chengguan|24|花卉|皋兰路街道 雁南街道 酒泉路街道 张掖路街道 伏龙坪街道 白银路街道 东岗西路街道 团结新村街道 盐场路街道 渭源路街道 拱星墩街道 嘉峪关路街道 火车站街道 草场街街道 靖远路街道 广武门街道 焦家湾街道 雁北街道 青白石街道
qilihe|14|百合|敦煌路街道 西湖街道 八里镇 建兰路街道 西站街道 西园街道 秀川街道 龚家湾街道 土门墩街道 晏家坪街道 彭家坪镇 阿干镇 西果园镇 黄峪镇 魏岭乡
xigu|11|设施蔬菜|西固城街道 先锋路街道 陈坪街道 福利路街道 四季青街道 临洮街街道 西柳沟街道 新城镇 东川镇 河口镇 达川镇 柳泉镇 金沟乡
anning|10|白凤桃|培黎街道 十里店街道 刘家堡街道 西路街道 沙井驿街道 孔家崖街道 银滩路街道 安宁堡街道
honggu|7|设施蔬菜|海石湾镇 窑街街道 华龙街道 下窑街道 矿区街道 红古镇 平安镇 花庄镇
yongdeng|9|苦水玫瑰|城关镇 红城镇 苦水镇 中堡镇 武胜驿镇 河桥镇 连城镇 大同镇 龙泉寺镇 柳树镇 七山乡
gaolan|6|软儿梨|石洞镇 忠和镇 什川镇 九合镇 水阜镇 黑石镇
yuzhong|11|高原夏菜|城关镇 夏官营镇 和平镇 金崖镇 定远镇 连搭镇 来紫堡乡 清水驿乡 小康营乡 甘草店镇 青城镇 新营镇 高崖镇
lanzhou-new-area|8|设施农业|中川镇 秦川镇 西岔镇 上川镇 树屏镇
""")
}
STATION_TEXT = {  # name suffix, code part, where in the street's service centre
    StationKind.HOME: ("代表之家", "home", "党群服务中心二楼"),
    StationKind.LIAISON: ("代表联络站", "liaison", "便民服务中心一楼"),
    StationKind.LEGISLATIVE_POINT: ("基层立法联系点", "legislative", "综合服务中心三楼"),
}
COMMUNITIES = _words(
    "和平 幸福 东风 建设 团结 新华 光明 康乐 安居 金港 南关 北园 五星 兴隆 永安 嘉园 滨河 华林 宏安 友谊 民主 红星 阳光 丰泽"
)
VILLAGES = _words(
    "袁家营 李家庄 张家湾 王家台 马家坪 何家营 陈家庄 刘家沟 杨家岘 白家庄 韩家河 周家窑 魏家坪 孙家台 赵家铺 苏家堡 金家崖 新庄 上庄 下川 红柳沟 大湾"
)
PROJECTS = _words(
    "{d}{s}老旧小区改造项目 {d}城市更新片区改造项目 {d}{s}农贸市场提升改造项目 {d}污水处理厂提标改造工程 {d}{s}九年制学校新建工程 {d}高标准农田建设项目 {d}智慧停车场建设项目 {d}{s}社区嵌入式养老服务中心 {d}城乡供水一体化工程 {d}{s}背街小巷改造工程"
)
LAWS = _words(
    "《兰州市物业管理条例（修订草案）》 《兰州市养犬管理条例（修订草案）》 《兰州市电动自行车管理条例（草案）》 《兰州市市容和环境卫生管理条例（修订草案）》 《兰州市历史文化名城保护条例（草案）》 《兰州市黄河风情线管理条例（草案）》 《甘肃省乡村振兴促进条例（草案）》 《兰州市居家养老服务条例（草案）》"
)

# --- people --------------------------------------------------------------------------------------
SURNAMES = _weights(
    "王 8 李 8 张 8 刘 7 马 9 陈 5 杨 6 赵 5 黄 2 周 3 吴 3 白 3 韩 3 徐 2 孙 3 朱 2 胡 2 郭 3 何 3 高 3 罗 2 魏 3 苏 2 丁 2 田 2 董 2 袁 2 蔡 1 杜 2 金 1 范 1 汪 2 贾 2 雷 1 牛 1 包 1 石 2 段 1 沙 1 冶 1 喇 1 任 2 姚 1 谢 1 宋 1 唐 1 许 1 邓 1 冯 2 曹 2 彭 1 蒋 1"
)
MALE_CHARS = (
    "建国伟军强斌涛鹏刚明辉勇杰峰海志永宏文俊磊晓亮平华东新成林超鑫浩宇博凯旭忠福德学彦武云天正荣"
)
FEMALE_CHARS = "秀兰芳娟丽敏静燕霞红梅玲琴英萍慧婷雪洁玉琳艳晶莉蓉倩丹佳欣悦春桂珍"
PHONE_PREFIXES = _words(
    "139 138 137 136 135 150 151 152 158 159 186 187 188 189 133 153 177 180 181 199"
)
FIRMS = _words(
    "金城 陇原 黄河 丝路 西部 陇上 华源 恒通 鑫达 瑞丰 宏源 金泰 德盛 天庆 万佳 众邦 兴陇 陇海 中天 汇通 博瑞 长城 金穗 新丝路"
)
INDUSTRIES = _words(
    "机械制造 石化装备 新材料科技 生物医药 电子科技 物流 建筑工程 食品 百合食品 牛肉面餐饮管理 文化旅游发展 农业科技 智能装备 新能源科技 环保科技 供应链管理 精细化工 铝业 药业 商贸"
)
ENTREPRENEUR_TITLES = _words("董事长 总经理 执行董事 党支部书记、董事长 董事长、总经理")
TYPE_SHARES = _weights("government 25 entrepreneur 25 technical 20 grassroots 30")
FEMALE_SHARE = _weights("government .3 entrepreneur .25 technical .4 grassroots .45", float)
LEVEL_WEIGHTS = _weights("national 2 provincial 6 city 42 county 40 township 10")
STATION_WEIGHTS = _weights("home 50 liaison 35 legislative_point 15")
# "work unit|job title"; {gov}/{vice}/{s_unit}/{s_head}/{s_party} depend on the place
JOBS = {
    k: _lines(v)
    for k, v in {
        "government": """{gov}|{vice}
{d}{s}{s_party}|书记
{d}{s}{s_unit}|{s_head}
{d}发展和改革局|局长
{d}教育局|副局长
{d}卫生健康局|局长
{d}住房和城乡建设局|副局长
{d}市场监督管理局|局长
{d}农业农村局|局长
兰州市工业和信息化局|副局长
兰州市生态环境局|副局长
兰州市人力资源和社会保障局|副局长""",
        "technical": """兰州大学第一医院|主任医师
兰州大学第二医院|副主任医师
甘肃省人民医院|主任医师
兰州市第一人民医院|副院长、主任医师
{d}人民医院|主任医师
兰州大学|教授
兰州理工大学|教授
兰州交通大学|副教授
西北师范大学|教授
中国科学院兰州化学物理研究所|研究员
甘肃省农业科学院|研究员
兰州市农业科技研究推广中心|高级农艺师
兰州市第一中学|高级教师
{d}疾病预防控制中心|主任医师
甘肃{firm}律师事务所|主任、律师
兰州石化公司|高级工程师""",
    }.items()
}
GRASSROOTS_JOBS_STREET = _lines("""{d}{s}{c}|党委书记
{d}{s}{c}居委会|主任
{d}{s}{c}|网格员
兰州公交集团|驾驶员
{d}环境卫生服务中心|环卫工人
{e}|车间主任
{d}{s}个体工商户|经营者""")
GRASSROOTS_JOBS_VILLAGE = _lines("""{d}{s}{v}|党支部书记、村委会主任
{d}{s}{v}|村民
{d}{s}{v}{crop}种植专业合作社|理事长
{d}{s}{v}卫生室|乡村医生
{d}{s}中心小学|教师""")
CITIZEN_SUFFIXES = ("大爷", "阿姨", "师傅", "女士", "先生", "大姐")

# --- activity text: "title|place|description|outcome"; a place of {station} means the station ---
# visit and enterprise-service lines start with the target: h households, e enterprise, p project
TEMPLATES = {
    k: _lines(v)
    for k, v in {
        "visit": """h|走访{loc}困难群众|{loc}|走访{loc}低保户、独居老人等{hh}户家庭，了解冬季取暖、就医和生活保障情况，逐户登记实际困难。|对{hh}户家庭的困难逐一登记，协调社区落实临时救助，其余问题已向{s}反映。
h|入户走访{loc}独居老人|{loc}|与网格员一起入户看望独居和高龄老人，询问助餐、助医需求，宣传居家养老服务政策。|建立走访台账，推动开通老年助餐送餐服务。
h|走访{loc}老旧小区居民|{loc}|针对老旧小区改造后的管理问题，走访楼栋长和居民，听取对停车、绿化、物业收费的意见。|整理居民意见{n}条，已转交{s}和物业企业研究解决。
h|到{loc}听取加装电梯意见|{loc}|就老旧楼院加装电梯问题召集{hh}户住户座谈，了解资金分摊、低层住户顾虑等情况。|推动形成分摊方案初稿，协调住建部门上门讲解补贴政策。
h|走访{loc}种植户了解{crop}产销情况|{loc}|深入田间地头走访{crop}种植户，了解今年产量、价格和销售渠道，听取对冷链仓储、技术培训的需求。|收集种植户意见{n}条，联系农业部门安排技术培训一次。
h|走访{loc}脱贫监测户|{loc}|入户核实{hh}户脱贫监测户收入、务工和医疗保障情况，宣传防返贫政策。|帮助有劳动能力的家庭对接就业岗位，持续跟踪。
h|与{loc}群众面对面交流|{loc}|在广场设立“代表接待点”，与群众面对面交流，围绕出行、物业、环境卫生等问题听取意见。|现场解答政策咨询{people}人次，需转办事项已登记跟踪。
h|走访{loc}外卖骑手和快递员|{loc}|走访新就业形态劳动者，了解社保参保、休息场所和交通安全方面的困难。|推动设立“暖新驿站”，相关诉求已反映给人社部门。
h|走访{loc}退役军人家庭|{loc}|走访退役军人和军属家庭{hh}户，了解就业创业和优待政策落实情况。|协调退役军人服务站对接就业岗位，宣传优待政策。
h|走访{loc}残疾人家庭|{loc}|走访残疾人家庭，了解康复服务、辅具适配和就业帮扶情况。|对接残联为{hh}户申请辅具适配，跟进康复服务。
h|走访{loc}留守儿童家庭|{loc}|与学校老师一起走访留守儿童家庭，了解课后看护、心理关爱和营养餐情况。|推动儿童之家延长开放时间，联系志愿者开展课业辅导。
h|走访{loc}了解人居环境整治|{loc}|走访群众，查看垃圾收运、公厕和道路硬化情况，听取对人居环境整治的意见。|问题清单已交{s}，约定一个月后回访。
e|走访{e}了解生产经营情况|{e}|到生产车间和仓库实地察看，与企业负责人座谈，了解订单、用工、融资和物流成本情况。|梳理企业困难{n}项，已按“双千行动”要求报送相关部门协调。
e|走访{e}听取惠企政策落实意见|{e}|与企业管理层交流强省会惠企政策的享受情况，了解政策申报中的堵点。|帮助企业完成一项政策申报，其余意见汇总上报。
e|到{e}了解用工需求|{e}|了解企业技术工人短缺情况和招聘渠道，听取对职业培训、人才公寓的建议。|联系职业院校开展订单式培养对接。
e|走访{e}了解融资难题|{e}|就流动资金紧张、贷款抵押物不足等问题与企业财务负责人深入交流。|协调银行上门对接，推荐申报创业担保贷款。
e|走访{e}及周边商户|{s}|走访{e}和{s}沿街商户，了解房租、客流和经营成本情况。|宣传小微企业减税降费政策，收集意见{n}条。
p|走访{p}现场|{p}|到项目现场了解建设进度，听取施工单位和周边群众对施工扰民、交通组织的意见。|推动施工单位调整夜间施工时段，设置临时便民通道。
p|了解{p}征迁群众安置情况|{p}|走访项目涉及的征迁群众，了解补偿款发放和过渡安置情况。|将群众关于安置房交付时间的诉求反映给{d}政府。
p|走访{p}了解要素保障|{p}|与项目业主方座谈，了解用地审批、用水用电接入等要素保障情况。|协调相关部门召开现场办公会，推动问题解决。""",
        "enterprise-service": """e|为{e}协调用电增容|{e}|企业扩产后用电负荷不足，到企业了解情况后联系供电部门现场勘查。|供电部门已制定增容方案，预计一个月内完成。
e|“双千行动”走进{e}|{e}|按照“双千行动”安排，与包抓部门一起走访企业，逐项梳理企业诉求。|形成问题清单{n}项，明确责任单位和办结时限。
e|帮助{e}对接金融机构|{e}|组织银行信贷人员与企业面对面洽谈，介绍普惠金融产品。|企业获得授信意向，后续跟踪放款进度。
e|为{e}解读强省会惠企政策|{e}|向企业逐条解读强省会行动中关于技术改造、稳岗扩岗的扶持政策，辅导准备申报材料。|企业已提交技术改造补助申报材料。
e|协调{e}物流运输难题|{e}|企业反映货车进城受限、运输成本高，会同交通部门现场办公。|为企业办理货车通行证，优化配送路线。
e|帮助{e}招引配套企业|{e}|发挥行业资源优势，为企业引荐上下游配套企业来兰考察洽谈。|两家配套企业完成实地考察，正在商谈合作。
e|为{e}对接高校科研团队|{e}|企业面临工艺升级瓶颈，牵线兰州理工大学科研团队到企业交流。|双方签订技术合作意向书。
e|了解{e}技能培训需求|{e}|与企业人事负责人座谈，了解一线岗位缺工和技能培训需求。|联系人社部门安排一期专项职业技能培训。
e|帮助{e}解决厂区道路积水|{e}|企业反映园区道路排水不畅、雨天积水影响运输，现场察看后向园区管理部门反映。|园区已将排水改造列入近期计划。
p|服务{p}建设|{p}|了解项目审批手续办理进度，帮助协调施工用水、临时用地等问题。|推动相关手续并联审批，缩短办理时间。
p|为{p}协调施工难题|{p}|项目因管线迁改滞后，召集建设、施工和管线单位现场协调。|明确管线迁改时间表，项目恢复正常施工。""",
        "station-reception": """在{station}接待选民|{station}|开展代表接待日活动，接待来访群众{people}人次，听取对城市管理、民生保障等方面的意见建议。|现场答复政策咨询，需协调事项已登记转办。
代表接待日：倾听群众心声|{station}|按轮值安排在站值班接待，群众反映的问题集中在物业管理和停车难。|对问题分类登记，约请{s}和物业企业到站面对面答复。
在{station}开展“民情恳谈会”|{station}|邀请居民代表、物业企业、社区干部围坐恳谈，就小区治理难题共商对策。|形成共识{n}条，纳入社区议事清单。
{station}接待企业代表|{station}|接待辖区企业负责人来访，听取对营商环境、政务服务效率的意见。|企业诉求已转交{d}营商环境部门。
在{station}接待来访群众|{station}|接待群众来访{people}人次，内容涉及就业、医保报销和子女入学。|当场解答大部分问题，其余登记后转相关部门。
“代表进家站、履职在一线”集中接待|{station}|与其他代表一起集中接待群众，发放强省会行动宣传资料。|收集意见建议{n}条。
代表联络站夜间接待|{station}|针对上班族白天来访不便，开展夜间接待。|接待群众{people}人次，反映问题已全部登记。
就老旧小区改造听取意见|{station}|邀请改造小区居民到站座谈，听取对改造内容、施工质量的意见。|意见已反馈{s}改造项目办公室。
养老服务专题接待|{station}|围绕居家养老、老年助餐等问题开展专题接待，邀请民政部门工作人员一同答疑。|推动增设助餐点一处。
接待农民工工资问题咨询|{station}|接待农民工反映工资拖欠问题，讲解根治欠薪相关规定。|联系劳动保障监察部门介入处理。""",
        "legislative-input": """征集对{law}的意见|{station}|组织居民、律师、社区干部座谈，逐条讨论{law}。|整理意见建议{n}条，报市人大常委会法制工作委员会。
就{law}开展问卷调查|{station}|入户发放问卷和线上问卷相结合，征求群众对{law}的意见。|回收有效问卷{people}份，形成意见汇总。
组织企业讨论{law}|{station}|邀请辖区企业负责人围绕{law}中涉及企业的条款发表意见。|汇总企业意见{n}条上报。
召开{law}立法座谈会|{station}|召开立法座谈会，邀请物业企业、业委会代表和居民参加。|原汁原味记录群众意见，已通过联系点报送。
走村入户征集{law}意见|{station}|用群众听得懂的话讲解{law}主要内容，听取群众意见。|收集意见{n}条，已整理报送。
组织青年讨论{law}|{station}|组织青年志愿者、大学生座谈，收集对{law}的看法。|形成书面意见一份。
征集{law}意见并开展普法宣传|{station}|结合立法意见征集，向群众宣传相关法律法规。|发放宣传资料{people}份，收集意见{n}条。""",
        "study": """学习党的二十大精神|{rd}会议室|参加集中学习，深入学习党的二十大报告和新修改的代表法。|撰写学习体会一篇。
学习《甘肃省强省会行动实施方案》|{station}|学习强省会行动实施方案，结合本职工作讨论如何落实。|明确本人履职重点三项。
参加代表履职能力培训|兰州市人大常委会机关|参加代表履职培训班，学习代表建议撰写和审议发言要点。|完成培训并提交心得体会。
学习习近平总书记对甘肃重要讲话精神|{rd}会议室|专题学习习近平总书记对甘肃重要讲话重要指示批示精神。|结合工作交流发言。
代表小组集中学习|{station}|集中学习省委、市委关于强省会行动的决策部署，交流履职打算。|代表小组确定本季度走访计划。
学习“七个加力”“十二个建设”工作部署|线上|通过线上学习平台学习市委“七个加力”“十二个建设”工作部署。|完成全部学习内容。
参加强省会行动专题报告会|兰州市人大常委会机关|聆听强省会行动专题辅导报告，学习相关政策文件。|记录学习笔记，向所在单位职工传达。
学习《中华人民共和国全国人民代表大会和地方各级人民代表大会代表法》|{station}|逐章学习代表法，重点学习代表联系群众的相关规定。|进一步明确代表权利和义务。""",
        "inspection": """参加{p}集中视察|{p}|参加人大常委会组织的集中视察，实地察看项目建设进度，听取情况汇报。|在座谈会上发言，提出意见{n}条。
视察{d}老旧小区改造工作|{d}{s}|实地察看改造小区，听取住建部门情况汇报。|建议加快配套设施建设，同步建立长效管理机制。
视察黄河兰州段生态保护治理|黄河风情线|察看河道整治、岸线绿化和排污口治理情况。|就支沟治理责任落实提出意见。
视察{d}营商环境建设|{d}政务服务中心|察看“一窗受理”“一网通办”运行情况，与办事企业交流。|建议进一步压缩审批时限。
视察{d}义务教育学校建设|{d}{s}|察看新建学校施工进度和学位供给情况。|建议确保秋季学期按时投用。
视察{d}基层医疗卫生服务|{s}卫生服务中心|察看诊疗、药品配备和家庭医生签约服务开展情况。|就补齐全科医生短板提出建议。
视察{d}背街小巷整治|{d}{s}|察看背街小巷路面修缮、管网改造和环境卫生情况。|建议完善后续管护机制。
视察{d}高标准农田建设|{d}{s}|察看高标准农田建设质量和灌溉设施运行情况。|建议明确建后管护责任主体。
视察兰州新区产业园区发展|兰州新区|察看园区重点企业生产经营和项目建设情况。|就园区配套服务提出意见建议。""",
        "law-inspection": """参加《中华人民共和国食品安全法》执法检查|{d}{s}农贸市场|检查农贸市场和餐饮单位食品安全主体责任落实情况。|指出问题{n}个，已向监管部门反馈。
参加《中华人民共和国大气污染防治法》执法检查|{d}|检查工地扬尘管控、散煤治理和机动车尾气监管情况。|建议加大城乡接合部散煤治理力度。
参加《中华人民共和国黄河保护法》执法检查|黄河兰州段|检查河道管理、水资源节约集约利用和岸线保护情况。|提出加强执法协作的意见。
参加《甘肃省安全生产条例》执法检查|{e}|检查企业安全生产责任制落实和隐患排查整治情况。|督促企业完成整改{n}项。
参加《中华人民共和国未成年人保护法》执法检查|{d}|察看学校、社区未成年人保护工作开展情况。|建议加强校园周边环境治理。
参加《兰州市物业管理条例》执法检查|{d}{s}|检查物业服务合同履行、维修资金使用和业主委员会组建情况。|就规范物业收费公示提出意见。""",
        "publicity": """在{loc}宣讲强省会行动|{loc}|以“聚力强省会、代表有作为”为主题，向群众宣讲强省会行动的重大意义和惠民政策。|发放宣传资料{people}份。
进企业宣传惠企政策|{e}|向企业职工宣讲强省会惠企政策和稳岗就业政策。|覆盖职工{people}人。
举办强省会政策宣讲会|{station}|在家站举办政策宣讲会，讲解强省会行动目标任务和惠民举措。|参加群众{people}人，现场答疑。
在微信群宣传强省会行动|线上|在社区、单位微信群转发强省会行动政策解读。|覆盖群众约{people}人。
进校园宣讲强省会行动|{d}{s}中学|为师生讲解强省会行动和家乡发展变化。|参加师生{people}人。
在集市宣传惠民政策|{s}集市|利用赶集日设点宣传医保、养老和惠农政策。|现场解答群众咨询，发放资料{people}份。
向本单位职工宣讲|单位会议室|结合本单位工作向职工宣讲强省会行动部署。|参加职工{people}人。
在{loc}开展“代表讲政策”活动|{loc}|用群众听得懂的话讲解强省会行动带来的发展机遇。|参加群众{people}人。""",
    }.items()
}
# proposals: "focus area|title|suggested handler|content"
PROPOSALS = _lines("""proposal-urban-governance|关于加快老旧小区加装电梯的建议|市住房和城乡建设局|{d}不少老旧小区居民年龄偏大，上下楼困难，加装电梯意愿强烈。但资金分摊难协商、审批环节多、管线迁改费用高，推进较慢。建议简化审批流程，明确管线迁改费用分担办法，并适当提高补贴标准。
proposal-urban-governance|关于缓解中心城区停车难的建议|市公安局交通警察支队|老城区小区车位严重不足，夜间占道停车普遍。建议利用边角地块建设立体停车场，推动机关单位停车场夜间向周边居民错时开放。
proposal-livelihood-improvement|关于扩大社区老年助餐服务覆盖面的建议|市民政局|现有老年食堂多集中在中心社区，偏远社区老人就餐不便。建议采取“中央厨房＋配送”的方式扩大覆盖，对高龄、失能老人给予就餐补贴。
proposal-livelihood-improvement|关于优化公交线网方便群众出行的建议|市交通运输局|部分新建小区和城郊村公交覆盖不足，早晚高峰候车时间长。建议开展公交线网优化调查，增开社区微循环线路，延长末班车时间。
proposal-industry-development|关于支持{crop}产业提质增效的建议|市农业农村局|{crop}是{d}群众增收的重要产业，但冷链仓储不足、精深加工滞后、品牌溢价低。建议支持建设产地冷链设施，培育龙头加工企业，统一打造区域公用品牌。
proposal-industry-development|关于打造兰州牛肉面产业集群的建议|市商务局|兰州牛肉面知名度高，但门店规模小、标准化程度低。建议建设原料集中采购和中央厨房基地，制定地方标准，支持品牌企业连锁化走出去。
proposal-industry-development|关于扶持中小制造企业技术改造的建议|市工业和信息化局|中小制造企业设备老化，技术改造意愿强但资金不足。建议设立技改贴息专项，简化申报程序，对首台（套）装备应用给予奖励。
proposal-project-construction|关于加强兰州新区重大项目要素保障的建议|兰州新区管委会|新区部分项目受用水用电接入、用工不足等因素影响进度。建议建立重大项目要素保障台账，实行专班跟踪和限时办结。
proposal-project-construction|关于提高重点项目审批效率的建议|市发展和改革委员会|项目审批涉及部门多、环节多，前期手续耗时较长。建议推行并联审批和容缺受理，公开办理时限，接受企业监督。
proposal-tech-innovation|关于建设科技成果转化中试基地的建议|市科学技术局|本地高校和科研院所成果丰富，但缺乏中试平台，许多成果到外地转化。建议依托产业园区建设共享中试基地，对本地转化项目给予资金支持。
proposal-tech-innovation|关于支持校企共建研发平台的建议|市科学技术局|企业研发能力弱，高校成果与企业需求对接不畅。建议设立校企联合研发专项，推行“企业出题、院校答题”的合作模式。
proposal-eco-protection|关于加强南北两山绿化管护的建议|市林业局|南北两山绿化成果来之不易，但部分区域灌溉设施老化、管护力量不足。建议加大管护投入，推广节水灌溉，探索社会力量参与认养管护。
proposal-eco-protection|关于加强黄河兰州段支沟治理的建议|市生态环境局|部分支沟存在垃圾倾倒、雨污混流问题，治理责任分散。建议实行支沟“一沟一长”，开展雨污分流改造，建立常态化巡查机制。
proposal-eco-protection|关于推进城乡生活垃圾分类的建议|市城市管理委员会|居民分类投放准确率不高，前端分类与后端收运衔接不够。建议完善小区分类设施，配齐督导员，杜绝“先分后混”。
proposal-urban-governance|关于整治背街小巷环境卫生的建议|{d}人民政府|{d}部分背街小巷路面破损、垃圾清运不及时、管网老化。建议将背街小巷纳入城市更新计划，分批改造并落实网格化保洁。
proposal-livelihood-improvement|关于增加社区卫生服务中心全科医生的建议|市卫生健康委员会|社区卫生服务中心全科医生不足，群众首诊意愿不强。建议扩大全科医生定向培养，提高基层医生待遇，推动三甲医院专家定期下沉坐诊。
proposal-livelihood-improvement|关于完善农村饮水工程管护机制的建议|市水务局|部分村饮水管网老化、冬季冻管频发，管护经费没有稳定来源。建议明确县、乡、村三级管护责任，设立专项维修资金。
proposal-industry-development|关于发展乡村旅游带动农民增收的建议|市文化和旅游局|{d}乡村旅游资源丰富，但产品同质化、配套设施不足。建议统筹规划精品线路，支持农家乐提档升级，加强节会活动宣传推介。
proposal-livelihood-improvement|关于加强新就业形态劳动者权益保障的建议|市人力资源和社会保障局|外卖骑手、网约车司机等群体参保率低、劳动权益保障薄弱。建议推动平台企业依法参保，在社区建设更多“暖新驿站”。
proposal-urban-governance|关于规范电动自行车充电管理的建议|市消防救援支队|电动自行车进楼入户充电问题突出，火灾隐患大。建议在小区集中建设智能充电棚，对老旧小区给予建设补助。
proposal-industry-development|关于破解中小企业融资难的建议|市工业和信息化局|中小企业普遍缺少抵押物，融资难、融资贵。建议扩大政府性融资担保规模，推广知识产权质押和应收账款融资。
proposal-livelihood-improvement|关于扩大普惠性幼儿园学位供给的建议|市教育局|新建小区集中片区学前学位紧张，普惠园收费对部分家庭仍是负担。建议落实小区配套园移交，扩大公办园和普惠园学位。""")
PROPOSAL_DESCRIPTIONS = (
    "在走访{loc}时群众多次反映相关问题，结合调研情况提出此建议。",
    "在“双千行动”服务企业过程中了解到相关困难，经与有关部门初步沟通后形成此建议。",
    "结合本人行业经验和近期调研，围绕强省会行动重点工作提出此建议。",
    "代表小组集体讨论后形成此建议，由本人牵头提出。",
    "在{station}接待群众时收集到相关意见，经整理提出此建议。",
)
PROPOSAL_OUTCOMES = (
    "已提交代表工作机构，建议交{handler}研究办理。",
    "建议已提交，将跟踪承办单位答复情况。",
    "已提交并抄送{rd}，持续跟踪办理进展。",
)
# research: "focus area|topic|findings"
RESEARCH = _lines("""livelihood-security|社区居家养老服务|辖区60岁以上老人占比超过两成，社区助餐点覆盖不足，专业护理人员短缺；部分日间照料中心使用率不高，服务内容与老人需求不匹配。
city-capacity|老旧小区改造后长效管理|改造后多数小区没有专业物业，靠社区兜底，维修资金缺乏来源；停车位划设不足，私搭乱建有反弹。
industry-cultivation|{crop}产业链延伸|种植规模稳定增长，但精深加工不足，冷链仓储缺口较大，品牌溢价低，农户议价能力弱。
tech-innovation|中小企业数字化转型|受访企业多数有转型意愿，但缺资金、缺人才、缺方案，对公共服务平台知晓率不高。
opening-up|中欧班列（兰州）货源组织|回程货源不足、集货成本较高，本地外贸企业对班列运价和时效了解不够。
county-revitalization|{d}乡村振兴产业项目|部分产业项目与村集体经济联结不紧，带动就业有限，后续运营管理能力不足。
ecological-civilization|黄河兰州段支沟治理|部分支沟存在垃圾倾倒和雨污混流，治理责任分散在多个部门，日常巡查不到位。
livelihood-security|义务教育阶段学位供给|新建小区集中片区学位紧张，部分学校大班额问题突出，老城区学校生源下降。
livelihood-security|基层医疗卫生服务能力|社区卫生服务中心全科医生不足，检查设备老化，群众首诊意愿不强。
city-capacity|城市道路交通拥堵治理|高峰拥堵集中在学校和医院周边，公交专用道被占用，支路微循环不畅。
industry-cultivation|兰州牛肉面产业标准化|门店多但规模小，原料采购分散，标准化和连锁化程度低，外地拓展面临品控难题。
tech-innovation|科技成果本地转化|高校和科研院所成果多数流向外地，本地中试平台缺乏，企业承接能力不足。
county-revitalization|农村集体经济发展|多数村集体经营性收入来源单一，依赖资产租赁，缺少懂经营的带头人。
livelihood-security|高校毕业生留兰就业|毕业生留兰意愿受薪酬和发展空间影响较大，对人才公寓、落户等政策知晓率不高。
ecological-civilization|冬季大气污染防治|燃煤散烧大幅减少，但城乡接合部仍有散煤使用，工地扬尘管控存在薄弱环节。
city-capacity|城市生活垃圾分类|居民分类投放准确率不高，前端分类与后端收运衔接不够，小区督导员不足。
opening-up|跨境电商发展|本地跨境电商企业规模偏小，海外仓、物流和专业人才是主要制约。
industry-cultivation|石化产业延链补链|下游精细化工配套不足，园区用地和环境容量趋紧，技术工人结构性短缺。
livelihood-security|农村留守老人关爱服务|留守老人日常照料主要靠邻里，村级互助幸福院运营经费不稳定。""")
RESEARCH_TITLES = (
    "开展{topic}专题调研",
    "{topic}情况调研",
    "就{topic}开展实地调研",
    "参加{rd}{topic}专题调研",
)
RESEARCH_PLACES = ("{d}{s}", "{loc}", "{e}", "{d}")
RESEARCH_DESCRIPTIONS = (
    "围绕{topic}，先后到{loc}、{e}等地实地察看，召开座谈会{n}场，听取部门、企业和群众意见。",
    "采取问卷调查、入户访谈和部门座谈相结合的方式，了解{d}{topic}的现状和问题。",
    "带着问题深入{s}调研，与基层干部和群众面对面交流，摸清{topic}的堵点难点。",
    "结合本职工作，查阅相关资料并赴{d}有关单位调研，对{topic}进行分析研究。",
    "与代表小组其他代表一起，分{n}个组开展{topic}调研，收集第一手资料。",
)
RESEARCH_OUTCOMES = (
    "形成调研报告一篇，提出意见建议{n}条。",
    "调研情况已报送{rd}。",
    "拟据此提出代表建议一件。",
    "调研发现的问题已向有关部门反馈，部门表示将研究改进。",
    "形成问题清单和建议清单，在代表小组会上交流。",
)
# concerns: "category|content|content…"
CONCERNS = [
    [row[0], text]
    for row in _lines("""
housing|小区加装电梯资金分摊难以协商，低层住户不同意|物业公司服务差、收费不透明，业主要求公开账目|老旧小区屋面漏水，维修资金申请程序繁琐|小区供暖温度不达标，夜间室温偏低|安置房迟迟办不下不动产权证
urban-construction|背街小巷路面破损，雨后积水严重|小区周边路灯损坏多日无人维修|建筑工地夜间施工噪音扰民|早市占道经营，垃圾清理不及时|下水管道堵塞反味，多次报修未彻底解决
transport|公交站点距离远，老人出行不便|学校周边上下学时段交通拥堵，缺少临时停车点|希望增开通往中心城区的早班公交|路口红绿灯时长设置不合理，行人过街困难|共享电动车乱停乱放，占用盲道
education|附近幼儿园学位紧张，普惠性幼儿园收费仍偏高|学校课后服务时间与家长下班时间不衔接|希望村小学配齐音体美教师|随迁子女入学材料要求多、办理难
health|社区卫生服务中心缺少儿科医生|慢性病用药在社区医院配不齐|异地就医备案和报销手续不够便捷|村卫生室设备老旧，村医年龄偏大
social-security|高龄津贴申领需要多次跑腿|老年食堂就餐人数多，希望增加供餐点|城乡居民养老保险缴费档次政策不清楚|独居老人缺少日常探访和紧急呼叫设备
employment|大龄失业人员再就业困难，希望多组织技能培训|高校毕业生希望了解本地就业见习岗位|农民工反映工程款被拖欠，工资迟迟未发|灵活就业人员参加社保的渠道不清楚
environment|河道沟渠有人倾倒建筑垃圾|餐饮油烟扰民，多次反映未整改|冬季散煤燃烧造成烟尘污染|小区绿地被占用种菜，影响环境
enterprise|技术改造补助申报流程复杂、材料多|中小企业贷款需要抵押物，融资成本高|用电增容审批时间长，影响扩产|园区配套不完善，员工通勤和就餐不便|部门对企业检查频次偏多，希望合并检查|惠企资金拨付不及时|招不到熟练技术工人，职业培训与企业需求脱节
agriculture|{crop}销售渠道单一，价格波动大|灌溉渠道年久失修，春灌时供水不足|冷链仓储设施不足，鲜菜损耗大|农机购置补贴申请流程不清楚|高标准农田建成后管护责任不明确
community|楼道堆放杂物存在消防隐患|电动自行车进楼入户充电，居民担心安全|流浪犬在小区出没，老人孩子害怕|小区监控设备损坏，夜间安全感差|社区活动场所少，老年人无处活动
other|希望开通更多线上办事渠道，减少跑腿|政务服务热线反映问题后回复不及时
""")
    for text in row[1:]
]
ENTERPRISE_CONCERN_CATEGORIES = {"enterprise", "employment", "transport", "urban-construction"}

# --- how each delegate type spends its time ------------------------------------------------------
KIND_WEIGHTS = _table("""
grassroots|visit 30 station-reception 20 legislative-input 8 proposal 8 research 5 study 8 publicity 10 inspection 4 law-inspection 2 enterprise-service 2
entrepreneur|enterprise-service 25 proposal 15 visit 15 research 8 study 10 inspection 8 publicity 6 law-inspection 3 station-reception 5 legislative-input 3
technical|research 25 proposal 18 enterprise-service 8 visit 10 study 10 inspection 8 law-inspection 5 publicity 6 station-reception 5 legislative-input 5
government|study 22 inspection 18 research 18 law-inspection 8 visit 10 proposal 6 publicity 8 station-reception 6 enterprise-service 4
""")
FOCUS_WEIGHTS = _table("""
government|city-capacity 3 industry-cultivation 2 livelihood-security 2 county-revitalization 2 ecological-civilization 1 opening-up 1
entrepreneur|industry-cultivation 4 opening-up 2 tech-innovation 2 city-capacity 1
technical|tech-innovation 4 industry-cultivation 2 livelihood-security 2 ecological-civilization 1
grassroots|livelihood-security 4 city-capacity 2 county-revitalization 2 ecological-civilization 1
""")
# people reached, lowest and highest, per kind (kinds not named reach nobody)
REACH = _numbers("""
visit|3 40
enterprise-service|2 20
station-reception|5 30
legislative-input|10 60
publicity|20 300
research|5 50
""")
# how many concerns (0, 1, 2, 3) an entry of a kind brings back, as weights
CONCERN_COUNTS = _numbers("""
visit|20 40 28 12
enterprise-service|30 45 20 5
station-reception|10 35 35 20
legislative-input|50 35 15 0
""")
LABEL_WEIGHTS = _weights("golden-idea 3 practical-measure 5 innovative-move 2")
# The demo delegate's own record, oldest first: kind and status (A approved, R returned, S submitted, D draft)
SHOWCASE = [
    w.split(":")
    for w in _words(
        "study:A visit:A station-reception:A visit:A publicity:A visit:A legislative-input:A research:A visit:A station-reception:A proposal:A visit:R station-reception:S proposal:S visit:D"
    )
]
STATUS_CODES = {
    "A": ActivityStatus.APPROVED,
    "R": ActivityStatus.RETURNED,
    "S": ActivityStatus.SUBMITTED,
    "D": ActivityStatus.DRAFT,
}
# the proposal areas each delegate type mostly writes about
PROPOSAL_FOCUS = {
    row[0]: row[1].split()
    for row in _lines("""
grassroots|proposal-urban-governance proposal-livelihood-improvement proposal-eco-protection
entrepreneur|proposal-industry-development proposal-project-construction proposal-tech-innovation
technical|proposal-tech-innovation proposal-industry-development proposal-livelihood-improvement proposal-eco-protection
government|proposal-project-construction proposal-urban-governance proposal-industry-development
""")
}
# whom a visit goes to see: h households, e an enterprise, p a project
TARGET_WEIGHTS = _table("""
grassroots|h 80 e 10 p 10
entrepreneur|e 70 h 15 p 15
technical|h 40 e 40 p 20
government|h 40 e 30 p 30
enterprise-service|e 85 p 15
""")
VISIT_TARGETS = {
    "h": (VisitTargetKind.HOUSEHOLDS, "{loc}群众（{hh}户）"),
    "e": (VisitTargetKind.ENTERPRISE, "{e}"),
    "p": (VisitTargetKind.PROJECT, "{p}"),
}


def _live(rows: list) -> list:
    return [row for row in rows if row.retired_at is None]


def _is_township(street: str) -> bool:
    return street[-1] in "镇乡"


def _street_offices(street: str) -> tuple[str, str, str]:
    """The office of a street or township, its head, and its party committee."""
    if not _is_township(street):
        return "办事处", "主任", "党工委"
    return "人民政府", "乡长" if street.endswith("乡") else "镇长", "党委"


@dataclass
class DemoReport:
    """What :func:`generate_demo` created, and the demo accounts to log in with."""

    delegates: int = 0
    users: int = 0
    stations: int = 0
    activities: int = 0
    concerns: int = 0
    proposals: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)


def generate_demo(
    *, seed: int = 2023, today: date | None = None, delegates: int = 120, months: int = 6
) -> DemoReport:
    """Create stations, delegates, demo accounts and `months` months of activities; flush, never commit."""
    campaign = active_campaign()
    if campaign is None:
        raise ValueError("no active campaign: load one first")
    if delegates < 2 or months < 1:
        raise ValueError("the demo needs at least 2 delegates and 1 month")
    builder = _DemoBuilder(random.Random(seed), campaign, today or local_today())
    return builder.run(delegates, months)


TYPICAL_CASE_NOTES = (
    "走访扎实，群众诉求当场记录、及时转办，办理结果已向群众反馈。",
    "调研深入一线，形成的建议针对性强，已被有关部门采纳。",
    "主动联系企业，帮助解决用工和融资难题，惠企服务成效明显。",
    "依托代表家站常态化接待群众，做法可复制、可推广。",
)


class _DemoBuilder:
    """One run of the generator: the campaign's vocabularies, the random source, the counts."""

    def __init__(self, rng: random.Random, campaign: Campaign, today: date):
        self.rng, self.campaign, self.today = rng, campaign, today
        self.zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
        self.cutoff = self.at(today, 0, 0) - timedelta(minutes=1)  # earlier than any "now" today
        self.joined = self.at(campaign.starts_on - timedelta(days=30), 9, 0)
        self.report = DemoReport()
        query = sa.select(Delegation).where(Delegation.retired_at.is_(None))
        self.delegations = list(
            db.session.scalars(query.order_by(Delegation.position, Delegation.id))
        )
        self.kinds = {k.code: k for k in _live(campaign.kinds)}
        self.initiatives = {i.number: i for i in _live(campaign.initiatives)}
        if not (self.delegations and self.kinds and self.initiatives):
            raise ValueError("the campaign needs delegations, activity kinds and initiatives")
        self.calls = {n: _live(i.calls) for n, i in self.initiatives.items()}
        self.focus = {f.code: f for f in _live(campaign.focus_areas)}
        self.labels = _live(campaign.proposal_labels)
        self.categories = {c.code: c for c in _live(campaign.concern_categories)}
        self.concern_pool = [c for c in CONCERNS if c[0] in self.categories] or [
            [code, "群众反映的实际困难"] for code in self.categories
        ]
        fallback = ["8", "蔬菜", "城区街道 中心镇 新城镇"]
        self.places = {}
        for d in self.delegations:
            share, crop, streets = PLACES.get(d.code, fallback)
            self.places[d.id] = (int(share), crop, streets.split())
        self.stations: dict[int, dict[StationKind, Station]] = {}
        self.used_names: set[str] = set()
        self.user_ids: dict[int, int] = {}

    def follow_up(self) -> None:
        _FollowUp(self).run()

    def run(self, delegates: int, months: int) -> DemoReport:
        self.make_stations()
        people = self.make_delegates(delegates)
        self.make_accounts(people)
        self.make_activities(people, months)
        self.follow_up()
        rollups.rebuild()
        self.mark_typical_cases()
        self.close_past_months()
        return self.report

    def mark_typical_cases(self) -> None:
        """Staff pick about one approved entry in sixty as a typical case (典型案例)."""
        entries = db.session.scalars(
            sa.select(Activity)
            .where(Activity.status == ActivityStatus.APPROVED)
            .order_by(Activity.id)
        ).all()
        for activity in entries:
            if len(activity.description) > 20 and self.rng.random() < 1 / 60:
                activity.exemplary = True
                activity.exemplary_note = self.rng.choice(TYPICAL_CASE_NOTES)
        db.session.flush()

    def close_past_months(self) -> None:
        """Months before last month are closed, as staff would have done on the first working
        day of each month; last month is left for staff to check and close."""
        from .dates import Period
        from .summaries.closing import close_month, month_is_closed

        staff = db.session.scalar(sa.select(User).where(User.username == "staff"))
        if staff is None:
            return
        last_month = Period.month(self.today.year, self.today.month).previous()
        first = db.session.scalar(sa.select(sa.func.min(Activity.occurred_on)))
        if first is None:
            return
        month = Period.month(first.year, first.month)
        while month.end <= last_month.start:
            if not month_is_closed(self.campaign.id, month.start):
                close_month(self.campaign, month, staff, self.today)
            month = Period(month.end, Period.month(month.end.year, month.end.month).end)

    # -- small helpers ----------------------------------------------------------------------------
    def at(self, day: date, hour: int, minute: int) -> datetime:
        """A local wall-clock time as the naive UTC that timestamp columns store."""
        moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.zone)
        return moment.astimezone(UTC).replace(tzinfo=None)

    def pick(self, weights: dict) -> Any:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def phone(self) -> str:
        return self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def enterprise(self, delegation: Delegation) -> str:
        rng, place = self.rng, "兰州"
        if rng.random() < 0.25:
            place = "甘肃"
        elif delegation.kind == DelegationKind.COUNTY and rng.random() < 0.5:
            place = delegation.name[:-1]
        suffix = rng.choice(("有限公司", "有限公司", "有限责任公司", "集团有限公司"))
        return f"{place}{rng.choice(FIRMS)}{rng.choice(INDUSTRIES)}{suffix}"

    def context(self, delegation: Delegation) -> dict[str, Any]:
        """The names a template may use, drawn afresh around one place of the delegation."""
        rng, name = self.rng, delegation.name
        _, crop, streets = self.places[delegation.id]
        s = rng.choice(streets)
        c, v = rng.choice(COMMUNITIES) + "社区", rng.choice(VILLAGES) + "村"
        office, head, party = _street_offices(s)
        new_area = delegation.kind == DelegationKind.NEW_AREA
        return {
            "d": name,
            "s": s,
            "c": c,
            "v": v,
            "loc": s + (v if _is_township(s) else c),
            "crop": crop,
            "e": self.enterprise(delegation),
            "n": rng.randint(2, 9),
            "p": rng.choice(PROJECTS).format(d=name, s=s),
            "law": rng.choice(LAWS),
            "firm": rng.choice(FIRMS),
            "s_unit": office,
            "s_head": head,
            "s_party": party,
            "rd": "兰州新区人大工委" if new_area else f"{name}人大常委会",
            "gov": "兰州新区管委会" if new_area else f"{name}人民政府",
            "vice": {"district": "副区长", "county": "副县长"}.get(delegation.kind, "副主任"),
        }

    def unique_name(self, gender: Gender) -> str:
        chars = FEMALE_CHARS if gender == Gender.FEMALE else MALE_CHARS
        while True:
            given = "".join(self.rng.choices(chars, k=1 if self.rng.random() < 0.3 else 2))
            name = self.pick(SURNAMES) + given
            if name not in self.used_names and len(set(given)) == len(given):
                self.used_names.add(name)
                return name

    @staticmethod
    def quotas(weights: list[float], total: int) -> list[int]:
        """Split ``total`` in proportion to ``weights`` (largest remainders round up)."""
        exact = [total * w / sum(weights) for w in weights]
        counts = [int(x) for x in exact]
        by_remainder = sorted(range(len(exact)), key=lambda i: counts[i] - exact[i])
        for i in by_remainder[: total - sum(counts)]:
            counts[i] += 1
        return counts

    # -- stations, delegates, accounts --------------------------------------------------------------
    def make_stations(self) -> None:
        existing = {s.code: s for s in db.session.scalars(sa.select(Station))}
        for delegation in self.delegations:
            streets = self.places[delegation.id][2]
            for street, kind in zip(streets, StationKind, strict=False):
                noun, slug, building = STATION_TEXT[kind]
                station = existing.get(f"{delegation.code}-{slug}-1")
                if station is None:
                    station = Station(
                        code=f"{delegation.code}-{slug}-1",
                        name=f"{delegation.name}{street}{noun}",
                        kind=kind,
                        delegation_id=delegation.id,
                        address=f"兰州市{delegation.name}{street}{building}",
                    )
                    db.session.add(station)
                    self.report.stations += 1
                self.stations.setdefault(delegation.id, {})[kind] = station
        db.session.flush()

    def make_delegates(self, total: int) -> list[Delegate]:
        shares = [self.places[d.id][0] for d in self.delegations]
        slots = [
            d
            for d, n in zip(self.delegations, self.quotas(shares, total), strict=True)
            for _ in range(n)
        ]
        type_counts = self.quotas(list(TYPE_SHARES.values()), total)
        types = [t for t, n in zip(TYPE_SHARES, type_counts, strict=True) for _ in range(n)]
        self.rng.shuffle(types)
        if "entrepreneur" not in types:
            types[-1] = "entrepreneur"
        pairs = list(zip(slots, types, strict=True))
        showcase = next(
            (i for i, (d, t) in enumerate(pairs) if d.code == "chengguan" and t == "grassroots"), 0
        )
        self.used_names.add("马秀兰")
        created = []
        for i, (delegation, type_code) in enumerate(pairs):
            ctx = self.context(delegation)
            if i == showcase:
                delegate = Delegate(
                    name="马秀兰",
                    gender=Gender.FEMALE,
                    level=Level.CITY,
                    delegation=delegation,
                    delegate_type=DelegateType.GRASSROOTS,
                    job_title="党委书记",
                    work_unit=f"{delegation.name}{self.places[delegation.id][2][0]}宏安社区",
                    station=self.stations[delegation.id].get(StationKind.HOME),
                )
            else:
                delegate = self.random_delegate(delegation, DelegateType(type_code), ctx)
            delegate.phone, delegate.created_at = self.phone(), self.joined
            created.append(delegate)
        db.session.add_all(created)
        db.session.flush()
        self.showcase = created[showcase]
        self.report.delegates = len(created)
        return created

    def random_delegate(
        self, delegation: Delegation, delegate_type: DelegateType, ctx: dict
    ) -> Delegate:
        rng = self.rng
        gender = Gender.FEMALE if rng.random() < FEMALE_SHARE[delegate_type] else Gender.MALE
        level = Level(self.pick(LEVEL_WEIGHTS))
        if level == Level.TOWNSHIP and not any(map(_is_township, self.places[delegation.id][2])):
            level = Level.COUNTY
        if delegate_type == DelegateType.ENTREPRENEUR:
            unit, title = ctx["e"], rng.choice(ENTREPRENEUR_TITLES)
        else:
            pool = JOBS.get(delegate_type) or (
                GRASSROOTS_JOBS_VILLAGE if _is_township(ctx["s"]) else GRASSROOTS_JOBS_STREET
            )
            unit, title = (part.format_map(ctx) for part in rng.choice(pool))
        station = None
        if rng.random() < 0.85:
            station = self.stations[delegation.id].get(StationKind(self.pick(STATION_WEIGHTS)))
        return Delegate(
            name=self.unique_name(gender),
            gender=gender,
            level=level,
            delegation=delegation,
            delegate_type=delegate_type,
            work_unit=unit,
            job_title=title,
            station=station,
        )

    def make_accounts(self, delegates: list[Delegate]) -> None:
        chengguan = next(
            (d for d in self.delegations if d.code == "chengguan"), self.delegations[0]
        )
        entrepreneurs = [d for d in delegates if d.delegate_type == DelegateType.ENTREPRENEUR]
        self.qiye = min(entrepreneurs, key=lambda d: (d.level != Level.CITY, d.id), default=None)
        accounts = (
            ("admin", "系统管理员", Role.ADMIN, None, None),
            ("staff", "市人大常委会代表工委", Role.STAFF, None, None),
            ("staff_cg", f"{chengguan.name}人大常委会选联工委", Role.STAFF, None, chengguan),
            ("daibiao", self.showcase.name, Role.DELEGATE, self.showcase, None),
        ) + ((("qiye", self.qiye.name, Role.DELEGATE, self.qiye, None),) if self.qiye else ())
        taken = set(
            db.session.scalars(sa.select(User.username).where(User.username.in_(DEMO_USERNAMES)))
        )
        for username, display_name, role, delegate, delegation in accounts:
            if username in taken:
                continue  # an account made by hand keeps its own password
            user = create_user(
                username=username,
                display_name=display_name,
                role=role,
                password=DEMO_PASSWORD,
                delegate=delegate,
                delegation=delegation,
            )
            user.created_at = self.joined
            if delegate is not None:
                self.user_ids[delegate.id] = user.id
            self.report.users += 1
            self.report.logins.append((username, DEMO_PASSWORD, describe_account(user)))

    # -- activities ---------------------------------------------------------------------------------
    def make_activities(self, delegates: list[Delegate], months: int) -> None:
        rng, today = self.rng, self.today
        year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
        start = date(year, month + 1, min(today.day, monthrange(year, month + 1)[1]))
        start = max(self.campaign.starts_on, start + timedelta(days=1))
        end = today - timedelta(days=1)  # an entry is logged after its day
        if self.campaign.ends_on is not None:
            end = min(end, self.campaign.ends_on)
        if end < start:
            raise ValueError("the campaign has no days between its start and today")
        span = (end - start).days + 1
        mean = 2.1 / 0.9 * span / 30.4  # ≈12.6 a delegate over six months, idle ones included
        keep = {self.showcase.id, self.qiye and self.qiye.id}
        idle = set(rng.sample([d.id for d in delegates if d.id not in keep], len(delegates) // 10))
        active = [d for d in delegates if d.id not in idle]
        batch: list[Activity] = []
        for delegate in active:
            peers = [
                p for p in active if p.delegation_id == delegate.delegation_id and p is not delegate
            ]
            if delegate is self.showcase and all(kind in self.kinds for kind, _ in SHOWCASE):
                for i, (kind_code, status) in enumerate(SHOWCASE):
                    offset = int(span * (i + 0.5) / len(SHOWCASE)) + rng.randint(-3, 3)
                    day = start + timedelta(days=min(span - 1, max(0, offset)))
                    batch.append(
                        self.build_activity(
                            delegate,
                            kind_code,
                            day,
                            STATUS_CODES[status],
                            peers,
                            1 if kind_code == "visit" else 0,
                        )
                    )
                continue
            weights = {
                k: w for k, w in KIND_WEIGHTS[delegate.delegate_type].items() if k in self.kinds
            }
            count = max(1, round(rng.gammavariate(2.5, mean / 2.5)))
            for day in sorted(self.random_day(start, span) for _ in range(count)):
                kind_code = self.pick(weights or dict.fromkeys(self.kinds, 1))
                status = self.random_status((end - day).days < 30)
                batch.append(self.build_activity(delegate, kind_code, day, status, peers))
            if len(batch) >= BATCH_SIZE:
                db.session.add_all(batch)
                db.session.flush()
                batch.clear()
        db.session.add_all(batch)
        db.session.flush()

    def random_day(self, start: date, span: int) -> date:
        day = start + timedelta(days=self.rng.randrange(span))
        if day.weekday() >= 5 and self.rng.random() < 0.5:  # fewer entries at weekends
            day = start + timedelta(days=self.rng.randrange(span))
        return day

    def random_status(self, recent: bool) -> ActivityStatus:
        weights = (30, 55, 5, 10) if recent else (90, 1.5, 5, 3.5)
        statuses = (
            ActivityStatus.APPROVED,
            ActivityStatus.SUBMITTED,
            ActivityStatus.RETURNED,
            ActivityStatus.DRAFT,
        )
        return self.rng.choices(statuses, weights=weights)[0]

    def build_activity(
        self,
        delegate: Delegate,
        kind_code: str,
        day: date,
        status: ActivityStatus,
        peers: list[Delegate],
        min_concerns: int = 0,
    ) -> Activity:
        rng, kind = self.rng, self.kinds[kind_code]
        ctx = self.context(delegate.delegation)
        station = self.station_for(delegate, kind_code)
        people = rng.randint(*REACH.get(kind_code, (0, 0)))
        hh = max(2, people // rng.choice((2, 3)))
        ctx.update(station=station.name, station_id=station.id, people=people, hh=hh)
        activity = Activity(
            campaign_id=self.campaign.id,
            delegate_id=delegate.id,
            kind_id=kind.id,
            delegation_id=delegate.delegation_id,
            delegate_type=delegate.delegate_type,
            level=delegate.level,
            occurred_on=day,
            people_reached=people,
            status=status,
            created_by_id=self.user_ids.get(delegate.id),
        )
        focus_code = self.fill_text(activity, kind_code, ctx, delegate.delegate_type)
        self.assign_initiative(activity, kind_code, delegate.delegate_type)
        activity.focus_areas = self.focus_areas(focus_code, delegate.delegate_type)
        if kind.has_section("concerns") and self.categories:
            activity.concerns = self.concerns_for(activity, kind_code, ctx, min_concerns)
        if peers and kind_code not in ("proposal", "study") and rng.random() < 0.18:
            chosen = rng.sample(peers, min(len(peers), rng.choice((1, 1, 2))))
            activity.participants = sorted(chosen, key=lambda d: d.id)
        self.stamp(activity)
        self.report.activities += 1
        self.report.concerns += len(activity.concerns)
        self.report.proposals += activity.proposal is not None
        return activity

    def fill_text(
        self, activity: Activity, kind_code: str, ctx: dict, delegate_type: DelegateType
    ) -> str | None:
        """Title, place, description and outcome, plus the kind's own fields; the focus hint."""
        rng, focus_code, rural = self.rng, None, ctx["loc"].endswith("村")
        if kind_code == "proposal":
            liked = [r for r in PROPOSALS if r[0] in PROPOSAL_FOCUS[delegate_type]]
            focus_code, title, handler, content = rng.choice(
                liked if rng.random() < 0.7 else PROPOSALS
            )
            ctx["handler"] = handler = handler.format_map(ctx)
            weights = {label: LABEL_WEIGHTS.get(label.code, 1) for label in self.labels}
            label = self.pick(weights) if weights else None
            activity.proposal = Proposal(
                label_id=label and label.id,
                content=content.format_map(ctx),
                suggested_handler=handler,
            )
            place, description = "", rng.choice(PROPOSAL_DESCRIPTIONS)
            outcome = rng.choice(PROPOSAL_OUTCOMES)
        elif kind_code == "research":
            liked = [r for r in RESEARCH if r[0] in FOCUS_WEIGHTS[delegate_type]]
            focus_code, topic, findings = rng.choice(liked if rng.random() < 0.7 else RESEARCH)
            ctx["topic"] = activity.research_topic = topic.format_map(ctx)
            activity.research_findings = findings.format_map(ctx)
            title, place = rng.choice(RESEARCH_TITLES), rng.choice(RESEARCH_PLACES)
            description, outcome = rng.choice(RESEARCH_DESCRIPTIONS), rng.choice(RESEARCH_OUTCOMES)
        elif kind_code in TEMPLATES:
            lines = TEMPLATES[kind_code]
            if kind_code in ("visit", "enterprise-service"):
                target = self.pick(
                    TARGET_WEIGHTS[delegate_type if kind_code == "visit" else kind_code]
                )
                fits = [t for t in lines if t[0] == target and (rural or "{crop}" not in t[1])]
                _, *line = rng.choice(fits)
                activity.visit_target_kind = VISIT_TARGETS[target][0]
                activity.visit_target = VISIT_TARGETS[target][1].format_map(ctx)
            else:
                line = rng.choice([t for t in lines if rural or "{crop}" not in t[0]])
            title, place, description, outcome = line
        else:
            kind = self.kinds[kind_code]
            title, place, description, outcome = f"{kind.name}活动", "{d}", kind.description, ""
        activity.title = title.format_map(ctx)[:200]
        activity.description = description.format_map(ctx)
        activity.outcome = outcome.format_map(ctx)
        if place == "{station}":
            activity.station_id = ctx["station_id"]
        else:
            activity.place = place.format_map(ctx)
        return focus_code

    def station_for(self, delegate: Delegate, kind_code: str) -> Station:
        stations, own = self.stations[delegate.delegation_id], delegate.station
        if kind_code == "legislative-input":
            return stations.get(StationKind.LEGISLATIVE_POINT) or next(iter(stations.values()))
        if own is not None and not (
            kind_code == "station-reception" and own.kind == StationKind.LEGISLATIVE_POINT
        ):
            return own
        return stations.get(StationKind.HOME) or next(iter(stations.values()))

    def call_for(self, number: int, kind_code: str, delegate_type: DelegateType) -> Any:
        calls = [c for c in self.calls.get(number, []) if kind_code in (c.kind_codes or [])]
        typed = [c for c in calls if c.delegate_type == delegate_type]
        untyped = [c for c in calls if c.delegate_type is None]
        return typed[0] if typed else (self.rng.choice(untyped) if untyped else None)

    def assign_initiative(
        self, activity: Activity, kind_code: str, delegate_type: DelegateType
    ) -> None:
        """The kind's own initiative mostly; now and then 二, the delegate type's call."""
        number = self.kinds[kind_code].default_initiative_number
        if number not in self.initiatives:
            number = min(self.initiatives)
        second = self.call_for(2, kind_code, delegate_type)
        if second is not None and self.rng.random() < (0.3 if second.delegate_type else 0.08):
            number = 2
        call = self.call_for(number, kind_code, delegate_type)
        activity.initiative_id = self.initiatives[number].id
        activity.call_id = call.id if call else None

    def focus_areas(self, focus_code: str | None, delegate_type: DelegateType) -> list:
        if not self.focus:
            return []
        weights = {k: w for k, w in FOCUS_WEIGHTS[delegate_type].items() if k in self.focus}
        first = self.focus.get(focus_code) or (
            self.focus[self.pick(weights)]
            if weights
            else self.rng.choice(list(self.focus.values()))
        )
        areas = [first]
        others = [f for f in self.focus.values() if f.group == first.group and f is not first]
        if others and self.rng.random() < 0.4:
            areas.append(self.rng.choice(others))
        return areas

    def concerns_for(
        self, activity: Activity, kind_code: str, ctx: dict[str, Any], minimum: int
    ) -> list[Concern]:
        rng = self.rng
        weights = CONCERN_COUNTS.get(kind_code, [30, 40, 20, 10])
        count = max(minimum, rng.choices(range(len(weights)), weights=weights)[0])
        business = kind_code == "enterprise-service" or (
            activity.visit_target_kind == VisitTargetKind.ENTERPRISE
        )
        rural = ctx["loc"].endswith("村")
        if business:
            pool = [c for c in self.concern_pool if c[0] in ENTERPRISE_CONCERN_CATEGORIES]
        else:
            pool = [
                c
                for c in self.concern_pool
                if c[0] != "enterprise" and (rural or c[0] != "agriculture")
            ]
        concerns = []
        for position, (code, text) in enumerate(rng.sample(pool or self.concern_pool, count), 1):
            by_firm = code == "enterprise" or (business and rng.random() < 0.5)
            if by_firm:
                name = ctx["e"] if rng.random() < 0.7 else ""
            else:
                name = (
                    self.pick(SURNAMES) + rng.choice(CITIZEN_SUFFIXES) if rng.random() < 0.4 else ""
                )
            concerns.append(
                Concern(
                    position=position,
                    category_id=self.categories[code].id,
                    content=text.format_map(ctx),
                    raised_by_kind=RaisedByKind.ENTERPRISE if by_firm else RaisedByKind.CITIZEN,
                    raised_by_name=name,
                    raised_by_phone=self.phone() if rng.random() < 0.08 else "",
                )
            )
        return concerns

    def stamp(self, activity: Activity) -> None:
        """Logged that evening or a day or two later, reviewed a few days after; all before today."""
        rng, day, status = self.rng, activity.occurred_on, activity.status
        yesterday = self.today - timedelta(days=1)
        later = min(day + timedelta(days=rng.choice((0, 0, 1, 1, 2))), yesterday)
        logged = self.at(later, rng.randint(19, 22), rng.randint(0, 59))
        activity.created_at = activity.updated_at = logged - timedelta(minutes=rng.randint(5, 90))
        activity.version = 1
        if status != ActivityStatus.DRAFT:
            activity.submitted_at = activity.updated_at = logged
        if status in (ActivityStatus.APPROVED, ActivityStatus.RETURNED):
            reviewed = logged + timedelta(days=rng.randint(1, 4), hours=rng.randint(-2, 2))
            if reviewed > self.cutoff:  # reviewed some time between logging and now
                minutes = (self.cutoff - logged) // timedelta(minutes=1)
                reviewed = logged + timedelta(minutes=rng.randint(0, minutes))
            activity.updated_at = reviewed
            activity.version = 2
        for row in [*activity.concerns, activity.proposal]:
            if row is not None:
                row.created_at = activity.created_at


RETURN_REASONS = (
    "请补充走访对象和联系群众人数。",
    "日期与工作日志不一致，请核对。",
    "情况说明过于简略，请写明具体做了什么。",
    "请写明群众诉求的具体内容，便于转办。",
)
REPLY_TEXTS = (
    "经研究，已将该事项纳入年度工作计划，将于年内分步实施。",
    "已会同相关区县现场调研，制定整改方案并组织实施。",
    "该问题已解决，相关设施已投入使用，欢迎代表继续监督。",
    "受资金和规划条件限制，暂不具备实施条件，将作为今后工作的重要参考。",
    "已协调有关单位落实，后续将定期向代表通报进展。",
)


class _FollowUp:
    """Moves the demo's reviews, proposals and concerns along, as months of work would have."""

    def __init__(self, builder: _DemoBuilder):
        self.b = builder
        self.rng = builder.rng
        self.bodies = list(
            db.session.scalars(
                sa.select(HandlingBody)
                .where(HandlingBody.retired_at.is_(None))
                .order_by(HandlingBody.position)
            )
        )
        self.staff = db.session.scalar(sa.select(User).where(User.username == "staff"))

    def run(self) -> None:
        activities = db.session.scalars(
            sa.select(Activity).where(Activity.campaign_id == self.b.campaign.id)
        ).all()
        for activity in activities:
            if activity.status in (ActivityStatus.APPROVED, ActivityStatus.RETURNED):
                activity.reviewed_at = activity.updated_at
                activity.reviewed_by_id = self.staff.id if self.staff else None
            if activity.status == ActivityStatus.APPROVED:
                activity.approved_at = activity.updated_at
            elif activity.status == ActivityStatus.RETURNED:
                activity.review_note = self.rng.choice(RETURN_REASONS)
            if activity.status != ActivityStatus.APPROVED or not self.bodies:
                continue
            if activity.proposal is not None:
                self.proposal(activity.proposal, activity.occurred_on)
            for concern in activity.concerns:
                self.concern(concern, activity.occurred_on)
        db.session.flush()

    def proposal(self, proposal: Proposal, day: date) -> None:
        """Registered a week later, assigned soon after; replies and ratings as time allows."""
        rng, today = self.rng, self.b.today
        if rng.random() < 0.06:
            proposal.status = ProposalStatus.NOT_REGISTERED
            proposal.not_registered_reason = "所提事项属于个案诉求，已转有关部门按诉求办理。"
            proposal.decided_at = self.b.at(
                min(day + timedelta(days=7), today - timedelta(days=1)), 10, 0
            )
            return
        assigned_on = day + timedelta(days=rng.randint(7, 20))
        if assigned_on >= today:
            proposal.status = (
                ProposalStatus.REGISTERED if rng.random() < 0.6 else ProposalStatus.SUBMITTED
            )
            return
        proposal.decided_at = self.b.at(assigned_on - timedelta(days=3), 10, 0)
        proposal.is_complex = rng.random() < 0.15
        proposal.lead_handler_id = rng.choice(self.bodies).id
        proposal.assigned_on = assigned_on
        proposal.due_on = add_months(assigned_on, 6 if proposal.is_complex else 3)
        proposal.status = ProposalStatus.HANDLING if rng.random() < 0.7 else ProposalStatus.ASSIGNED
        replied_on = assigned_on + timedelta(days=rng.randint(20, 110))
        if replied_on >= today or rng.random() < 0.2:
            return  # still being handled: some of these will be overdue
        outcome = rng.choices(list(ProposalOutcome), weights=(45, 30, 15, 10))[0]
        reply = ProposalReply(
            round=1,
            text=rng.choice(REPLY_TEXTS),
            replied_on=replied_on,
            outcome=outcome,
            recorded_by_id=self.staff.id if self.staff else None,
            recorded_at=self.b.at(replied_on, 16, 0),
        )
        proposal.replies.append(reply)
        proposal.status = ProposalStatus.REPLIED
        rated_on = replied_on + timedelta(days=rng.randint(3, 20))
        if rated_on >= today or rng.random() < 0.15:
            return  # waiting for the delegate's rating
        rating = rng.choices(list(Rating), weights=(65, 27, 8))[0]
        reply.rating, reply.rated_at = rating, self.b.at(rated_on, 20, 0)
        proposal.rating = rating
        if rating == Rating.UNSATISFIED:
            proposal.status, proposal.round = ProposalStatus.HANDLING, 2
            proposal.due_on = add_months(rated_on, 1)
        else:
            proposal.status, proposal.closed_at = ProposalStatus.CLOSED, reply.rated_at

    def concern(self, concern: Concern, day: date) -> None:
        rng, today = self.rng, self.b.today
        step = rng.choices(
            ("open", "referred", "resolved", "unresolvable"), weights=(25, 20, 45, 10)
        )[0]
        if step == "open":
            return
        referred_on = min(day + timedelta(days=rng.randint(1, 7)), today - timedelta(days=1))
        concern.referred_to_id = rng.choice(self.bodies).id
        concern.referred_at = self.b.at(referred_on, 11, 0)
        concern.status = ConcernStatus.REFERRED
        done_on = referred_on + timedelta(days=rng.randint(5, 40))
        if step == "referred" or done_on >= today:
            return
        if step == "resolved":
            concern.resolution, concern.status = ConcernResolution.RESOLVED, ConcernStatus.RESOLVED
            concern.resolution_note = "已协调解决。"
        else:
            concern.resolution, concern.status = (
                ConcernResolution.UNRESOLVABLE,
                ConcernStatus.UNRESOLVABLE,
            )
            concern.resolution_note = "涉及规划调整，近期无法解决，已向群众说明。"
        concern.resolved_at = self.b.at(done_on, 15, 0)
        if rng.random() < 0.6 and done_on + timedelta(days=3) < today:
            concern.status = ConcernStatus.FED_BACK
            concern.feedback_note = "已电话告知反映人办理结果。"
            concern.fed_back_at = self.b.at(done_on + timedelta(days=3), 10, 0)


def describe_account(user: User) -> str:
    """Who a demo account is, as the demo login table says it."""
    if user.role == Role.ADMIN:
        return "系统管理员"
    if user.role == Role.STAFF:
        return f"{user.display_name}（{user.delegation.name if user.delegation else '全市'}）"
    delegate = user.delegate
    with force_locale("zh"):
        kind = str(delegate.delegate_type.label)
    return f"{kind}（{delegate.delegation.name}）{delegate.name}"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _echo_logins(logins: list[tuple[str, str, str]], heading: str) -> None:
    if not logins:
        return
    rows = [("用户名", "密码", "身份"), *logins]
    widths = [max(_width(row[i]) for row in rows) for i in range(2)]
    click.echo(heading)
    for row in rows:
        cells = [row[i] + " " * (widths[i] - _width(row[i])) for i in range(2)]
        click.echo(f"  {cells[0]}  {cells[1]}  {row[2]}")


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when delegates already exist.")
@click.option("--seed", default=2023, show_default=True)
@click.option(
    "--delegates",
    type=click.IntRange(min=1),
    default=None,
    help="Delegates to create [default: 120; 2,000 with --activities].",
)
@click.option(
    "--months",
    type=click.IntRange(min=1),
    default=None,
    help="Months of entries up to today [default: 6; with --activities, as many as "
    "about five entries a delegate a month fill].",
)
@click.option(
    "--activities",
    type=click.IntRange(min=0),
    default=None,
    help="Generate this many entries at scale (bulk inserts, e.g. 1000000) instead "
    "of the hand-shaped demo.",
)
@with_appcontext
def demo_command(
    if_empty: bool, seed: int, delegates: int | None, months: int | None, activities: int | None
) -> None:
    """Fill an empty database with demo stations, delegates, accounts and activities.

    Without --activities: the hand-shaped demo (120 delegates, six months, every state of
    review and follow-up, closed months). With --activities M: M entries for --delegates N
    written in bulk, for trying the tracker at city or province scale; progress goes to
    stderr. Loads the default campaign first when none is active. A database that already
    holds delegates is never touched: the command refuses (exit status 1), or with --if-empty
    says so and exits 0. There is no option to add demo data to real data.
    """
    if db.session.scalar(sa.select(Delegate.id).limit(1)) is not None:
        if not if_empty:
            raise click.ClickException(
                "数据库中已有代表数据，演示数据只写入空数据库（如需跳过请加 --if-empty）。"
            )
        click.echo("演示数据已存在，未做改动。")
        found = {
            u.username: u
            for u in db.session.scalars(sa.select(User).where(User.username.in_(DEMO_USERNAMES)))
        }
        logins = [
            (n, DEMO_PASSWORD, describe_account(found[n])) for n in DEMO_USERNAMES if n in found
        ]
        _echo_logins(logins, "演示账号（密码如未修改）：")
        return
    if activities is not None:
        _demo_at_scale(seed, delegates or 2000, months, activities)
        return
    delegates, months = delegates or 120, months or 6
    started = time.perf_counter()
    try:
        if active_campaign() is None:
            load_campaign(current_app.config["DEFAULT_CAMPAIGN_FILE"])
        report = generate_demo(seed=seed, today=local_today(), delegates=delegates, months=months)
    except (CampaignFileError, ValueError) as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(
        f"演示数据已生成（种子 {seed}，近 {months} 个月）：代表 {report.delegates} 名，"
        f"家站 {report.stations} 个，履职活动 {report.activities} 条，"
        f"群众诉求 {report.concerns} 条，建议 {report.proposals} 件，账号 {report.users} 个；"
        f"用时 {time.perf_counter() - started:.1f} 秒。"
    )
    _echo_logins(report.logins, f"演示账号（密码均为 {DEMO_PASSWORD}）：")


class _ProgressLines:
    """Progress to stderr: a bar on a terminal, otherwise a line at every tenth."""

    def __init__(self, label: str):
        self.label, self.bar, self.started, self.shown = label, None, time.perf_counter(), -1

    def __call__(self, done: int, total: int) -> None:
        err = sys.stderr
        if err.isatty():
            if self.bar is None:
                self.bar = click.progressbar(length=total, label=self.label, file=err)
                self.bar.__enter__()
            self.bar.update(done - self.bar.pos)
            if done >= total:
                self.bar.__exit__(None, None, None)
            return
        tenth = done * 10 // total if total else 10
        if tenth > self.shown:
            self.shown = tenth
            click.echo(
                f"{self.label} {done:,} / {total:,}（{tenth * 10}%，"
                f"{time.perf_counter() - self.started:.1f} 秒）",
                err=True,
            )


def _demo_at_scale(seed: int, delegates: int, months: int | None, activities: int) -> None:
    from .scale import Span, generate_at_scale, months_for, tidy_after_load

    months = months or months_for(activities, delegates)
    today = local_today()
    try:
        if active_campaign() is None:
            load_campaign(current_app.config["DEFAULT_CAMPAIGN_FILE"])
        report = generate_at_scale(
            activities=activities,
            delegates=delegates,
            span=Span.months_to_today(months, today),
            today=today,
            seed=seed,
            progress=_ProgressLines("写入履职活动"),
        )
        started = time.perf_counter()
        db.session.commit()
        report.stages["commit"] = time.perf_counter() - started
    except (CampaignFileError, ValueError) as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    started = time.perf_counter()
    tidy_after_load()
    report.stages["analyze"] = time.perf_counter() - started
    click.echo(
        f"演示数据已生成（种子 {seed}，{report.first_day} 至 {report.last_day}，{months} 个月）："
        f"代表 {report.delegates:,} 名，家站 {report.stations} 个，履职活动 {report.activities:,} 条"
        f"（已通过 {report.approved:,} 条），群众诉求 {report.concerns:,} 条，"
        f"建议 {report.proposals:,} 件，账号 {report.users} 个；用时 {report.seconds:.1f} 秒"
        f"（{'，'.join(f'{_STAGES.get(k, k)} {v:.1f} 秒' for k, v in report.stages.items())}）。"
    )
    _echo_logins(report.logins, f"演示账号（密码均为 {DEMO_PASSWORD}）：")


_STAGES = {
    "delegates and accounts": "代表和账号",
    "entries and rollups": "履职活动和汇总",
    "indexes": "索引",
    "commit": "提交",
    "analyze": "统计信息",
}
