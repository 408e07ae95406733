"""МЭДО exchange between agencies: reading and writing packets (`packets`), and later the inbox/outbox, transports,
routing and notifications built on them. See ../shared/conformance/medo/FORMAT.md for the wire format."""
