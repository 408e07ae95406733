"""The services of the catalogue, one module each (a `SERVICE` definition with its field rules); `common` holds the
groups of fields they share."""
