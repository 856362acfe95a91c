"""What the job runner can do: each kind of job, its label, and the periodic schedules.

A kind's ``run(params, progress)`` returns a small JSON result; ``progress(done, total)`` publishes
how far it got and raises ``JobCancelled`` once a cancel was asked for. Schedules are crontab
fields in UTC (Beijing is UTC+8: 18:30 UTC is 02:30 the next morning in Zhengzhou).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

from flask import current_app

from ..services import (
    acquisitions,
    alerts,
    chain_milestones,
    chains,
    export_jobs,
    files,
    import_jobs,
    jobs,
    key_rotation,
    listings,
    matching,
    notifications,
    photos,
    reservations,
    search,
    viewings,
)
from .broker import dispatch

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class JobKind:
    label: str
    run: Callable[[dict, Progress], dict]


def _match_run(params: dict, progress: Progress) -> dict:
    return asdict(matching.run_matching(advance=_counted(progress, 0)))


def _counted(progress: Progress, total: int) -> Callable[[int], None]:
    """An ``advance(n)`` callback publishing done out of a known total."""
    done = [0]

    def advance(count: int) -> None:
        done[0] += count
        progress(done[0], total)
    return advance


def _search_reindex(params: dict, progress: Progress) -> dict:
    if not search.elasticsearch_configured():
        return {"skipped": "站内搜索直接读取数据库，没有需要重建的索引"}
    return search.rebuild_indices(advance=_counted(progress, search.documents_to_index()))


def _keys_rotate(params: dict, progress: Progress) -> dict:
    report = key_rotation.rotate_data_key(advance=_counted(progress, key_rotation.sealed_value_count()))
    return {"current_key_id": report.current_key_id, "resealed": report.total}


def _recover(params: dict, progress: Progress) -> dict:
    requeued = jobs.requeue_lost_jobs()
    for job_id in requeued:
        dispatch(jobs.job_by_id(job_id))
    return {"requeued": requeued}


JOB_KINDS: dict[str, JobKind] = {
    import_jobs.KIND: JobKind("批量导入房源", import_jobs.run_import),
    export_jobs.KIND: JobKind("导出统计报表", export_jobs.run_export),
    "match_run": JobKind("匹配新房", _match_run),
    "match_chains": JobKind("寻找换房链", lambda params, progress: asdict(chains.run_chain_finder())),
    "chains_milestones_notify": JobKind("提醒逾期的连环单节点", lambda params, progress: {
        "notified": chain_milestones.notify_overdue()}),
    "search_alerts": JobKind("保存搜索提醒", lambda params, progress: {"notified": alerts.run_alerts()}),
    "listings_expire": JobKind("房源挂牌到期", lambda params, progress: {
        "expired": listings.expire_stale_listings(current_app.config["LISTING_EXPIRY_DAYS"])}),
    "offers_expire": JobKind("收购报价到期", lambda params, progress: {"expired": acquisitions.expire_offers()}),
    "files_expire": JobKind("清理过期文件和无主照片", lambda params, progress: {
        "deleted": files.expire_generated(), "photo_files_removed": photos.remove_unreferenced_files()}),
    "outbox_drain": JobKind("同步搜索索引", lambda params, progress: {"applied": search.drain_outbox_now()}),
    "jobs_recover": JobKind("恢复中断的任务", _recover),
    "notifications_deliver": JobKind("发送邮件和短信通知", lambda params, progress: asdict(
        notifications.deliver_due())),
    "offers_remind": JobKind("提醒即将到期的收购报价", lambda params, progress: {
        "reminded": acquisitions.remind_offers_due(current_app.config["OFFER_REMINDER_DAYS"])}),
    "viewings_expire": JobKind("看房预约过期", lambda params, progress: {
        "expired": viewings.expire_past_requests()}),
    "reservations_expire": JobKind("锁房保留期到期", lambda params, progress: reservations.expire_due()),
    "search_reindex": JobKind("重建搜索索引", _search_reindex),
    "keys_rotate": JobKind("数据密钥轮换", _keys_rotate),
}

PERIODIC: dict[str, dict[str, str]] = {
    "outbox_drain": {"minute": "*"},
    "jobs_recover": {"minute": "*"},
    "notifications_deliver": {"minute": "*"},
    "offers_remind": {"minute": "0", "hour": "1"},       # 09:00 Beijing, in working hours
    "chains_milestones_notify": {"minute": "30", "hour": "1"},  # 09:30 Beijing
    "search_alerts": {"minute": "*/5"},
    "viewings_expire": {"minute": "20"},                 # hourly
    "offers_expire": {"minute": "10", "hour": "16"},     # 00:10 Beijing
    "reservations_expire": {"minute": "15", "hour": "16"},  # 00:15 Beijing, the day after a hold's last
    "listings_expire": {"minute": "30", "hour": "18"},   # 02:30 Beijing
    "files_expire": {"minute": "45", "hour": "18"},      # 02:45 Beijing
    "match_run": {"minute": "0", "hour": "19"},          # 03:00 Beijing
    "match_chains": {"minute": "0", "hour": "20"},       # 04:00 Beijing
}
