"""Electronic signatures of records: a simple signature now; the qualified one (CMS, GOST) plugs into the same call."""
