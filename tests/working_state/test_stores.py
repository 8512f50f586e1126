"""Both working-state backends obey the same rules (SPEC §5)."""

import threading

import pytest

from labeler.working_state import (
    AnnotationNotFound,
    Change,
    VersionConflict,
)
from labeler.working_state.database import DatabaseWorkingStateStore
from tests.factories import ProjectFactory, UserFactory


@pytest.fixture(params=["database", "redis"])
def store_and_file(request, db):
    owner = UserFactory()
    project = ProjectFactory(owner=owner)
    from labeler.models import SeriesFile

    series_file = SeriesFile.objects.create(project=project, name="a.csv", time_kind="numeric")
    if request.param == "database":
        return DatabaseWorkingStateStore(), series_file.id
    return request.getfixturevalue("redis_store"), series_file.id


def annotation(label="Walk", start=1.0, end=2.0, **extra):
    return {"label": label, "start": start, "end": end, "instant": start == end, **extra}


def test_new_file_is_empty_at_version_zero(store_and_file):
    store, file_id = store_and_file
    state = store.get(file_id)
    assert state.version == 0 and state.annotations == {}
    assert store.version(file_id) == 0


def test_create_update_delete_bump_versions(store_and_file):
    store, file_id = store_and_file
    result = store.apply(file_id, [Change("create", "a1", annotation())])
    assert result.version == 1
    assert result.changed["a1"]["version"] == 1
    result = store.apply(file_id, [Change("update", "a1", annotation(end=3.5), 1)])
    assert result.version == 2 and result.changed["a1"]["version"] == 2
    assert store.get(file_id).annotations["a1"]["end"] == 3.5
    result = store.apply(file_id, [Change("delete", "a1", expected_version=2)])
    assert result.changed == {"a1": None}
    assert store.get(file_id).annotations == {}
    assert store.version(file_id) == 3


def test_stale_version_conflicts_and_changes_nothing(store_and_file):
    store, file_id = store_and_file
    store.apply(file_id, [Change("create", "a1", annotation())])
    store.apply(file_id, [Change("update", "a1", annotation(label="Run"), 1)])
    with pytest.raises(VersionConflict) as conflict:
        store.apply(file_id, [Change("update", "a1", annotation(label="Fall"), 1)])
    assert conflict.value.annotation_id == "a1"
    assert conflict.value.state.annotations["a1"]["label"] == "Run"
    assert conflict.value.state.version == 2
    assert store.get(file_id).annotations["a1"]["label"] == "Run"


def test_batch_is_all_or_nothing(store_and_file):
    store, file_id = store_and_file
    store.apply(file_id, [Change("create", "a1", annotation())])
    with pytest.raises(VersionConflict):
        store.apply(
            file_id,
            [Change("create", "a2", annotation()), Change("update", "a1", annotation(), 7)],
        )
    assert set(store.get(file_id).annotations) == {"a1"}
    assert store.version(file_id) == 1


def test_create_with_existing_id_conflicts(store_and_file):
    store, file_id = store_and_file
    store.apply(file_id, [Change("create", "a1", annotation())])
    with pytest.raises(VersionConflict):
        store.apply(file_id, [Change("create", "a1", annotation(label="Run"))])
    assert store.get(file_id).annotations["a1"]["label"] == "Walk"


def test_missing_annotation_is_not_found(store_and_file):
    store, file_id = store_and_file
    with pytest.raises(AnnotationNotFound):
        store.apply(file_id, [Change("update", "nope", annotation())])
    with pytest.raises(AnnotationNotFound):
        store.apply(file_id, [Change("delete", "nope")])


def test_replace_all_checks_the_file_version(store_and_file):
    store, file_id = store_and_file
    state = store.replace_all(file_id, [{"id": "x", **annotation()}], expected_file_version=0)
    assert state.version == 1 and state.annotations["x"]["version"] == 1
    with pytest.raises(VersionConflict):
        store.replace_all(file_id, [], expected_file_version=0)
    assert set(store.get(file_id).annotations) == {"x"}


def test_numbers_keep_full_precision(store_and_file):
    store, file_id = store_and_file
    start = 1700000000.1234567
    store.apply(file_id, [Change("create", "p", annotation(start=start, end=start))])
    assert store.get(file_id).annotations["p"]["start"] == start


def test_files_are_independent(store_and_file):
    store, file_id = store_and_file
    store.apply(file_id, [Change("create", "a1", annotation())])
    assert store.get(file_id + 1000).annotations == {}


@pytest.mark.redis
def test_concurrent_edits_lose_nothing_on_redis(redis_store):
    """20 clients increment one shared annotation with compare-and-set retries and add their
    own: every increment and every annotation is there at the end."""
    file_id, clients, edits = 1, 20, 10
    redis_store.apply(file_id, [Change("create", "shared", annotation(description="0"))])

    def client(number):
        for edit in range(edits):
            while True:
                current = redis_store.get(file_id).annotations["shared"]
                bumped = {**current, "description": str(int(current["description"]) + 1)}
                try:
                    redis_store.apply(
                        file_id, [Change("update", "shared", bumped, current["version"])]
                    )
                    break
                except VersionConflict:
                    continue
            redis_store.apply(file_id, [Change("create", f"c{number}-{edit}", annotation())])

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    state = redis_store.get(file_id)
    assert state.annotations["shared"]["description"] == str(clients * edits)
    assert len(state.annotations) == 1 + clients * edits


def test_get_annotation_reads_one_with_its_version(store_and_file):
    store, file_id = store_and_file
    store.apply(file_id, [Change("create", "a1", annotation())])
    store.apply(file_id, [Change("update", "a1", annotation(label="Run"), 1)])
    assert store.get_annotation(file_id, "a1")["label"] == "Run"
    assert store.get_annotation(file_id, "a1")["version"] == 2
    assert store.get_annotation(file_id, "missing") is None
