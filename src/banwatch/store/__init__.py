"""Where loaded lists live: versioned snapshots in an embedded SQLite database
(snapshots.py), and the diff between two snapshots (diff.py)."""
