"""Figures from the record: per request class offered / served / unanswered / 5xx and p50 / p95 / max
(of the answered requests), per step of a curve, and the text report."""
from __future__ import annotations

import statistics
from collections import Counter, defaultdict

PAGE_P95_LIMIT_MS = 1000.0
# Classes first in this order in the text report; others follow by name.
ORDER = ("page", "page_signed_in", "search", "api_read", "login", "fork", "clone", "push", "deploy")

Sample = tuple[int, str, str, int | None, float, bool]  # (step, class, page, status or None, seconds, cache hit)


def percentiles(seconds: list[float]) -> dict:
    if not seconds:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}
    ordered = sorted(seconds)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": round(pick(0.95) * 1000, 1),
            "p99_ms": round(pick(0.99) * 1000, 1), "max_ms": round(ordered[-1] * 1000, 1)}


def _figures(samples: list[Sample]) -> dict:
    answered = [s for s in samples if s[3] is not None]
    statuses = Counter(s[3] for s in answered)
    return {"offered": len(samples), "served": len(answered), "unanswered": len(samples) - len(answered),
            "server_5xx": sum(n for code, n in statuses.items() if code >= 500),
            "page_cache_hits": sum(s[5] for s in answered),
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
            **percentiles([s[4] for s in answered])}


def _sorted(keys) -> list[str]:
    rank = {k: i for i, k in enumerate(ORDER)}
    return sorted(keys, key=lambda k: (rank.get(k.split("/")[0], len(ORDER)), k))


def by_class(samples: list[Sample]) -> dict[str, dict]:
    """Class -> figures. Offered: requests users started; served: answered with any HTTP status."""
    groups: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        groups[s[1]].append(s)
    return {k: _figures(groups[k]) for k in _sorted(groups)}


def by_page(samples: list[Sample]) -> dict[str, dict]:
    """'class/page' -> figures, for the classes whose requests name a page."""
    groups: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        if s[2]:
            groups[f"{s[1]}/{s[2]}"].append(s)
    return {k: _figures(groups[k]) for k in _sorted(groups)}


def totals(samples: list[Sample], seconds: float) -> dict:
    f = _figures(samples)
    return {"offered": f["offered"], "served": f["served"], "unanswered": f["unanswered"],
            "server_5xx": f["server_5xx"], "offered_per_second": round(f["offered"] / seconds, 1) if seconds else 0,
            "served_per_second": round(f["served"] / seconds, 1) if seconds else 0}


def step_figures(samples: list[Sample], users: dict, seconds: float) -> dict:
    classes = by_class(samples)
    return {**users, "seconds": round(seconds, 1), **totals(samples, seconds),
            "page_p95_ms": classes.get("page", {}).get("p95_ms"),
            "page_signed_in_p95_ms": classes.get("page_signed_in", {}).get("p95_ms"),
            "classes": classes}


def push_shown(delays: list[float | None]) -> dict:
    """How soon the fork showed each acknowledged push (issue 12: within 2 s)."""
    seen = [d for d in delays if d is not None]
    return {"pushes": len(delays), "not_shown_in_10_s": len(delays) - len(seen), **percentiles(seen)}


def knee(steps: list[dict], key: str, limit_ms: float = PAGE_P95_LIMIT_MS) -> int | None:
    """The largest user count of a step whose `key` p95 was within the limit (None: no such step)."""
    ok = [s["users"] for s in steps if s.get(key) is not None and s[key] <= limit_ms]
    return max(ok) if ok else None


def _ms(v) -> str:
    return "-" if v is None else f"{v:,.0f}"


def class_table(classes: dict[str, dict], title: str = "class") -> list[str]:
    lines = [f"{title:<30} {'offered':>8} {'served':>8} {'no ans':>7} {'5xx':>5} {'cached':>6} {'p50 ms':>8} "
             f"{'p95 ms':>8} {'max ms':>8}  other statuses"]
    for name, f in classes.items():
        odd = {k: v for k, v in f["statuses"].items() if not k.startswith(("2", "3"))}
        lines.append(f"{name:<30} {f['offered']:>8} {f['served']:>8} {f['unanswered']:>7} {f['server_5xx']:>5} "
                     f"{f['page_cache_hits']:>6} {_ms(f['p50_ms']):>8} {_ms(f['p95_ms']):>8} {_ms(f['max_ms']):>8}  "
                     + (", ".join(f"{k}×{v}" for k, v in odd.items()) or ""))
    return lines


