"""Reports of decisions and findings, for people (tables) and machines (CSV, JSON)."""
