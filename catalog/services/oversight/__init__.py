"""For auditors: reuse reports (`reports`), their findings (`findings`) and tables
(`tables`) with CSV (`csv_export`), and audit checkpoints to keep off the server (`checkpoints`)."""
