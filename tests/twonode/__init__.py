"""Two application nodes (agencies A and B) exchanging a document over HTTP, each with its own database, Redis,
worker and HTTP server."""
