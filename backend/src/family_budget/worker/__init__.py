"""The worker: jobs (the transactional outbox), their schedule and the Celery app that runs them.

- jobs.py: enqueue, claim, run, relay and drain jobs (the guarantees are in its docstring)
- schedule.py: periodic jobs and `tick`
- celery_app.py: the Celery app of `family-budget worker` and `family-budget beat`
- dispatch.py: the API's nudge after a commit that enqueued jobs
- tasks.py: the list of modules that define jobs
- metrics.py: the worker's Prometheus metrics
"""
