"""Notifications to people about training jobs (webhook, e-mail), sent after the job state change committed."""
