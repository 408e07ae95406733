"""Full-text and attribute search over cards: PostgreSQL tsvector, SQLite FTS5 in the embedded default."""
