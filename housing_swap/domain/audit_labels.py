"""What the audit log's codes mean, in the words the bureau reads them (pages and exports).

The log stores stable codes (``listing.verify``); people read labels. Actions that are a step of a
lifecycle (``acquisition.offer_made``) take their label from that lifecycle's states, so a new
state is named once. ``tests/test_audit_coverage.py`` fails when code records an action that has
no label here.
"""
from __future__ import annotations

from . import acquisitions as acquisition_steps
from .acquisitions import AcquisitionStatus
from .applications import APPLICATION_FIELDS, ApplicationStatus
from .listing_fields import LISTING_FIELDS
from .listing_lifecycle import ListingStatus
from .market_swaps import MARKET_SWAP_FIELDS, MarketSwapStatus
from .milestones import Milestone
from .project_fields import PROJECT_FIELDS, UNIT_FIELDS, UnitStatus
from .reservations import RESERVATION_FIELDS, Party, ReservationStatus
from .rules import RULE_FIELDS, AppealRule
from .viewings import ViewingStatus

ACTIONS = {
    "acquisition.intake": "城发集团受理收购申请", "acquisition.appeal": "家庭申请复评",
    "acquisition.contact_reveal": "查看收购家庭的完整地址和联系方式", "acquisition.assign": "分配收购案件",
    "acquisition.additional_unit": "登记另一套新房",
    "api_token.issue": "签发接口令牌", "api_token.revoke": "吊销接口令牌",
    "application.create": "创建换房申请", "application.update": "修改换房申请",
    "application.submit": "提交换房申请", "application.withdraw": "撤回换房申请",
    "application.join": "旧房并入本家庭另一申请合并换新", "application.leave": "解除旧房合并换新",
    "chain.accept": "确认换房链", "chain.milestone": "登记连环单进度节点", "chains.run": "寻找换房链",
    "demo.seed": "载入演示数据",
    "export.audit_log": "导出审计日志", "export.dashboard": "导出统计报表", "export.queued": "申请导出统计报表",
    "job.failed": "后台任务失败",
    "keys.rotate": "轮换数据密钥",
    "ledger.count": "计入目标台账", "ledger.reverse": "撤销台账计数", "ledger.unit_settle": "新房购买核销",
    "ledger.reversal_request": "申请撤销计数", "ledger.reversal_approve": "复核通过撤销",
    "ledger.reversal_reject": "复核驳回撤销",
    "listing.create": "新建房源", "listing.update": "修改房源", "listing.status": "变更房源状态",
    "listing.verify": "核验房源", "listing.assign": "分配房源经纪人", "listing.photo_add": "上传房源照片",
    "listing.photo_delete": "删除房源照片", "listing.photo_order": "调整房源照片顺序",
    "listing.import": "批量导入房源", "listing.import_queued": "提交批量导入", "listing.export": "导出房源",
    "market_swap.record": "登记市场交易", "market_swap.verify": "核验市场交易",
    "market_swap.contract_check": "核对网签合同",
    "matching.run": "运行新房匹配",
    "organization.apply": "机构申请入驻", "organization.register": "登记机构",
    "organization.approve": "批准机构", "organization.reject": "驳回机构申请",
    "organization.suspend": "暂停机构", "organization.reinstate": "恢复机构",
    "project.create": "新建楼盘", "project.update": "修改楼盘", "building.rename": "楼栋改名", "building.delete": "删除楼栋",
    "queue.commit": "公布收购名额摇号承诺值", "queue.draw": "收购名额摇号抽签",
    "reference.load": "载入基础数据",
    "reservation.propose": "提出锁房保留协议", "reservation.accept": "确认锁房保留协议",
    "reservation.convert": "锁房保留转为成交", "reservation.reopen": "锁房保留恢复（所登记的交易未通过）",
    "rules.draft": "起草项目规则", "rules.update_draft": "修改规则草稿", "rules.publish": "发布项目规则",
    "title_registry.import": "导入产权登记数据",
    "unit.create": "新建新房房源", "unit.update": "修改新房房源", "unit.status": "变更新房房源状态",
    "unit.sale_undone": "撤销新房已售",
    "unit.price_list_import": "导入一房一价表",
    "user.register": "注册账户", "user.create": "创建账户", "user.login": "登录", "user.logout": "退出登录",
    "user.change_password": "修改密码", "user.reset_password": "重置密码", "user.lock": "锁定账户",
    "user.unlock": "解锁账户", "user.enable": "启用或停用账户", "user.email": "修改通知邮箱",
    "viewing.request": "预约看房", "viewing.accept": "确认看房时间", "viewing.propose": "另约看房时间",
    "viewing.decline": "婉拒看房预约", "viewing.withdraw": "撤回看房预约", "viewing.block": "拒绝某人预约看房",
    "viewing.contact_reveal": "查看看房预约对方电话", "viewing.expire": "看房预约过期",
}

