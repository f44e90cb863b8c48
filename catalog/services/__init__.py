"""Domain logic, permissions and the one commit per operation, by area.

Areas, each allowed to import only those after it (checked by `lint-imports`):
interop → oversight → deployments → repos → catalog → accounts. Below every area sit the
cross-cutting modules `audit`, `permissions`, `repo_paths`, `tx` and `errors`; `fsck` sits above
them all. Services never touch `request`, `session`, `current_user`, `flash` or `url_for`.
"""
