"""Deployments: recording and the lifecycle (`lifecycle`), field checks (`fields`), reads
(`queries`) and version checks with the lag behind upstream (`versions`)."""
