"""What the audit log's codes mean, in the words the bureau reads them (pages and exports).

The log stores stable codes (``listing.verify``); people read labels. Actions that are a step of a
lifecycle (``acquisition.offer_made``) take their label from that lifecycle's states, so a new
state is named once. ``tests/test_audit_coverage.py`` fails when code records an action that has
no label here.
"""
from __future__ import annotations

from .acquisitions import AcquisitionStatus
from .market_swaps import MarketSwapStatus

ACTIONS = {
    "acquisition.intake": "城发集团受理收购申请",
    "api_token.issue": "签发接口令牌", "api_token.revoke": "吊销接口令牌",
    "application.create": "创建换房申请", "application.update": "修改换房申请",
    "application.submit": "提交换房申请", "application.withdraw": "撤回换房申请",
    "chain.accept": "确认换房链", "chains.run": "寻找换房链",
    "demo.seed": "载入演示数据",
    "export.audit_log": "导出审计日志", "export.dashboard": "导出统计报表", "export.queued": "申请导出统计报表",
    "job.failed": "后台任务失败",
    "keys.rotate": "轮换数据密钥",
    "ledger.count": "计入目标台账", "ledger.reverse": "撤销台账计数", "ledger.unit_settle": "新房购买核销",
    "ledger.reversal_request": "申请撤销计数", "ledger.reversal_approve": "复核通过撤销",
    "ledger.reversal_reject": "复核驳回撤销",
    "listing.create": "新建房源", "listing.update": "修改房源", "listing.status": "变更房源状态",
    "listing.verify": "核验房源", "listing.assign": "分配房源经纪人", "listing.photo_add": "上传房源照片",
    "listing.import": "批量导入房源", "listing.import_queued": "提交批量导入", "listing.export": "导出房源",
    "market_swap.record": "登记市场交易", "market_swap.verify": "核验市场交易",
    "market_swap.contract_check": "核对网签合同",
    "matching.run": "运行新房匹配",
    "organization.apply": "机构申请入驻", "organization.register": "登记机构",
    "organization.approve": "批准机构", "organization.reject": "驳回机构申请",
    "organization.suspend": "暂停机构", "organization.reinstate": "恢复机构",
    "project.create": "新建楼盘", "project.update": "修改楼盘", "building.rename": "楼栋改名",
    "reference.load": "载入基础数据",
    "rules.draft": "起草项目规则", "rules.update_draft": "修改规则草稿", "rules.publish": "发布项目规则",
    "title_registry.import": "导入产权登记数据",
    "unit.create": "新建新房房源", "unit.update": "修改新房房源", "unit.status": "变更新房房源状态",
    "unit.price_list_import": "导入一房一价表",
    "user.register": "注册账户", "user.create": "创建账户", "user.login": "登录", "user.logout": "退出登录",
    "user.change_password": "修改密码", "user.reset_password": "重置密码", "user.lock": "锁定账户",
    "user.unlock": "解锁账户", "user.enable": "启用或停用账户",
}

# Lifecycle steps recorded as ``<kind>.<state>``: the step's label is its state's.
STEPS = {"acquisition": ("收购", AcquisitionStatus), "market_swap": ("市场交易", MarketSwapStatus)}

ENTITIES = {
    "acquisition": "收购", "api_token": "接口令牌", "application_match": "匹配结果", "audit_event": "审计日志",
    "building": "楼栋", "chain_proposal": "换房链", "dashboard": "统计报表", "data_key": "数据密钥",
    "demo": "演示数据", "goal_ledger_entry": "目标台账记录", "job_run": "后台任务", "listing": "二手房源",
    "market_swap": "市场交易", "organization": "机构", "program_rule_version": "项目规则",
    "project": "楼盘", "reference": "基础数据", "swap_application": "换房申请", "title_registry": "产权登记",
    "unit": "新房房源", "user": "账户",
}

# The log's filter picks a group (an action prefix, "listing.") or one action.
GROUPS = {
    "acquisition": "收购", "api_token": "接口令牌", "application": "换房申请", "building": "楼栋", "chain": "换房链",
    "chains": "换房链查找", "demo": "演示数据", "export": "导出", "job": "后台任务", "keys": "数据密钥",
    "ledger": "目标台账", "listing": "二手房源", "market_swap": "市场交易", "matching": "新房匹配",
    "organization": "机构", "project": "楼盘", "reference": "基础数据", "rules": "项目规则",
    "title_registry": "产权登记", "unit": "新房房源", "user": "账户",
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