def curve_table(steps: list[dict]) -> list[str]:
    lines = [f"{'users':>5} {'api/staff/aud':>13} {'s':>5} {'offered/s':>9} {'served/s':>8} {'page p95':>9} "
             f"{'signed-in p95':>13} {'5xx':>5} {'no ans':>6} {'drained':>7}"]
    for s in steps:
        mix = f"{s['api_users']}/{s['staff']}/{s['auditors']}"
        lines.append(f"{s['users']:>5} {mix:>13} {s['seconds']:>5} {s['offered_per_second']:>9} "
                     f"{s['served_per_second']:>8} {_ms(s['page_p95_ms']):>9} {_ms(s['page_signed_in_p95_ms']):>13} "
                     f"{s['server_5xx']:>5} {s['unanswered']:>6} {str(s.get('drained', '-')):>7}")
    return lines


def summary(report: dict) -> str:
    load, writes = report["load"], report["writes"]
    lines = [f"users {load['users']} (API {load['api_users']}, signed-in staff {load['staff']}, signed-in "
             f"auditors {load['auditors']}), {load['seconds']} s: offered {load['offered']} requests "
             f"({load['offered_per_second']}/s), served {load['served']} ({load['served_per_second']}/s), "
             f"unanswered {load['unanswered']}, 5xx {load['server_5xx']} (clients) / {load['gunicorn_5xx']} "
             f"(server log); gunicorn logged {load['served_by_gunicorn']} HTTP requests",
             f"logins: {load['logins'].get('ok', 0)} ok, {load['logins'].get('refused', 0)} refused; "
             f"sessions lost: {load['sessions_lost']}; git pushes refused: {load['git_refusals']}",
             "", "per class (latency of answered requests; cached: answered from the visitors' page cache):",
             *class_table(load["classes"]),
             "", "per page:", *class_table(load["pages"], "class/page")]
    if "push_shown" in load:
        shown = load["push_shown"]
        lines += ["", f"fork shows the push (from the push's return): p50 {_ms(shown['p50_ms'])} ms, p95 "
                  f"{_ms(shown['p95_ms'])} ms, max {_ms(shown['max_ms'])} ms over {shown['pushes']} pushes; "
                  f"not within 10 s: {shown['not_shown_in_10_s']}"]
    if "curve" in report:
        curve = report["curve"]
        named = {k: "none" if v is None else v for k, v in curve.items()}
        lines += ["", "saturation curve (one row per step; p95 in ms):", *curve_table(report["steps"]),
                  f"largest user count with page p95 <= {curve['page_p95_limit_ms']:,.0f} ms: "
                  f"{named['largest_users_page_p95_ok']} (anonymous pages), "
                  f"{named['largest_users_signed_in_p95_ok']} (signed-in pages)"]
    if "cpu" in report:
        lines += ["", "CPU during the load (seconds: own + reaped children; share of all cores):"]
        lines += [f"  {kind:14s} {c['own_s']:8.1f} + {c['children_s']:7.1f}  {c['share']:6.1%}"
                  for kind, c in report["cpu"].items()]
        lines += ["web workers' Python CPU by view (py-spy, middle third of the load):"]
        views = report.get("web_cpu_by_view", [])
        lines += [f"  {share:6.1%}  {view}" for view, share in views] or ["  (py-spy not installed)"]
    lines.append("")
    lines += [f"{name}: acknowledged {w['acknowledged']}, found {w['found']}"
              + (f", missing {w['missing']}" if w["missing"] else "") for name, w in writes.items()]
    lines.append(f"audit-verify exit {report['audit_verify']['exit']}: {report['audit_verify']['output']}")
    lines.append(f"fsck exit {report['fsck']['exit']}: {report['fsck']['output']}")
    lines.append("RESULT: " + ("OK" if report["ok"] else "FAILED"))
    return "\n".join(lines)
