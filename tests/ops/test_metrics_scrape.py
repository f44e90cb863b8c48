"""A scrape while a gunicorn worker creates its metric file still answers."""
from __future__ import annotations


def test_a_metric_file_being_created_does_not_fail_the_scrape(client, tmp_path, monkeypatch):
    """prometheus_client opens a worker's file, then sizes it: a scrape in between found it empty
    and answered 500 (struct.error). The file is left out of that scrape; the others count."""
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    from prometheus_client.mmap_dict import MmapedDict

    counts = MmapedDict(str(tmp_path / "counter_4242.db"))  # a worker that counted one request
    counts.write_value('["catalog_http_requests", "catalog_http_requests_total", '
                       '{"endpoint": "ops.healthz", "method": "GET", "status": "200"}, "Requests"]', 1.0, 0.0)
    counts.close()
    (tmp_path / "counter_4343.db").touch()  # a worker creating its file right now
    r = client.get("/metrics")
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    counted = 'catalog_http_requests_total{endpoint="ops.healthz",method="GET",status="200"} 1.0'
    assert counted in r.get_data(as_text=True)
