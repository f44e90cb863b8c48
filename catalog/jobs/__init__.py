"""The job queue (`jobs.queue`): below the services, importing none of them."""
