"""The only package that touches DuckDB."""

from warehouse.db import Warehouse, WarehouseBusyError, WriteRefusedError

__all__ = ["Warehouse", "WarehouseBusyError", "WriteRefusedError"]
