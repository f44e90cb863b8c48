#!/bin/sh
# Nightly backup of Katalog Bagi-Pakai, run by catalog-backup.service (systemd timer).
# One new directory per run under CATALOG_BACKUP_ROOT, checked with --verify, then only the
# newest CATALOG_BACKUP_KEEP verified backups are kept. Copy them off this machine as well
# (rsync, restic, ...): a backup on the same disk does not survive the disk.
set -eu

root="${CATALOG_BACKUP_ROOT:-/var/backups/katalog}"
keep="${CATALOG_BACKUP_KEEP:-14}"
flask="${CATALOG_FLASK:-/srv/katalog/.venv/bin/flask}"

mkdir -p "$root"
dir="$root/katalog-$(date -u +%Y%m%dT%H%M%SZ)"
"$flask" --app wsgi catalog backup "$dir"
"$flask" --app wsgi catalog backup --verify "$dir"

# Retention: the newest $keep backups that have a manifest; interrupted ones (no manifest) go too.
ls -1d "$root"/katalog-*Z 2>/dev/null | sort -r | {
  kept=0
  while IFS= read -r old; do
    if [ -f "$old/manifest.json" ] && [ "$kept" -lt "$keep" ]; then
      kept=$((kept + 1))
    elif [ "$old" != "$dir" ]; then
      rm -rf -- "$old"
    fi
  done
}
