"""Append-only, hash-chained audit journal of every action."""
