"""RQ jobs and periodic runs of citizen services, one file per part; each takes ids and is idempotent."""
