"""Estate scan: where does restricted software, an SDK or a device still run?

Data flows one way:
- `inventories/`: one reader per inventory format (osquery, SBOMs, CSV exports,
  nmap XML, this machine), each giving DuckDB SQL that yields `items.COLUMNS`;
- `signatures.py`: the catalog's detection rules as SQL conditions;
- `scan.py`: one pass per inventory: every row tested against every signature
  inside DuckDB (columnar, no Python loop per row), only the matches come back;
- `findings.py`: a match becomes a finding with the measure's status on a date;
- `banwatch.report.estate` presents them (JSON, CSV, a self-contained HTML page).
"""
