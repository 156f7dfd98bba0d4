"""`make data` as stages: sources → conversion shards → hygiene → tasks → outputs, with fingerprints and
atomic generations."""
