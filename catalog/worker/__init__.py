"""What the worker process runs: the task registry (`tasks`) and e-mail delivery (`mail`).
It sits above the services it calls; services reach it only by name through `jobs.queue`."""
