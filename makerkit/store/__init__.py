"""The portfolio store: SQLite (embedded default, WAL) and PostgreSQL (scale-out) behind one interface.

    store = open_store("sqlite:///portfolio.db")      # or "postgresql://postgres@127.0.0.1/test"
"""

from .base import (BEGINNING, AssignmentConflict, Flood, Gap, Hold, KitKey, Quarantined, Store, StoredRecord,
                   now_iso, open_store)

__all__ = ["BEGINNING", "AssignmentConflict", "Flood", "Gap", "Hold", "KitKey", "Quarantined", "Store",
           "StoredRecord", "now_iso", "open_store"]
