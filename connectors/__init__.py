"""Network and file IO, one module per kind of source. Never touches DuckDB or Prefect."""
