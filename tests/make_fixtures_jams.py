#!/usr/bin/python3
"""make_fixtures_jams.py — the JAMS fixtures of tests/data/annotations, validated.

Writes tests/data/annotations/exported-all.jams with `vitascope-cli export` (chords,
beats, key and tags of piece.jams, as the CLI and the app write them) and validates it
with Debian's python3-jsonschema against

  * the JAMS container schema (draft-04): annotations, sparse observations with
    numeric time/duration >= 0 and all four fields, file_metadata; and the value
    schemas of the namespaces Vitascope writes (chord, beat, onset, key_mode,
    tag_open) — written out below from the JAMS specification;
  * with --schema PATH, also the official jams/schemata/jams_schema.json of a JAMS
    checkout (python3-jams is not in Debian 12).

The test (tests/probe/test-annotation-formats.c) compares the writer's output with this
fixture byte for byte, so the writer stays schema-valid; tests never need Python.

    /usr/bin/python3 tests/make_fixtures_jams.py [--cli build/app/vitascope-cli] [--schema PATH]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data", "annotations")

NUMBER0 = {"type": "number", "minimum": 0.0}
CONTAINER = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "type": "object",
    "required": ["annotations", "file_metadata", "sandbox"],
    "properties": {
        "annotations": {"type": "array", "items": {"$ref": "#/definitions/annotation"}},
        "file_metadata": {
            "type": "object",
            "properties": {
                "title": {"type": "string"}, "artist": {"type": "string"},
                "release": {"type": "string"}, "duration": NUMBER0,
                "identifiers": {"type": "object"}, "jams_version": {"type": "string"},
            },
        },
        "sandbox": {"type": "object"},
    },
    "definitions": {
        "annotation": {
            "type": "object",
            "required": ["annotation_metadata", "data", "namespace"],
            "properties": {
                "annotation_metadata": {
                    "type": "object",
                    "properties": {
                        "curator": {"type": "object", "required": ["name", "email"],
                                    "properties": {"name": {"type": "string"},
                                                   "email": {"type": "string"}}},
                        "annotator": {"type": "object"},
                        "version": {"type": ["string", "number"]},
                        "corpus": {"type": "string"},
                        "annotation_tools": {"type": "string"},
                        "annotation_rules": {"type": "string"},
                        "validation": {"type": "string"},
                        "data_source": {"type": "string"},
                    },
                },
                "namespace": {"type": "string"},
                "sandbox": {"type": "object"},
                "time": {"oneOf": [NUMBER0, {"type": "null"}]},
                "duration": {"oneOf": [NUMBER0, {"type": "null"}]},
                "data": {"type": "array", "items": {
                    "type": "object",
                    "required": ["time", "duration", "value", "confidence"],
                    "properties": {"time": NUMBER0, "duration": NUMBER0},
                }},
            },
        },
    },
}

# Value schemas of the namespaces written (JAMS namespace definitions).
NOTE = "[A-G][b#]*"
NAMESPACE_VALUE = {
    "chord": {"type": "string", "pattern":
              "^((N|X)|(([A-G](b*|#*))((:(maj|min|dim|aug|1|5|sus2|sus4|maj6|min6|7|maj7|min7|"
              "dim7|hdim7|minmaj7|aug7|9|maj9|min9|11|maj11|min11|13|maj13|min13)(\\((\\*?"
              "((b*|#*)([1-9]|1[0-3]?))(,\\*?((b*|#*)([1-9]|1[0-3]?)))*)\\))?)|(:\\((\\*?"
              "((b*|#*)([1-9]|1[0-3]?))(,\\*?((b*|#*)([1-9]|1[0-3]?)))*)\\)))?((/((b*|#*)"
              "([1-9]|1[0-3]?)))?)?))$"},
    "beat": {"oneOf": [{"type": "number"}, {"type": "null"}]},
    "onset": {},
    "key_mode": {"type": "string", "pattern":
                 "^N$|^" + NOTE + "(:(major|minor|ionian|dorian|phrygian|lydian|mixolydian|"
                 "aeolian|locrian))?$"},
    "tag_open": {"type": "string"},
}


def validate(doc, official):
    jsonschema.Draft4Validator(CONTAINER).validate(doc)
    if official:
        jsonschema.Draft4Validator(official).validate(doc)
    for ann in doc["annotations"]:
        ns = ann["namespace"]
        if ns not in NAMESPACE_VALUE:
            raise SystemExit(f"unexpected namespace {ns}")
        for obs in ann["data"]:
            jsonschema.Draft4Validator(NAMESPACE_VALUE[ns]).validate(obs["value"])
            c = obs["confidence"]
            if c is not None and not isinstance(c, (int, float)):
                raise SystemExit(f"{ns}: confidence {c!r} is not a number or null")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", default=os.path.join(HERE, "..", "build", "app", "vitascope-cli"))
    ap.add_argument("--schema", help="official jams_schema.json of a JAMS checkout")
    args = ap.parse_args()
    official = json.load(open(args.schema)) if args.schema else None
    out = os.path.join(DATA, "exported-all.jams")
    with tempfile.TemporaryDirectory() as tmp:
        kinds = {"all": os.path.join(tmp, "all.jams")}
        for what in ("chords", "beats", "key", "tags"):
            kinds[what] = os.path.join(tmp, what + ".jams")
        for what, path in kinds.items():
            subprocess.run([args.cli, "export", os.path.join(DATA, "piece.jams"), "--what", what,
                            "--out", path], check=True, stderr=subprocess.DEVNULL)
            with open(path) as f:
                validate(json.load(f), official)
            print(f"{what}: valid JAMS", file=sys.stderr)
        with open(kinds["all"], "rb") as f, open(out, "wb") as g:
            g.write(f.read())
    # a negative control: the validator does refuse a broken file
    bad = json.load(open(out))
    bad["annotations"][0]["data"][0]["time"] = -1
    try:
        validate(bad, official)
    except jsonschema.ValidationError:
        pass
    else:
        raise SystemExit("the schema accepted a negative time")
    print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
