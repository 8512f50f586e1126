from django.db import DatabaseError, transaction

from labeler.working_state.base import (
    Change,
    ChangeResult,
    FileState,
    VersionConflict,
    WorkingStateStore,
    WorkingStateUnavailable,
    check_changes,
)


class DatabaseWorkingStateStore(WorkingStateStore):
    """Working state in the main database: one row per file, locked for each change.

    On SQLite the write transaction takes the database lock at BEGIN (transaction_mode
    IMMEDIATE), which serialises changes the way SELECT ... FOR UPDATE does on PostgreSQL.
    """

    def get(self, file_id: int) -> FileState:
        from labeler.models import WorkingStateRecord

        record = WorkingStateRecord.objects.filter(file_id=file_id).first()
        if record is None:
            return FileState(version=0)
        return FileState(version=record.version, annotations=record.annotations)

    def version(self, file_id: int) -> int:
        from labeler.models import WorkingStateRecord

        record = WorkingStateRecord.objects.filter(file_id=file_id).values("version").first()
        return record["version"] if record else 0

    def get_annotation(self, file_id, annotation_id):
        return self.get(file_id).annotations.get(annotation_id)

    def apply(self, file_id, changes, *, expected_file_version=None):
        try:
            with transaction.atomic():
                record = self._locked_record(file_id)
                state = FileState(version=record.version, annotations=record.annotations)
                if expected_file_version is not None and expected_file_version != record.version:
                    raise VersionConflict(state)
                versions = {key: a["version"] for key, a in record.annotations.items()}
                conflict = check_changes(versions, changes)
                if conflict is not None:
                    raise VersionConflict(state, conflict)
                record.annotations = _applied(record.annotations, changes)
                record.version += 1
                record.save(update_fields=["annotations", "version", "updated_at"])
        except DatabaseError as error:
            raise WorkingStateUnavailable(str(error)) from error
        touched = {change.annotation_id for change in changes}
        return ChangeResult(
            version=record.version,
            changed={key: record.annotations.get(key) for key in touched},
        )

    def replace_all(self, file_id, annotations, *, expected_file_version=None):
        try:
            with transaction.atomic():
                record = self._locked_record(file_id)
                if expected_file_version is not None and expected_file_version != record.version:
                    raise VersionConflict(FileState(record.version, record.annotations))
                record.annotations = {a["id"]: {**a, "version": 1} for a in annotations}
                record.version += 1
                record.save(update_fields=["annotations", "version", "updated_at"])
        except DatabaseError as error:
            raise WorkingStateUnavailable(str(error)) from error
        return FileState(version=record.version, annotations=record.annotations)

    def delete_file(self, file_id):
        from labeler.models import WorkingStateRecord

        WorkingStateRecord.objects.filter(file_id=file_id).delete()

    @staticmethod
    def _locked_record(file_id):
        from labeler.models import WorkingStateRecord

        record, _ = WorkingStateRecord.objects.select_for_update().get_or_create(file_id=file_id)
        return record


def _applied(annotations: dict[str, dict], changes: list[Change]) -> dict[str, dict]:
    result = dict(annotations)
    for change in changes:
        if change.op == "delete":
            result.pop(change.annotation_id, None)
            continue
        previous = result.get(change.annotation_id)
        version = 1 if previous is None else previous["version"] + 1
        result[change.annotation_id] = {
            **change.annotation,
            "id": change.annotation_id,
            "version": version,
        }
    return result
