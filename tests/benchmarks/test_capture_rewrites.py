"""benchmarks.capture tells which measured windows overlapped an AOF rewrite (a real Redis)."""

from __future__ import annotations

import time

import pytest
import redis

from benchmarks.capture import ForkMark, fork_mark, rewrites_between

pytestmark = pytest.mark.integration


def test_a_rewrite_begun_between_two_marks_is_counted(tmp_path):
    from oms_actors.store.connection import EmbeddedRedis

    server = EmbeddedRedis(tmp_path / "redis")  # its own: a rewrite must not touch the session's
    server.start()
    try:
        client = redis.Redis.from_url(server.url)
        client.set("k", "v" * 1000)
        before = fork_mark(server.url)
        assert before is not None and not before.rewriting
        client.bgrewriteaof()
        deadline = time.monotonic() + 30
        while client.info("persistence")["aof_rewrite_in_progress"] and time.monotonic() < deadline:
            time.sleep(0.05)
        after = fork_mark(server.url)
        assert after is not None and not after.rewriting
        assert rewrites_between(before, after) == 1
        assert rewrites_between(after, fork_mark(server.url)) == 0  # nothing since
        client.close()
    finally:
        server.stop()


def test_an_unreachable_redis_gives_no_mark_and_no_count(tmp_path):
    assert fork_mark(f"unix://{tmp_path}/no-such.sock") is None
    assert fork_mark(None) is None
    assert rewrites_between(None, ForkMark(forks=3, rewriting=False)) is None


def test_a_rewrite_already_running_at_the_first_mark_counts_once():
    assert rewrites_between(ForkMark(forks=2, rewriting=True), ForkMark(forks=2, rewriting=False)) == 1
    assert rewrites_between(ForkMark(forks=2, rewriting=True), ForkMark(forks=3, rewriting=True)) == 2
    assert rewrites_between(ForkMark(forks=2, rewriting=False), ForkMark(forks=3, rewriting=True)) == 1  # still running