# Lifecycle steps recorded as ``<kind>.<state>``: the step's label is its state's.
STEPS = {"acquisition": ("收购", AcquisitionStatus), "market_swap": ("市场交易", MarketSwapStatus),
         "reservation": ("锁房保留", ReservationStatus)}

ENTITIES = {
    "acquisition": "收购", "api_token": "接口令牌", "application_match": "匹配结果", "audit_event": "审计日志",
    "building": "楼栋", "chain_proposal": "换房链", "dashboard": "统计报表", "data_key": "数据密钥",
    "demo": "演示数据", "goal_ledger_entry": "目标台账记录", "job_run": "后台任务", "listing": "二手房源",
    "market_swap": "市场交易", "organization": "机构", "program_rule_version": "项目规则",
    "project": "楼盘", "queue_draw": "收购名额摇号", "reference": "基础数据", "reservation": "锁房保留协议", "swap_application": "换房申请", "title_registry": "产权登记",
    "unit": "新房房源", "user": "账户", "viewing_request": "看房预约",
}

# The log's filter picks a group (an action prefix, "listing.") or one action.
GROUPS = {
    "acquisition": "收购", "api_token": "接口令牌", "application": "换房申请", "building": "楼栋", "chain": "换房链",
    "chains": "换房链查找", "demo": "演示数据", "export": "导出", "job": "后台任务", "keys": "数据密钥",
    "ledger": "目标台账", "listing": "二手房源", "market_swap": "市场交易", "matching": "新房匹配",
    "organization": "机构", "project": "楼盘", "queue": "收购名额排队", "reference": "基础数据", "reservation": "锁房保留", "rules": "项目规则",
    "title_registry": "产权登记", "unit": "新房房源", "user": "账户", "viewing": "看房预约",
}

OUTCOMES = {"success": "成功", "failure": "失败", "locked": "已锁定", "refused": "被拒绝"}


def action_label(action: str) -> str:
    if action in ACTIONS:
        return ACTIONS[action]
    kind, _, step = action.partition(".")
    if kind in STEPS:
        noun, states = STEPS[kind]
        label = states.labels().get(step)
        if label:
            return f"{noun}：{label}"
    return "其他操作"


def entity_label(entity_type: str | None) -> str:
    return ENTITIES.get(entity_type or "", "其他对象")


def outcome_label(outcome: str | None) -> str:
    return OUTCOMES.get(outcome or "success", "其他")


def known_action(action: str) -> bool:
    return action_label(action) != "其他操作"


def action_choices() -> list[tuple[str, str]]:
    """(code, label) for the filter: each group ("listing.", all its actions), then its actions."""
    steps = [f"{kind}.{state.value}" for kind, (_, states) in STEPS.items() for state in states]
    codes = sorted({*ACTIONS, *steps})
    choices = []
    for prefix, group in GROUPS.items():
        choices.append((f"{prefix}.", f"{group}（全部）"))
        choices += [(code, f"— {action_label(code)}") for code in codes if code.partition(".")[0] == prefix]
    return choices


