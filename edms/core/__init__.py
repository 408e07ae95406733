"""Infrastructure shared by every domain module: database, transactions, jobs, blobs, clock, errors, validators."""
