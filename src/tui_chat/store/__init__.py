"""SQLite persistence (WAL). Nothing outside this package writes SQL."""

from .database import ConversationSummary, HistoryStore, SearchHit, StoreError
from .history import History, TurnRecorder

__all__ = ["ConversationSummary", "History", "HistoryStore", "SearchHit", "StoreError", "TurnRecorder"]
