"""Operations: backup (backup.py), its check and restore (restore.py); the manifest, the database
dump and the repositories' bundles each in a module of their own."""
