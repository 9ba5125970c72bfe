namespace AofSim.Sim.Vectors;

/// <summary>The JSON Schema (draft 2020-12) of a vector file, exported as schema.json beside the files.</summary>
internal static class VectorSchema
{
    /// <summary>The schema's text.</summary>
    public const string Text = """
{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://github.com/aofsim/vectors/v1/schema.json",
  "title": "aofsim conformance vectors, version 1",
  "description": "One group of vectors. Byte strings are JSON strings whose characters are the bytes' codes, U+0000..U+00FF (ISO-8859-1). Each vector's input is sent to an implementation as {\"id\", \"group\", \"profile\", \"input\"}; its answer's output must equal expected, or, for the verdict acceptable, one of also_acceptable.",
  "type": "object",
  "required": ["version", "group", "implementation_defined", "vectors"],
  "additionalProperties": false,
  "properties": {
    "$schema": { "type": "string" },
    "version": { "const": 1 },
    "group": { "enum": ["encoding", "feed", "load", "check", "rewrite", "flush", "rewrite-done"] },
    "implementation_defined": { "type": "array", "items": { "type": "string" } },
    "vectors": { "type": "array", "items": { "$ref": "#/$defs/vector" } }
  },
  "$defs": {
    "bytes": { "type": "string", "pattern": "^[\\u0000-\\u00ff]*$" },
    "argv": { "type": "array", "minItems": 1, "items": { "$ref": "#/$defs/bytes" } },
    "commands": { "type": "array", "items": { "$ref": "#/$defs/argv" } },
    "lines": { "type": "array", "items": { "type": "string" } },
    "vector": {
      "type": "object",
      "required": ["id", "comment", "flags", "verdict", "input", "expected"],
      "additionalProperties": false,
      "properties": {
        "id": { "type": "string", "pattern": "^[a-z-]+/[a-z0-9-]+$" },
        "comment": { "type": "string" },
        "flags": {
          "type": "object",
          "required": ["profile", "switches", "bugs", "redis"],
          "additionalProperties": false,
          "properties": {
            "profile": { "enum": ["redis26", "fixed"], "description": "The profile the request names: redis26 is the seed (Redis 2.6's aof.c), bugs included; fixed turns every fix on." },
            "switches": { "type": "array", "items": { "type": "string" }, "description": "The profile switches (docs/profiles.md) that change this vector's output when flipped alone." },
            "bugs": { "type": "array", "items": { "type": "string" }, "description": "The historical bugs (#n of docs/profiles.md), Redis issues or PRs, or switches the vector is about." },
            "redis": { "type": "array", "items": { "enum": ["2.6", "7.0.15"] }, "description": "The Redis versions whose behaviour the expected output records (2.6: the seed). The 7.0.15 claims of the load and check groups are checked against the real binaries." },
            "differs_from_redis7": { "type": "string", "description": "Why the vector differs from Redis 7.0.15 on purpose." }
          }
        },
        "verdict": { "enum": ["valid", "invalid", "acceptable"] },
        "input": { "type": "object" },
        "expected": { "type": "object" },
        "also_acceptable": { "type": "array", "items": { "type": "object" } }
      },
      "allOf": [
        { "if": { "properties": { "verdict": { "const": "acceptable" } } }, "then": { "required": ["also_acceptable"] } },
        { "if": { "properties": { "id": { "pattern": "^encoding/" } } }, "then": { "properties": {
          "input": { "required": ["argv"], "properties": { "argv": { "$ref": "#/$defs/argv" } } },
          "expected": { "required": ["resp"], "properties": { "resp": { "$ref": "#/$defs/bytes" } } } } } },
        { "if": { "properties": { "id": { "pattern": "^feed/" } } }, "then": { "properties": {
          "input": { "required": ["now_ms", "setup", "argv"], "properties": { "now_ms": { "type": "integer" }, "setup": { "$ref": "#/$defs/commands" }, "argv": { "$ref": "#/$defs/argv" } } },
          "expected": { "required": ["aof", "selected_db", "reply"], "properties": { "aof": { "$ref": "#/$defs/bytes" }, "selected_db": { "type": "integer" }, "reply": { "$ref": "#/$defs/bytes" } } } } } },
        { "if": { "properties": { "id": { "pattern": "^load/" } } }, "then": { "properties": {
          "input": { "required": ["aof", "load_truncated", "now_ms"], "properties": { "aof": { "$ref": "#/$defs/bytes" }, "load_truncated": { "type": "boolean" }, "now_ms": { "type": "integer" } } },
          "expected": { "required": ["outcome", "message", "valid_up_to", "replay_errors", "dataset"], "properties": {
            "outcome": { "enum": ["loaded", "empty", "truncated", "bad-format", "unexpected-eof", "read-error", "unknown-command", "wrong-arity", "command-failed"] },
            "message": { "type": ["string", "null"] },
            "valid_up_to": { "type": ["integer", "null"] },
            "replay_errors": { "type": "integer" },
            "dataset": { "type": ["array", "null"], "items": { "type": "object", "required": ["db", "key", "type", "expireAt", "value"] } } } } } } },
        { "if": { "properties": { "id": { "pattern": "^check/" } } }, "then": { "properties": {
          "input": { "required": ["aof"], "properties": { "aof": { "$ref": "#/$defs/bytes" } } },
          "expected": { "required": ["exit", "report", "size_after_fix"], "properties": { "exit": { "type": "integer" }, "report": { "$ref": "#/$defs/lines" }, "size_after_fix": { "type": "integer" } } } } } },
        { "if": { "properties": { "id": { "pattern": "^rewrite/" } } }, "then": { "properties": {
          "input": { "required": ["now_ms", "setup_now_ms", "setup"], "properties": { "now_ms": { "type": "integer" }, "setup_now_ms": { "type": "integer" }, "setup": { "$ref": "#/$defs/commands" } } },
          "expected": { "required": ["aof"], "properties": { "aof": { "$ref": "#/$defs/bytes" } } } } } },
        { "if": { "properties": { "id": { "pattern": "^(flush|rewrite-done)/" } } }, "then": { "properties": {
          "input": { "required": ["policy", "start_ms", "steps"], "properties": {
            "policy": { "enum": ["always", "everysec", "no"] },
            "start_ms": { "type": "integer" },
            "existing_aof": { "$ref": "#/$defs/bytes" },
            "steps": { "type": "array", "items": { "type": "object", "required": ["op"], "properties": {
              "op": { "enum": ["command", "before_sleep", "cron", "advance", "plan", "bio", "child"] },
              "argv": { "$ref": "#/$defs/argv" },
              "ms": { "type": "integer" },
              "syscall": { "enum": ["open", "write", "ftruncate", "fsync", "fdatasync", "rename", "unlink", "fsyncdir"] },
              "result": { "type": "string", "description": "An errno name (EIO, ENOSPC, …) or short:N for a write of N bytes." },
              "action": { "enum": ["finish", "kill", "exit"] },
              "code": { "type": "integer" } } } } } },
          "expected": { "required": ["start", "steps", "state", "files"], "properties": {
            "start": { "$ref": "#/$defs/lines" },
            "steps": { "type": "array", "items": { "$ref": "#/$defs/lines" } },
            "state": { "type": "object" },
            "files": { "type": "object", "additionalProperties": { "$ref": "#/$defs/bytes" } } } } } } }
      ]
    }
  }
}
""";
}
