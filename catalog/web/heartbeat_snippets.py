"""The heartbeat snippets on a deployment page (issue 19): cron + curl, a systemd timer, a PHP
function and a Python one. Each reads the running version from the deployed tree (`git describe`,
else a VERSION file) and posts it; the page shows them with the token once it is issued, or
with TOKEN_PLACEHOLDER until then. tests/web/test_heartbeat_ui.py runs the curl line, the PHP
script and the Python one against a live server. Each exits non-zero when the beat is refused,
so cron's mail or the timer's status shows a failing report."""
from __future__ import annotations

from dataclasses import dataclass

TOKEN_PLACEHOLDER = "TOKEN_HEARTBEAT_ANDA"


@dataclass(frozen=True)
class Snippets:
    curl: str      # the command alone (what cron runs)
    cron: str      # the crontab line
    systemd_service: str
    systemd_timer: str
    php: str
    python: str


def _version_shell(app_dir: str) -> str:
    return (f"$(git -C {app_dir} describe --tags --always 2>/dev/null || cat {app_dir}/VERSION)")


def build(url: str, token: str | None, app_dir: str) -> Snippets:
    token = token or TOKEN_PLACEHOLDER
    curl = (f'curl -fsS -m 20 -X POST -H "Authorization: Bearer {token}" -H "Content-Type: application/json" '
            f'-d "{{\\"version\\": \\"{_version_shell(app_dir)}\\"}}" {url}')
    cron = f"*/5 * * * * {curl} >/dev/null"
    service = ("[Unit]\nDescription=kbp-heartbeat\n\n[Service]\nType=oneshot\n"
               f"ExecStart=/bin/sh -c '{curl}'\n")
    timer = ("[Unit]\nDescription=kbp-heartbeat, every 5 minutes\n\n[Timer]\nOnBootSec=1min\n"
             "OnUnitActiveSec=5min\nRandomizedDelaySec=30\n\n[Install]\nWantedBy=timers.target\n")
    php = f"""<?php
// heartbeat.php: php {app_dir}/heartbeat.php (cron tiap 5 menit)
function kbp_heartbeat(string $appDir): bool
{{
    $git = 'git -C ' . escapeshellarg($appDir) . ' describe --tags --always 2>/dev/null';
    $version = trim((string) @shell_exec($git));
    if ($version === '' && is_readable($appDir . '/VERSION')) {{
        $version = trim((string) file_get_contents($appDir . '/VERSION'));
    }}
    $ch = curl_init('{url}');
    curl_setopt_array($ch, [
        CURLOPT_POST => true,
        CURLOPT_HTTPHEADER => ['Authorization: Bearer {token}', 'Content-Type: application/json'],
        CURLOPT_POSTFIELDS => json_encode(['version' => $version]),
        CURLOPT_RETURNTRANSFER => true,
        CURLOPT_TIMEOUT => 20,
    ]);
    curl_exec($ch);
    $status = curl_getinfo($ch, CURLINFO_HTTP_CODE);
    curl_close($ch);
    return $status === 200;
}}

exit(kbp_heartbeat('{app_dir}') ? 0 : 1);
"""
    python = f'''"""heartbeat.py: python3 {app_dir}/heartbeat.py (cron tiap 5 menit)."""
import json
import pathlib
import subprocess
import urllib.request


def kbp_heartbeat(app_dir: str) -> int:
    try:
        version = subprocess.run(["git", "-C", app_dir, "describe", "--tags", "--always"], capture_output=True,
                                 text=True, check=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        version = pathlib.Path(app_dir, "VERSION").read_text().strip()
    request = urllib.request.Request(
        "{url}", data=json.dumps({{"version": version}}).encode(), method="POST",
        headers={{"Authorization": "Bearer {token}", "Content-Type": "application/json"}})
    with urllib.request.urlopen(request, timeout=20) as response:
        return response.status


if __name__ == "__main__":
    kbp_heartbeat("{app_dir}")
'''
    return Snippets(curl, cron, service, timer, php, python)
