"""Check v2 answers against ShipStation's OpenAPI description (reference/shipstation-v2-openapi.yaml here).

The OAS is read as JSON Schema 2020-12 after repairing its known slips (see the reference):
- `allOf` members are merged into their parent, so `additionalProperties: false` beside (or inside) `allOf`
  no longer forbids the fields `allOf` brings in; the merged object keeps `additionalProperties: false`.
- `x-nullable: true` / `nullable: true` fields accept null.
- `webhook_event` gains the `*_v2` events that current SDKs and the reference list but this copy lacks.
`pickup_id` being "required" is a query parameter slip (reference section 1), not a body field.

Each direction then reads the schemas as OpenAPI means them:
- answers (`errors`, `component_errors`): a `writeOnly` property must not appear (it is dropped from `required`
  too), and an object schema that lists `properties` but says nothing of others is closed
  (`additionalProperties: false`): an answer carries only the fields the OAS defines for it.
- requests (`request_errors`): a `readOnly` property must not be sent; objects stay as open as the OAS says.
"""
from __future__ import annotations

import copy
import os
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

# A vendored copy (MIT) lives beside this module so the checks run from a plain checkout.
DEFAULT_OAS = Path(os.environ.get("SHIPSTATION_OAS", Path(__file__).parent / "reference" / "shipstation-v2-openapi.yaml"))
EXTRA_WEBHOOK_EVENTS = ["batch_processed_v2", "fulfillment_rejected_v2", "fulfillment_shipped_v2",
                        "label_created_v2", "shipment_created_v2", "track_event_v2"]
_REF = "#/components/schemas/"
_DATA_KEYWORDS = ("example", "examples", "default", "enum", "const")
_COMPOSED = ("allOf", "anyOf", "oneOf", "$ref", "additionalProperties", "patternProperties")


def _marked(prop, keyword: str) -> bool:
    """Whether a property schema (or a member of its nullable anyOf) carries `keyword: true`."""
    if not isinstance(prop, dict):
        return False
    return prop.get(keyword) is True or any(isinstance(b, dict) and b.get(keyword) is True
                                            for b in prop.get("anyOf", []) + prop.get("oneOf", []))


