"""Users, roles and permissions, local login, server-side sessions and API tokens."""
