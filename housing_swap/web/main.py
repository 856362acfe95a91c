"""The home page: what the program is, where it stands, and a way in for each kind of user."""
from __future__ import annotations

from flask import Blueprint, render_template

from ..security.access import public
from ..services.progress import goal_progress

blueprint = Blueprint("main", __name__)

ENTRY_POINTS = (
    ("购房家庭", "挂牌自有住房、查看换房资格、匹配改善型新房", "household"),
    ("经纪机构", "管理委托房源、批量导入导出、登记市场换房成交", "agency_staff"),
    ("开发企业", "发布参与以旧换新的新建商品住房房源与一房一价表", "developer_staff"),
    ("城发集团", "受理收购申请、组织查勘评估、签约与过户", "city_group_officer"),
    ("评估机构", "录入评估价值、上传评估报告", "appraiser"),
    ("住房保障局", "监测目标进度、核验成交、管理项目规则", "bureau_admin"),
)


@blueprint.route("/")
@public
def home():
    progress = goal_progress()
    return render_template("main/home.html", progress=progress, entry_points=ENTRY_POINTS)
