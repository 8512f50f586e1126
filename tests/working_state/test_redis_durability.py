"""Acknowledged changes survive a Redis crash; an unreachable Redis refuses changes clearly."""

import pytest

from labeler.working_state import Change, WorkingStateUnavailable
from labeler.working_state.redis_store import RedisWorkingStateStore

pytestmark = pytest.mark.redis


def test_acknowledged_changes_survive_kill_9(own_redis):
    store = RedisWorkingStateStore(own_redis.url)
    for number in range(200):
        store.apply(
            7,
            [
                Change(
                    "create",
                    f"a{number}",
                    {"label": "Walk", "start": number, "end": number + 1, "instant": False},
                )
            ],
        )
    own_redis.kill()
    own_redis.restart()
    state = RedisWorkingStateStore(own_redis.url).get(7)
    assert state.version == 200
    assert len(state.annotations) == 200


def test_unreachable_redis_raises_unavailable_and_keeps_data(own_redis):
    store = RedisWorkingStateStore(own_redis.url, timeout_s=0.5)
    store.apply(
        3, [Change("create", "kept", {"label": "Walk", "start": 0, "end": 1, "instant": False})]
    )
    own_redis.process.terminate()
    own_redis.process.wait()
    with pytest.raises(WorkingStateUnavailable):
        store.apply(
            3, [Change("create", "lost", {"label": "Walk", "start": 0, "end": 1, "instant": False})]
        )
    with pytest.raises(WorkingStateUnavailable):
        store.get(3)
    own_redis.restart()
    state = RedisWorkingStateStore(own_redis.url).get(3)
    assert set(state.annotations) == {"kept"}
