"""The product's PostgreSQL backend (settings: ENGINE "portal.db")."""
