#!/usr/bin/env python3
"""List the public declarations of a module that have no doc comment of their own.

Reads the symbol graphs that `make docs` writes (swiftc -emit-symbol-graph) and prints one line
per public symbol that is declared in this package's sources (it has a source location there) but
carries no doc comment from those sources. Members the compiler synthesizes (Codable, Hashable,
Equatable) have no location and are not listed; neither are protocol requirements' implementations
whose only documentation is the protocol's, inherited from another module.

Usage: Scripts/undocumented-symbols.py SYMBOL_GRAPH_DIR MODULE [--fail]
Exit status 1 with --fail when anything is listed.
"""
import json
import pathlib
import sys


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    directory, module = pathlib.Path(sys.argv[1]), sys.argv[2]
    fail = "--fail" in sys.argv[3:]
    missing = []
    for graph in sorted(directory.glob(f"{module}*.symbols.json")):
        for symbol in json.loads(graph.read_text())["symbols"]:
            if symbol.get("accessLevel") not in ("public", "open"):
                continue
            location = symbol.get("location", {}).get("uri", "")
            if "/Sources/" not in location:
                continue
            comment = symbol.get("docComment")
            if comment and comment.get("module", module) == module and any(
                line["text"].strip() for line in comment.get("lines", [])
            ):
                continue
            path = location.split("/Sources/", 1)[1]
            line = symbol["location"]["position"]["line"] + 1
            name = ".".join(symbol["pathComponents"])
            missing.append((path, line, symbol["kind"]["displayName"], name))
    for path, line, kind, name in sorted(set(missing)):
        print(f"Sources/{path}:{line}: {kind} {name}")
    print(f"{len(set(missing))} public declarations of {module} without a doc comment", file=sys.stderr)
    return 1 if fail and missing else 0


if __name__ == "__main__":
    sys.exit(main())
