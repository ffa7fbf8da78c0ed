"""The SQLite store: migrations, messages, checkpoints, recovery, search, export, failures."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from tui_chat.chat.conversation import ChatMessage, Conversation, MessageStatus
from tui_chat.engine import Metrics, Usage
from tui_chat.store import History, HistoryStore, StoreError
from tui_chat.store.database import OWNER
from tui_chat.store.exchange import ExportFormatError, dumps, from_json, to_json, to_markdown
from tui_chat.store.migrations import MIGRATIONS

FROZEN = {
    "0001_conversations_and_messages": "79faf199a6c9179a",
    "0002_full_text_search": "5733ae29fc57795a",
    "0003_response_id": "7b9ce6d5b6e16605",
    "0004_message_parts": "65b156970242e050",
}
"""The SHA-256 prefixes of released migrations. Never change one: append a migration instead."""


@pytest.fixture
def store(tmp_path: Path) -> HistoryStore:
    s = HistoryStore.open(tmp_path / "h.sqlite3")
    yield s
    s.close()


def chat(store: HistoryStore, *pairs: tuple[str, str], title: str = "t") -> Conversation:
    conv = Conversation(title=title, profile="p", model="m", system_prompt="sys")
    store.create_conversation(conv)
    for role, text in pairs:
        msg = ChatMessage(role, text)
        store.add_message(conv.id, msg)
        conv.messages.append(msg)
    return conv


def test_wal_mode_and_migrations_recorded(store: HistoryStore):
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.applied_migrations() == [m.name for m in MIGRATIONS]


def test_released_migrations_are_never_edited():
    digests = {m.name: m.digest for m in MIGRATIONS}
    # A released migration's hash is frozen here; a schema change appends a new migration instead.
    assert digests["0001_conversations_and_messages"].startswith(FROZEN["0001_conversations_and_messages"])
    assert digests["0002_full_text_search"].startswith(FROZEN["0002_full_text_search"])
    assert digests["0003_response_id"].startswith(FROZEN["0003_response_id"])
    assert digests["0004_message_parts"].startswith(FROZEN["0004_message_parts"])


def test_upgrade_from_an_older_schema(tmp_path: Path):
    path = tmp_path / "old.sqlite3"
    old = HistoryStore.open(path, migrations=MIGRATIONS[:1])  # the schema of the first release
    old.db.executescript("""
        INSERT INTO conversations (id, title, created_at, updated_at) VALUES (7, 'old', 1.0, 2.0);
        INSERT INTO messages (id, conversation_id, role, content, created_at, updated_at)
            VALUES (70, 7, 'user', 'searchable pelican words', 1.0, 1.0),
                   (71, 7, 'assistant', 'an answer', 2.0, 2.0);
    """)
    old.close()
    new = HistoryStore.open(path)
    assert new.applied_migrations() == [m.name for m in MIGRATIONS]
    assert [h.message_id for h in new.search("pelican")] == [70]
    assert [m.content for m in new.load_conversation(7).messages] == ["searchable pelican words", "an answer"]
    assert new.load_conversation(7).messages[1].response_id is None
    new.close()


def test_edited_migration_is_refused(tmp_path: Path):
    path = tmp_path / "h.sqlite3"
    HistoryStore.open(path).close()
    edited = (MIGRATIONS[0].__class__(MIGRATIONS[0].name, MIGRATIONS[0].sql + "\n-- edited"), *MIGRATIONS[1:])
    with pytest.raises(StoreError, match="must never be edited"):
        HistoryStore.open(path, migrations=edited)


def test_newer_database_is_refused(tmp_path: Path):
    path = tmp_path / "h.sqlite3"
    HistoryStore.open(path).close()
    with pytest.raises(StoreError, match="newer tui-chat"):
        HistoryStore.open(path, migrations=MIGRATIONS[:1])


def test_messages_round_trip_with_metrics(store: HistoryStore):
    conv = chat(store, ("user", "hello"))
    answer = ChatMessage("assistant", "", status=MessageStatus.STREAMING, model="m")
    store.add_message(conv.id, answer)
    store.checkpoint(answer.id, "partial", "thinking")
    loaded = store.load_conversation(conv.id).messages[1]
    assert (loaded.content, loaded.reasoning, loaded.status) == ("partial", "thinking", MessageStatus.STREAMING)
    answer.content, answer.status, answer.finish_reason = "full answer", MessageStatus.COMPLETE, "stop"
    answer.metrics = Metrics(1.5, 0.2, 10, 7.5, 2, True, Usage(3, 10, 13))
    store.finish_message(answer)
    loaded = store.load_conversation(conv.id)
    assert loaded.messages[1].metrics == answer.metrics
    assert (loaded.title, loaded.profile, loaded.model, loaded.system_prompt) == ("t", "p", "m", "sys")


def test_streaming_answer_of_a_dead_process_is_interrupted_on_open(tmp_path: Path):
    path = tmp_path / "h.sqlite3"
    store = HistoryStore.open(path)
    conv = chat(store, ("user", "q"))
    answer = ChatMessage("assistant", "", status=MessageStatus.STREAMING)
    store.add_message(conv.id, answer)
    store.checkpoint(answer.id, "kept text", "")
    store.db.execute("UPDATE messages SET owner = ? WHERE id = ?", (OWNER.rsplit(":", 1)[0] + ":999999999", answer.id))
    store.close()
    reopened = HistoryStore.open(path)
    message = reopened.load_conversation(conv.id).messages[1]
    assert message.status is MessageStatus.INTERRUPTED and message.content == "kept text"
    assert reopened.search("kept")  # recovered text is searchable
    reopened.close()


def test_a_live_instance_keeps_its_streaming_answer(tmp_path: Path):
    path = tmp_path / "h.sqlite3"
    first = HistoryStore.open(path)
    conv = chat(first, ("user", "q"))
    answer = ChatMessage("assistant", "", status=MessageStatus.STREAMING)
    first.add_message(conv.id, answer)
    first.db.execute(
        "UPDATE messages SET owner = ? WHERE id = ?", (OWNER.rsplit(":", 1)[0] + f":{os.getppid()}", answer.id)
    )
    second = HistoryStore.open(path)  # another instance opening while the first streams
    assert second.load_conversation(conv.id).messages[1].status is MessageStatus.STREAMING
    first.close()
    second.close()


def test_delete_from_and_delete_conversation(store: HistoryStore):
    conv = chat(store, ("user", "a"), ("assistant", "b"), ("user", "c"), ("assistant", "d"))
    store.delete_messages_from(conv.id, conv.messages[2].id)
    assert [m.content for m in store.load_conversation(conv.id).messages] == ["a", "b"]
    assert not store.search("d")
    store.delete_conversation(conv.id)
    assert store.list_conversations() == [] and not store.search("a")


def test_list_newest_first_and_rename(store: HistoryStore):
    first = chat(store, ("user", "one"), title="first")
    second = chat(store, ("user", "two"), title="second")
    assert [c.title for c in store.list_conversations()] == ["second", "first"]
    store.update_conversation(first.id, title="renamed")
    summaries = store.list_conversations()
    assert [c.title for c in summaries] == ["renamed", "second"] and summaries[0].message_count == 1
    assert store.last_conversation_id() == first.id and second.id


def test_search_takes_words_not_fts_syntax(store: HistoryStore):
    chat(store, ("user", "How do I parse JSON in Rust?"), ("assistant", "Use serde_json: it parses JSON."))
    hits = store.search("json rust")
    assert len(hits) == 1 and "«JSON»" in hits[0].snippet
    assert store.search('AND OR "') == [] and store.search("") == []


def test_two_writers_at_once_lose_nothing(tmp_path: Path):
    path = tmp_path / "h.sqlite3"
    stores = [HistoryStore.open(path), HistoryStore.open(path)]
    convs = [chat(s, ("user", f"writer {i}"), title=f"w{i}") for i, s in enumerate(stores)]
    errors: list[Exception] = []

    def write(i: int) -> None:
        try:
            for n in range(100):
                stores[i].add_message(convs[i].id, ChatMessage("assistant", f"w{i} message {n}"))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    check = HistoryStore.open(path)
    assert [len(check.load_conversation(c.id).messages) for c in convs] == [101, 101]
    assert check.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for s in (*stores, check):
        s.close()


def test_uncreatable_data_directory_turns_history_off(tmp_path: Path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")  # works as root too, unlike chmod
    history = History(blocker / "data")
    assert not history.enabled and history.problem.startswith("history is off: cannot create")


def test_unwritable_database_file_turns_history_off(tmp_path: Path):
    (tmp_path / "history.sqlite3").mkdir()  # a directory where the file should be: cannot be opened as a db
    history = History(tmp_path)
    assert not history.enabled and "history is off" in history.problem
    conv = Conversation()
    history.save_message(conv, ChatMessage("user", "still works in memory"))  # no exception
    assert history.list_conversations() == []


def test_corrupt_file_turns_history_off_with_a_clear_message(tmp_path: Path):
    (tmp_path / "history.sqlite3").write_bytes(b"this is not sqlite at all" * 100)
    history = History(tmp_path)
    assert not history.enabled
    assert "not a readable tui-chat database (corrupt?)" in history.problem


def test_write_failure_mid_session_turns_history_off(tmp_path: Path):
    history = History(tmp_path)
    conv = Conversation(title="x")
    history.save_message(conv, ChatMessage("user", "first"))
    history.flush()  # writes run on the history's own thread
    history.store.db.execute("PRAGMA query_only = ON")  # every write now fails, as on a full disk
    history.save_message(conv, ChatMessage("user", "second"))
    history.flush()
    assert not history.enabled and "history is off" in history.problem


def test_json_export_round_trips_exactly(store: HistoryStore):
    conv = chat(store, ("user", "question with ünïcode"))
    answer = ChatMessage(
        "assistant",
        "answer",
        reasoning="why",
        finish_reason="stop",
        model="m",
        metrics=Metrics(2.0, 0.5, 4, 2.0, 1, False, Usage(1, 4, 5)),
        response_id="resp_1",
    )
    store.add_message(conv.id, answer)
    store.finish_message(answer)
    stopped = ChatMessage("assistant", "half", status=MessageStatus.STOPPED)
    store.add_message(conv.id, stopped)
    exported = to_json(store.load_conversation(conv.id))
    assert [m.get("response_id") for m in exported["messages"]] == [None, "resp_1", None]
    imported_id = store.import_conversation(from_json(json.loads(dumps(store.load_conversation(conv.id)))))
    assert imported_id != conv.id
    assert to_json(store.load_conversation(imported_id)) == exported


def test_import_rejects_other_files():
    with pytest.raises(ExportFormatError, match="not a tui-chat export"):
        from_json({"hello": 1})
    with pytest.raises(ExportFormatError, match="message 1: unknown role 'robot'"):
        from_json({"format": "tui-chat/1", "messages": [{"role": "robot", "content": "x"}]})


def test_markdown_export_reads_as_a_document(store: HistoryStore):
    conv = chat(store, ("user", "What is WAL?"), ("assistant", "Write-ahead logging."), title="WAL")
    text = to_markdown(store.load_conversation(conv.id))
    assert text.startswith("# WAL\n")
    assert "## You\n\nWhat is WAL?" in text and "## Assistant\n\nWrite-ahead logging." in text
    assert "> sys" in text


def test_database_never_holds_the_key(tmp_path: Path):
    """Nothing in a conversation carries the key; check the bytes on disk anyway."""
    history = History(tmp_path)
    conv = Conversation(title="t", profile="openai", model="m")
    history.save_message(conv, ChatMessage("user", "hi"))
    history.close()
    for file in tmp_path.iterdir():
        assert b"sk-" not in file.read_bytes()


def test_a_conversation_deleted_by_another_instance_does_not_turn_history_off(tmp_path: Path):
    mine, theirs = History(tmp_path), History(tmp_path)
    conversation = Conversation(title="shared")
    mine.save_message(conversation, ChatMessage("user", "hello"))
    mine.flush()  # writes run on the history's own thread: then the conversation has its id
    theirs.delete(conversation.id)
    theirs.flush()
    assert mine.load(conversation.id) is None
    mine.save_message(conversation, ChatMessage("user", "still there?"))
    mine.flush()
    assert mine.enabled and not mine.problem and "deleted elsewhere" in mine.notice
    other = Conversation(title="next")
    mine.save_message(other, ChatMessage("user", "a new one is saved"))
    mine.flush()
    assert [m.content for m in theirs.load(other.id).messages] == ["a new one is saved"]
    mine.close()
    theirs.close()


def test_a_write_waiting_for_another_instances_lock_does_not_hold_the_caller(tmp_path: Path):
    """The app's checkpoints used to wait on its event loop for SQLite's lock (up to 5 s): now the writer
    thread waits, and the caller goes on at once; the write lands when the lock is released."""
    import sqlite3

    history = History(tmp_path)
    conversation = Conversation(title="locked")
    history.save_message(conversation, ChatMessage("user", "first"))
    history.flush()
    other = sqlite3.connect(tmp_path / "history.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another tui-chat in the middle of a write
    history.save_message(conversation, ChatMessage("user", "while locked"))  # asked while the lock is held
    other.execute("COMMIT")  # reached at once: a write made by the caller would have waited 5 s and failed
    other.close()
    history.flush()
    assert [m.content for m in history.load(conversation.id).messages] == ["first", "while locked"]
    history.close()


def test_parts_of_a_kind_to_come_are_stored_exported_and_imported(store: HistoryStore):
    from tui_chat.chat.parts import OtherPart, Text

    conv = chat(store, ("user", "look at this"))
    attachment = OtherPart("attachment", {"name": "plan.png"})
    store.add_message(conv.id, ChatMessage("user", parts=[Text("and this"), attachment]))
    loaded = store.load_conversation(conv.id)
    assert loaded.messages[-1].parts == [Text("and this"), attachment]
    exported = dumps(loaded)
    imported = store.import_conversation(from_json(json.loads(exported)))
    assert dumps(store.load_conversation(imported)) == exported  # export, import, export: byte for byte
    assert '"parts"' in exported and exported.count('"parts"') == 1  # only the message that has one
