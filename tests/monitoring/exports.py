"""Asking for a dashboard export the way the page does, and fetching the file the job made."""
from __future__ import annotations

import re


def exported(client, table: str | None = None, **filters):
    """POST the export form (the app's test broker runs the job at once), follow to the job's
    page, and download its file; returns the download response."""
    form = {**filters, **({"table": table} if table else {})}
    queued = client.post("/bureau/dashboard/exports", data=form)
    assert queued.status_code == 303, queued.get_data(as_text=True)[:500]
    job_page = queued.headers["Location"]
    page = client.get(job_page).get_data(as_text=True)
    link = re.search(r'href="(/exports/\d+/file)"', page)
    assert link, page[:1500]
    return client.get(link.group(1))