# The names of the values an event records before and after, beyond the forms' own fields (whose
# labels come from their Field lists). ``tests/test_audit_coverage.py`` fails when code records a
# literal key that has no label.
VALUE_NAMES = {
    "joined_to_id": "并入的主申请", "joined_purchase": "合并购买主申请的新房", "price": "价格（元）",
    "units": "房屋套数", "milestone": "进度节点", "done_on": "完成日期", "officer_user_id": "经办人", "source": "来源", "acquisition_id": "收购", "value_rule": "复评后采用的评估价", "commitment": "承诺值（种子的SHA-256）", "entrants": "参与家庭数", "backstop_floor": "保底收购价（元）", "hold_days": "保留天数",
    "market_swap_id": "市场交易", "party": "当事方", "refund_amount": "退还定金（元）", "refund_percent": "退还比例（%）",
    "added": "新增", "batch_from": "本批起始房源序号", "agent_user_id": "经纪人", "blocked_user_id": "被拒绝的预约人", "application_id": "申请", "approval_state": "审核状态",
    "bytes": "文件大小（字节）", "channel": "渠道", "columns": "列", "conflict": "冲突", "contracts": "合同数",
    "created": "新增", "district": "区县", "districts": "区县", "document_sha256": "材料指纹（SHA-256）",
    "effective_from": "生效日期", "email": "邮箱（遮蔽）", "eligible_channels": "符合条件的渠道", "enabled": "启用", "error": "错误",
    "errors": "错误数", "file": "文件", "filters": "筛选条件", "format": "格式", "kind": "类型",
    "licence_number": "执照号", "link": "链接", "listing_id": "房源", "list_price": "标价（元）", "locked_until": "锁定至",
    "matched": "一致", "mismatched": "不一致", "missing": "缺失", "mode": "导入方式", "name": "名称",
    "new_home_price": "新房价格（元）", "note": "说明", "organization_id": "机构", "personal_data_masked": "个人信息已遮蔽",
    "phone": "电话（遮蔽）",
    "photo_id": "照片", "photo_ids": "照片（按顺序）", "pilot": "试点", "proposals": "方案数", "reason": "原因", "request": "申请单",
    "requested_by": "申请人", "resealed": "重新加密数", "reversal_entry": "撤销记录", "role": "角色",
    "room": "房号", "rows": "行数", "rule_version": "规则版本", "rule_versions": "规则版本",
    "sale_price": "成交价（元）", "scale": "规模", "scope": "范围", "seed": "随机种子", "settlement": "房源处理", "side": "查看方",
    "status": "状态", "table": "表", "times": "看房时间", "unit_id": "房源", "updated": "更新", "username": "用户名",
    "verification": "核验情况", "version": "版本",
}
_FORM_FIELDS = (LISTING_FIELDS, APPLICATION_FIELDS, MARKET_SWAP_FIELDS, PROJECT_FIELDS, UNIT_FIELDS, RULE_FIELDS,
                acquisition_steps.INSPECTION_FIELDS, acquisition_steps.APPRAISAL_FIELDS,
                acquisition_steps.OFFER_FIELDS, acquisition_steps.CONTRACT_FIELDS, acquisition_steps.PURCHASE_FIELDS,
                acquisition_steps.TITLE_FIELDS, acquisition_steps.COMPLETION_FIELDS, RESERVATION_FIELDS)
_FIELD_LABELS = {field.name: field.label for fields in _FORM_FIELDS for field in fields}


def value_name(key: str) -> str:
    """A recorded value's name as people read it; an unnamed key is shown as itself, marked."""
    return VALUE_NAMES.get(key) or _FIELD_LABELS.get(key) or f"其他（{key}）"


def value_text(value) -> str:
    """A recorded value as text: 是/否 for flags, — for nothing, lists joined."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(value_text(item) for item in value) or "—"
    if isinstance(value, dict):
        return "；".join(f"{value_name(str(key))}：{value_text(item)}" for key, item in value.items()) or "—"
    return str(value)


# A status is shown in the words of the lifecycle of the object the event is about.
STATUS_LABELS = {"listing": ListingStatus.labels(), "viewing_request": ViewingStatus.labels(), "swap_application": ApplicationStatus.labels(),
                 "acquisition": AcquisitionStatus.labels(), "market_swap": MarketSwapStatus.labels(),
                 "unit": UnitStatus.labels(), "reservation": ReservationStatus.labels()}


def changes(entity_type: str | None, before: dict | None, after: dict | None,
            coded_values: dict[str, dict[str, str]] | None = None) -> list[tuple[str, str, str]]:
    """(name, before, after) for each value either side recorded, in the order they were recorded.
    A status reads in the words of the event's object; ``coded_values`` names the codes of other
    keys (``{"role": Role.labels()}``) that this layer cannot import."""
    before, after = before or {}, after or {}
    labels = {**(coded_values or {}), "status": STATUS_LABELS.get(entity_type or "", {}), "party": Party.labels(),
              "value_rule": AppealRule.labels(), "milestone": Milestone.labels()}

    def shown(side: dict, key: str) -> str:
        if key not in side:
            return "—"
        value = side[key]
        return labels[key].get(value, value) if key in labels and isinstance(value, str) else value_text(value)
    return [(value_name(key), shown(before, key), shown(after, key)) for key in dict.fromkeys([*before, *after])]
