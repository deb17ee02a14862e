"""Prefect flows: thin glue over telefeed.pipeline, connectors and warehouse."""
