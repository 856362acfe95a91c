"""Crossing machines: what one app machine writes, the other serves; what is asked twice at once
runs once; a sick search node, a killed worker or a restarted database server costs no data.

The tests that stop part of the cluster come last and bring it back before they end.
"""
from __future__ import annotations

import io
import os
import re
from concurrent.futures import ThreadPoolExecutor

import requests
from PIL import Image

from tests.cluster.conftest import (
    RUN,
    Machine,
    cluster_listing,
    control,
    eventually,
    flask,
    listing_file,
    next_serial,
    signed_in,
    token,
    upload,
)
from tests.matching.helpers import application_fields


def jpeg(width: int = 1200, height: int = 900) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (120, 160, 90)).save(buffer, format="JPEG")
    return buffer.getvalue()


def new_listing(machine: Machine, agency_token: str) -> int:
    created = machine.api("POST", "/api/v1/listings", agency_token, json=cluster_listing())
    assert created.status_code == 201, created.text
    return created.json()["id"]


def project_with_units(machine: Machine, developer_token: str, name: str, units: int = 2) -> tuple[int, list[int]]:
    project = machine.api("POST", "/api/v1/projects", developer_token, json={
        "name": name, "district_code": "410105", "address": "金水区集群路1号", "lat": 34.78, "lon": 113.68,
        "presale_permit_no": f"郑房预售字[2026]第{RUN}{next_serial():04d}号", "delivery_date": "2027-10-01",
        "in_swap_program": True})
    assert project.status_code == 201, project.text
    project_id = project.json()["id"]
    unit_ids = []
    for floor in range(2, 2 + units):
        unit = machine.api("POST", "/api/v1/units", developer_token, json={
            "project_id": project_id, "building": "1号楼", "floor": floor, "room": f"{floor}01", "area_m2": "420.00",
            "bedrooms": 5, "living_rooms": 2, "bathrooms": 3, "list_price": 4_200_000})
        assert unit.status_code == 201, unit.text
        unit_ids.append(unit.json()["id"])
    return project_id, unit_ids


def found_units(machine: Machine, text: str) -> set[int]:
    answer = requests.get(f"{machine.url}/api/v1/units", params={"q": text, "per_page": 50}, timeout=30)
    assert answer.status_code == 200, answer.text
    return {item["id"] for item in answer.json()["items"]}


def import_job(machine: Machine, rows: list[dict]) -> int:
    answer = machine.form("/agency/import", {"mode": "all_or_nothing"}, files=upload("房源.csv", listing_file(rows)))
    assert answer.status_code == 303, answer.text[:500]
    return int(answer.headers["Location"].rstrip("/").split("/")[-1])


def job_progress(machine: Machine, job_id: int) -> dict:
    answer = machine.page(f"/agency/import/jobs/{job_id}/progress")
    assert answer.status_code == 200, answer.text[:500]
    return answer.json()


def exported_references(machine: Machine) -> list[str]:
    answer = machine.page("/agency/export.csv")
    assert answer.status_code == 200
    return re.findall(rf"CL{RUN}-\d+", answer.content.decode("utf-8-sig"))


def test_a_photo_uploaded_through_a_is_served_by_b(machine_a, machine_b):
    agency = token(machine_a, "demo-agency")
    listing_id = new_listing(machine_a, agency)
    signed_in(machine_a, "demo-agency")
    answer = machine_a.form(f"/my/listings/{listing_id}/photos", {}, files={"photos": ("客厅.jpg", jpeg(), "image/jpeg")},
                            csrf_from=f"/listings/{listing_id}")
    assert answer.status_code == 302
    photo_ids = re.findall(r"/photos/(\d+)/thumb", machine_b.page(f"/listings/{listing_id}").text)
    assert photo_ids, "machine B does not list the photo"
    served = machine_b.page(f"/photos/{photo_ids[0]}/thumb")
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(served.content)).size[0] <= 400


def test_an_import_started_on_a_is_done_by_the_worker_and_read_on_b(machine_a, machine_b):
    signed_in(machine_a, "demo-agency")
    rows = [cluster_listing() for _ in range(40)]
    job_id = import_job(machine_a, rows)
    ended = eventually(lambda: (p := job_progress(machine_b, job_id))["finished"] and p, "the import to end")
    assert ended["state"] == "succeeded", ended
    page = machine_b.page(f"/agency/import/jobs/{job_id}").text
    assert "40" in page
    assert {row["agency_reference"] for row in rows} <= set(exported_references(machine_b))


def test_the_same_idempotency_key_on_a_and_b_at_once_runs_once(machine_a, machine_b):
    agency = token(machine_a, "demo-agency")
    content = listing_file([cluster_listing() for _ in range(30)])
    key = f"cluster-{RUN}-import"

    def send(machine: Machine) -> requests.Response:
        return machine.api("POST", "/api/v1/listings/import", agency, headers={"Idempotency-Key": key},
                           files=upload("listings.csv", content), data={"mode": "valid_rows"})

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(send, [machine_a, machine_b, machine_a, machine_b]))
    statuses = sorted(answer.status_code for answer in answers)
    assert set(statuses) <= {200, 409}, [answer.text[:300] for answer in answers]
    done = [answer.json() for answer in answers if answer.status_code == 200]
    assert done
    assert all(body == done[0] for body in done)  # replays of one result
    assert done[0]["created"] == 30
    for answer in answers:
        if answer.status_code == 409:
            assert answer.json()["error"]["message"]