def _directed(node, forbidden: str, close: bool):
    """`node` as read in one direction: properties marked `forbidden` (writeOnly in answers, readOnly in
    requests) may not appear and are not required; with `close`, objects allow only the properties they list."""
    if isinstance(node, list):
        return [_directed(n, forbidden, close) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in _DATA_KEYWORDS:
            out[key] = value
        elif key in ("properties", "patternProperties", "$defs") and isinstance(value, dict):
            out[key] = {k: _directed(v, forbidden, close) for k, v in value.items()}
        else:
            out[key] = _directed(value, forbidden, close)
    props = out.get("properties")
    if isinstance(props, dict):
        gone = sorted(name for name, prop in props.items() if _marked(prop, forbidden))
        for name in gone:  # unlisted, so a closed object names it as unexpected
            del props[name]
        if gone and "required" in out:
            out["required"] = [r for r in out["required"] if r not in gone]
        if close and not any(k in out for k in _COMPOSED):
            out["additionalProperties"] = False
        if gone and out.get("additionalProperties") is not False:
            out["not"] = {"anyOf": [{"required": [name]} for name in gone]}
    return out


class OAS:
    def __init__(self, path: Path = DEFAULT_OAS) -> None:
        raw = yaml.safe_load(Path(path).read_text())
        self._raw_schemas = raw["components"]["schemas"]
        self._raw_schemas["webhook_event"]["enum"] = \
            list(self._raw_schemas["webhook_event"]["enum"]) + EXTRA_WEBHOOK_EVENTS
        self._done: dict[str, dict] = {}
        self._busy: set[str] = set()
        schemas = {name: self._component(name) for name in self._raw_schemas}
        self.paths = raw["paths"]
        self.responses = raw["components"]["responses"]
        self.root = {"components": {"schemas": schemas}}
        self._answer_root = _directed(self.root, "writeOnly", close=True)
        self._request_root = _directed(self.root, "readOnly", close=False)

    def _component(self, name: str) -> dict:
        if name in self._done:
            return self._done[name]
        if name in self._busy:  # a cycle: keep it as a reference
            return {"$ref": _REF + name}
        self._busy.add(name)
        fixed = self._fix(copy.deepcopy(self._raw_schemas[name]))
        self._busy.discard(name)
        self._done[name] = fixed
        return fixed

    def _resolve(self, node):
        if isinstance(node, dict) and "$ref" in node and node["$ref"].startswith(_REF):
            return copy.deepcopy(self._component(node["$ref"][len(_REF):]))
        return self._fix(copy.deepcopy(node))

    def _fix(self, node):
        if isinstance(node, list):
            return [self._fix(n) for n in node]
        if not isinstance(node, dict):
            return node
        nullable = node.pop("x-nullable", False) or node.pop("nullable", False)
        out = {}
        for key, value in node.items():
            if key == "allOf":
                continue
            if key in ("properties", "patternProperties", "$defs"):
                out[key] = {k: self._fix(v) for k, v in value.items()}
            else:
                out[key] = self._fix(value)
        for member in node.get("allOf", []):
            merged = self._resolve(member)
            if "anyOf" in merged and any(b == {"type": "null"} for b in merged["anyOf"]):
                merged = next(b for b in merged["anyOf"] if b != {"type": "null"})
            for key, value in merged.items():
                if key == "properties":
                    out["properties"] = {**value, **out.get("properties", {})}
                elif key == "required":
                    out["required"] = sorted(set(out.get("required", [])) | set(value))
                elif key == "additionalProperties":
                    out.setdefault(key, value)
                elif key not in out and key not in ("title", "description", "example"):
                    out[key] = value
        if "$ref" in out and out["$ref"].startswith(_REF) and len(out) > 1:
            ref = out.pop("$ref")
            out = {"allOf": [{"$ref": ref}], **out}
        if nullable:
            return {"anyOf": [out, {"type": "null"}]}
        return out

    def response_schema(self, path: str, method: str, status: str = "200") -> dict:
        op = self.paths[path][method.lower()]
        response = op["responses"][status]
        if "$ref" in response:
            response = self.responses[response["$ref"].split("/")[-1]]
        return self._fix(copy.deepcopy(response["content"]["application/json"]["schema"]))

    def request_schema(self, path: str, method: str) -> dict:
        op = self.paths[path][method.lower()]
        return self._fix(copy.deepcopy(op["requestBody"]["content"]["application/json"]["schema"]))

    def validator(self, schema: dict, direction: str = "answer") -> Draft202012Validator:
        """A validator for `schema` read as an answer (default) or as a request (see the module docstring)."""
        if direction == "answer":
            return Draft202012Validator({**self._answer_root, **_directed(schema, "writeOnly", close=True)})
        return Draft202012Validator({**self._request_root, **_directed(schema, "readOnly", close=False)})

    def errors(self, path: str, method: str, status: str, body) -> list[str]:
        """Every schema violation of `body` as the answer of (path, method, status); empty when it conforms."""
        validator = self.validator(self.response_schema(path, method, status))
        return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]

    def component_errors(self, name: str, body) -> list[str]:
        validator = self.validator({"$ref": _REF + name})
        return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]

    def request_errors(self, path: str, method: str, body) -> list:
        """Every violation of `body` as the request body of (path, method): jsonschema errors, deepest first."""
        validator = self.validator(self.request_schema(path, method), "request")
        return sorted(validator.iter_errors(body), key=lambda e: [str(p) for p in e.absolute_path])

    _singleton = None

    @classmethod
    def shared(cls) -> "OAS":
        """One parsed OAS per process (parsing takes about a second)."""
        if cls._singleton is None:
            cls._singleton = cls()
        return cls._singleton
