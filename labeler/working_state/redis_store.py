import json

import redis

from labeler.working_state.base import (
    AnnotationNotFound,
    ChangeResult,
    FileState,
    VersionConflict,
    WorkingStateStore,
    WorkingStateUnavailable,
)

# One hash per file: "_v" the file version, "a:<id>" the annotation JSON (written verbatim by
# Python, so Lua never re-encodes numbers), "v:<id>" its version.
APPLY_SCRIPT = """
local key = KEYS[1]
local file_version = tonumber(redis.call('HGET', key, '_v') or '0')
if ARGV[1] ~= '' and tonumber(ARGV[1]) ~= file_version then return {'conflict', ''} end
local n = (#ARGV - 1) / 4
local seen = {}
local function current(id)
  local known = seen[id]
  if known ~= nil then
    if known == false then return nil end
    return known
  end
  local v = redis.call('HGET', key, 'v:' .. id)
  if v then return tonumber(v) end
  return nil
end
for i = 0, n - 1 do
  local op, id, expected = ARGV[2 + 4 * i], ARGV[3 + 4 * i], ARGV[4 + 4 * i]
  local version = current(id)
  if op == 'create' then
    if version ~= nil then return {'conflict', id} end
    seen[id] = 1
  else
    if version == nil then return {'notfound', id} end
    if expected ~= '' and tonumber(expected) ~= version then return {'conflict', id} end
    if op == 'delete' then seen[id] = false else seen[id] = version + 1 end
  end
end
local out = {'ok', 0}
for i = 0, n - 1 do
  local op, id, body = ARGV[2 + 4 * i], ARGV[3 + 4 * i], ARGV[5 + 4 * i]
  if op == 'delete' then
    redis.call('HDEL', key, 'a:' .. id, 'v:' .. id)
  else
    redis.call('HSET', key, 'a:' .. id, body)
    redis.call('HINCRBY', key, 'v:' .. id, 1)
  end
end
for id, version in pairs(seen) do
  if version then
    table.insert(out, id)
    table.insert(out, tostring(version))
  end
end
out[2] = redis.call('HINCRBY', key, '_v', 1)
return out
"""

REPLACE_SCRIPT = """
local key = KEYS[1]
local file_version = tonumber(redis.call('HGET', key, '_v') or '0')
if ARGV[1] ~= '' and tonumber(ARGV[1]) ~= file_version then return {'conflict', ''} end
redis.call('DEL', key)
for i = 2, #ARGV, 2 do
  redis.call('HSET', key, 'a:' .. ARGV[i], ARGV[i + 1], 'v:' .. ARGV[i], 1)
end
return {'ok', redis.call('HINCRBY', key, '_v', file_version + 1)}
"""

REDIS_ERRORS = (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError)


class RedisWorkingStateStore(WorkingStateStore):
    """Working state in Redis. Needs `appendonly yes` + `appendfsync always` on the server, so
    that a reply means the change is on disk."""

    def __init__(self, url: str, *, prefix: str = "tsl:ws:", timeout_s: float = 2.0):
        self.client = redis.Redis.from_url(
            url,
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            health_check_interval=30,
        )
        self.prefix = prefix
        self._apply = self.client.register_script(APPLY_SCRIPT)
        self._replace = self.client.register_script(REPLACE_SCRIPT)

    def key(self, file_id: int) -> str:
        return f"{self.prefix}{file_id}"

    def get(self, file_id):
        try:
            fields = self.client.hgetall(self.key(file_id))
        except REDIS_ERRORS as error:
            raise WorkingStateUnavailable(str(error)) from error
        return _state_from_hash(fields)

    def version(self, file_id):
        try:
            return int(self.client.hget(self.key(file_id), "_v") or 0)
        except REDIS_ERRORS as error:
            raise WorkingStateUnavailable(str(error)) from error

    def get_annotation(self, file_id, annotation_id):
        try:
            body, version = self.client.hmget(
                self.key(file_id), f"a:{annotation_id}", f"v:{annotation_id}"
            )
        except REDIS_ERRORS as error:
            raise WorkingStateUnavailable(str(error)) from error
        if body is None:
            return None
        return {**json.loads(body), "version": int(version or 1)}

    def apply(self, file_id, changes, *, expected_file_version=None):
        args = ["" if expected_file_version is None else str(expected_file_version)]
        bodies = {}
        for change in changes:
            body = ""
            if change.op != "delete":
                bodies[change.annotation_id] = {**change.annotation, "id": change.annotation_id}
                bodies[change.annotation_id].pop("version", None)
                body = json.dumps(bodies[change.annotation_id])
            expected = "" if change.expected_version is None else str(change.expected_version)
            args += [change.op, change.annotation_id, expected, body]
        reply = self._run(self._apply, file_id, args)
        status = reply[0].decode()
        if status == "notfound":
            raise AnnotationNotFound(reply[1].decode())
        if status == "conflict":
            raise VersionConflict(self.get(file_id), reply[1].decode() or None)
        versions = {reply[i].decode(): int(reply[i + 1]) for i in range(2, len(reply), 2)}
        changed = {
            change.annotation_id: (
                {**bodies[change.annotation_id], "version": versions[change.annotation_id]}
                if change.annotation_id in versions
                else None
            )
            for change in changes
        }
        return ChangeResult(version=int(reply[1]), changed=changed)

    def replace_all(self, file_id, annotations, *, expected_file_version=None):
        args = ["" if expected_file_version is None else str(expected_file_version)]
        stored = {}
        for annotation in annotations:
            body = {key: value for key, value in annotation.items() if key != "version"}
            stored[annotation["id"]] = {**body, "version": 1}
            args += [annotation["id"], json.dumps(body)]
        reply = self._run(self._replace, file_id, args)
        if reply[0].decode() == "conflict":
            raise VersionConflict(self.get(file_id))
        return FileState(version=int(reply[1]), annotations=stored)

    def delete_file(self, file_id):
        try:
            self.client.delete(self.key(file_id))
        except REDIS_ERRORS as error:
            raise WorkingStateUnavailable(str(error)) from error

    def ping(self) -> dict:
        try:
            self.client.ping()
            config = self.client.config_get("append*")
        except REDIS_ERRORS as error:
            raise WorkingStateUnavailable(str(error)) from error
        except redis.ResponseError:
            config = {}
        return config

    def _run(self, script, file_id, args):
        try:
            return script(keys=[self.key(file_id)], args=args)
        except REDIS_ERRORS as error:
            raise WorkingStateUnavailable(str(error)) from error


def _state_from_hash(fields: dict[bytes, bytes]) -> FileState:
    version = int(fields.get(b"_v", 0))
    annotations = {}
    for field_name, value in fields.items():
        if field_name.startswith(b"a:"):
            annotation_id = field_name[2:].decode()
            annotation = json.loads(value)
            annotation["version"] = int(fields.get(b"v:" + field_name[2:], 1))
            annotations[annotation_id] = annotation
    return FileState(version=version, annotations=annotations)
