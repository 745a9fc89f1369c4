#!/usr/bin/env python3
"""Turns the ```swift blocks of README.md into Tests/VarianceKitIOTests/Documentation/ReadmeTour.swift.

Each block becomes the body of its own function, `func readmeBlockN() throws`, numbered from 1
in README order; its `import` lines are hoisted to the top of the file (each module once, in the
order of first appearance). The test target compiles the file, and ReadmeTourTests runs every
block and checks that the committed file is exactly what this script writes (it extracts the
blocks by the same rules, so keep the two in step).

Rules: a block opens with a line that is exactly ```swift and closes with the next line that is
exactly ``` (fences at the start of the line, trailing spaces ignored); an import line is one that
starts with `import `.

    python3 Scripts/readme-tour.py --write   # regenerate the file
    python3 Scripts/readme-tour.py --check   # exit 1 with a diff when the file is out of date
"""
import argparse
import difflib
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
TOUR = ROOT / "Tests" / "VarianceKitIOTests" / "Documentation" / "ReadmeTour.swift"

HEADER = """\
// Generated from README.md by Scripts/readme-tour.py; do not edit. After changing a ```swift block
// of the README, run `python3 Scripts/readme-tour.py --write`. Each block is the body of one
// function; ReadmeTourTests checks that this file matches the README and runs every block.
"""


def swift_blocks(text):
    """The lines of every ```swift block, in order (fences excluded)."""
    blocks, current = [], None
    for line in text.split("\n"):
        fence = line.rstrip()
        if current is None:
            if fence == "```swift":
                current = []
        elif fence == "```":
            blocks.append(current)
            current = None
        else:
            current.append(line.rstrip())
    if current is not None:
        sys.exit("readme-tour: README.md has a ```swift block that is never closed")
    return blocks


def render(text):
    imports, bodies = [], []
    for block in swift_blocks(text):
        body = []
        for line in block:
            if line.startswith("import "):
                if line not in imports:
                    imports.append(line)
            else:
                body.append(line)
        while body and body[0] == "":
            body.pop(0)
        while body and body[-1] == "":
            body.pop()
        bodies.append(body)
    out = [HEADER]
    out += imports
    for number, body in enumerate(bodies, start=1):
        out += ["", f"func readmeBlock{number}() throws {{"]
        out += [("    " + line) if line else "" for line in body]
        out += ["}"]
    out += ["", "/// The README's blocks in order: `readmeTourBlocks[i]` is block `i + 1`."]
    out += ["let readmeTourBlocks: [@Sendable () throws -> Void] = ["]
    out += [f"    readmeBlock{number}," for number in range(1, len(bodies) + 1)]
    out += ["]", ""]
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="regenerate ReadmeTour.swift")
    mode.add_argument("--check", action="store_true", help="exit 1 with a diff if it is out of date")
    args = parser.parse_args()
    expected = render(README.read_text(encoding="utf-8"))
    relative = TOUR.relative_to(ROOT)
    if args.write:
        TOUR.parent.mkdir(parents=True, exist_ok=True)
        TOUR.write_text(expected, encoding="utf-8")
        print(f"readme-tour: wrote {relative}")
        return 0
    actual = TOUR.read_text(encoding="utf-8") if TOUR.exists() else ""
    if actual == expected:
        print(f"readme-tour: {relative} is up to date")
        return 0
    sys.stdout.writelines(difflib.unified_diff(
        actual.splitlines(keepends=True), expected.splitlines(keepends=True),
        fromfile=f"{relative} (on disk)", tofile=f"{relative} (generated from README.md)"))
    print(f"\nreadme-tour: {relative} is out of date; run python3 Scripts/readme-tour.py --write",
          file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