def test_a_project_change_on_a_is_seen_by_b_in_search_and_matching(machine_a, machine_b):
    developer, household = token(machine_a, "demo-developer"), token(machine_a, "demo-owner")
    old_name, new_name = f"集群湖畔{RUN}", f"集群湖畔{RUN}改名"
    project_id, unit_ids = project_with_units(machine_a, developer, old_name)
    application = machine_a.api("POST", "/api/v1/applications", household, json=application_fields(
        certificate_number=f"豫(2016)郑州市不动产权第{RUN:03d}9999号", min_area_m2="400", savings="6000000",
        max_loan="3000000", wanted_districts="金水区", needs_elevator="否"))
    assert application.status_code == 201, application.text
    application_id = application.json()["id"]
    submitted = machine_a.api("POST", f"/api/v1/applications/{application_id}/submit", household)
    assert submitted.json()["status"] == "eligible", submitted.text
    matches_path = f"/api/v1/applications/{application_id}/matches"

    def labels_on_b() -> list[str]:
        answer = machine_b.api("GET", matches_path, household)
        assert answer.status_code == 200, answer.text
        return [item["label"] for item in answer.json()["items"] if item["unit_id"] in unit_ids]

    assert eventually(lambda: len(labels_on_b()) == len(unit_ids), "B to match the new units")
    assert all(old_name in label for label in labels_on_b())
    eventually(lambda: found_units(machine_b, old_name) == set(unit_ids), "B's search to find the units")

    renamed = machine_a.api("PATCH", f"/api/v1/projects/{project_id}", developer, json={"name": new_name})
    assert renamed.status_code == 200, renamed.text

    eventually(lambda: all(new_name in label for label in labels_on_b()), "B's matching to show the new name",
               timeout_s=10)
    eventually(lambda: found_units(machine_b, new_name) == set(unit_ids), "B's search to find the new name",
               timeout_s=10)


def test_concurrent_audited_writes_on_both_machines_keep_the_audit_chain_whole(machine_a, machine_b):
    agency = token(machine_a, "demo-agency")
    with ThreadPoolExecutor(8) as pool:
        created = list(pool.map(lambda machine: new_listing(machine, agency), [machine_a, machine_b] * 10))
    assert len(set(created)) == 20
    verified = flask("audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_search_answers_from_the_replica_while_a_node_is_down(machine_a, machine_b):
    developer = token(machine_a, "demo-developer")
    name = f"集群副本{RUN}"
    _, unit_ids = project_with_units(machine_a, developer, name, units=3)
    eventually(lambda: found_units(machine_b, name) == set(unit_ids), "the units to be searchable")
    control("es-node-stop")
    try:
        answer = requests.get(f"{machine_b.url}/api/v1/units", params={"q": name}, timeout=30).json()
        assert answer["backend"] == "elasticsearch"
        assert not answer["degraded"]  # answered by the cluster, from the replicas
        assert {item["id"] for item in answer["items"]} == set(unit_ids)
        repriced = machine_a.api("PATCH", f"/api/v1/units/{unit_ids[0]}", developer, json={"list_price": 4_100_000})
        assert repriced.status_code == 200, repriced.text
    finally:
        control("es-node-start")
    eventually(lambda: requests.get(f"{os.environ['HOUSING_SWAP_CLUSTER_ES']}/_cluster/health", timeout=10)
               .json()["status"] == "green", "the cluster to be green again", timeout_s=120, every_s=1)
    checked = flask("search", "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_worker_killed_mid_import_is_retried_and_writes_each_row_once(machine_a, machine_b):
    signed_in(machine_a, "demo-agency")
    rows = [cluster_listing() for _ in range(3000)]
    job_id = import_job(machine_a, rows)
    try:
        eventually(lambda: job_progress(machine_b, job_id)["done"] > 0, "the import to start writing",
                   timeout_s=120, every_s=0.05)
    finally:
        control("worker-kill")
    assert job_progress(machine_b, job_id)["state"] == "running"
    control("worker-start")
    # Recovery runs every minute on the worker's schedule; an operator can run it now. Either
    # finds the job's run lock free (its worker is gone) and queues the job again.
    recovered = flask("jobs", "run", "jobs_recover")
    assert recovered.returncode == 0, recovered.stdout + recovered.stderr
    ended = eventually(lambda: (p := job_progress(machine_b, job_id))["finished"] and p, "the retried import",
                       timeout_s=180, every_s=0.5)
    assert ended["state"] == "succeeded", ended
    references = exported_references(machine_b)
    imported = [reference for reference in references if reference in {row["agency_reference"] for row in rows}]
    assert len(imported) == len(set(imported)) == 3000


def test_a_short_database_outage_answers_503_then_recovers(machine_a, machine_b):
    household = token(machine_a, "demo-owner")
    control("postgres-stop")
    try:
        answer = machine_a.api("GET", "/api/v1/auth/me", household)
        assert answer.status_code == 503
        assert answer.json()["error"]["code"] == "database_unavailable"
        assert requests.get(f"{machine_b.url}/readyz", timeout=30).status_code == 503
    finally:
        control("postgres-start")
    for machine in (machine_a, machine_b):
        eventually(lambda m=machine: m.api("GET", "/api/v1/auth/me", household).status_code == 200,
                   f"machine {machine.name} to serve again", timeout_s=30, every_s=0.5)
