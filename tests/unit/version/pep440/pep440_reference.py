"""Reference answers from pypa/packaging for bulwark's PEP 440 differential test.

Reads the file named by argv[1]; each line is tab-separated, strings hex-encoded (UTF-8 with
surrogateescape, so any byte string round-trips):
  C <a> <b>               -> "<va> <vb> <cmp>"  va/vb: V valid, E InvalidVersion, X ValueError;
                             cmp -1/0/1 when both are valid, else "-"
  N <v>                   -> hex of str(Version(v)), or E / X
  S <spec> <v> <mode>     -> SpecifierSet(spec).contains(v, prereleases=mode) as T or F;
                             S when the spec is invalid, V when contains() raised InvalidVersion;
                             mode is A (None), I (True) or X (False)
Writes one answer line per input line to stdout.
"""
import sys

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version


def decode(text):
    return bytes.fromhex(text).decode("utf-8", "surrogateescape")


def version(text):
    try:
        return "V", Version(text)
    except InvalidVersion:
        return "E", None
    except ValueError:  # integers above CPython's 4300-digit limit
        return "X", None


def answer(fields):
    kind = fields[0]
    if kind == "C":
        (va, a), (vb, b) = version(decode(fields[1])), version(decode(fields[2]))
        if a is None or b is None:
            return f"{va} {vb} -"
        return f"{va} {vb} {(a > b) - (a < b)}"
    if kind == "N":
        state, v = version(decode(fields[1]))
        if v is None:
            return state
        return str(v).encode("utf-8", "surrogateescape").hex()
    if kind == "S":
        mode = {"A": None, "I": True, "X": False}[fields[3]]
        try:
            spec = SpecifierSet(decode(fields[1]))
        except InvalidSpecifier:
            return "S"
        try:
            return "T" if spec.contains(decode(fields[2]), prereleases=mode) else "F"
        except InvalidVersion:
            return "V"
    raise SystemExit(f"bad request {kind!r}")


def main():
    out = []
    with open(sys.argv[1], encoding="ascii") as requests:
        for line in requests:
            out.append(answer(line.rstrip("\n").split("\t")))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
