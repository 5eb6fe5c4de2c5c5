#!/usr/bin/env python3
"""A provider's registry package (the zip Terraform installs) and the hashes
Terraform records for it. Used by scripts/release and scripts/test-release.

    provider_package.py zip OUT.zip NAME PATH   write a zip holding PATH as NAME
    provider_package.py hashes ZIP              print the zip's h1: and zh: hashes

The zip is deterministic: one entry per file, sorted, every timestamp the zip epoch
(1980-01-01 00:00), mode 0755, deflate at a fixed level, no extra fields; so the same
binary always gives the same bytes and the same SHA256SUMS line.

The hashes are the two schemes of Terraform's dependency lock file: `zh:` is the
SHA-256 of the zip itself (what the registry's SHA256SUMS lists), `h1:` is Go's
dirhash "Hash1" of the files inside it (SHA-256 of the sorted lines
"<sha256 of the file>  <name>\\n", base64), which Terraform computes for any
installed package. Only the standard library.
"""

import base64
import hashlib
import sys
import zipfile
from pathlib import Path

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
EXECUTABLE = 0o100755  # a regular file, rwxr-xr-x
CHUNK = 1 << 20


def write_zip(out: Path, entries: dict[str, Path]) -> None:
    with zipfile.ZipFile(out, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.create_system = 3  # Unix, so unzip and Terraform honour the mode
            info.external_attr = EXECUTABLE << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with entries[name].open("rb") as src, archive.open(info, "w", force_zip64=False) as dst:
                while chunk := src.read(CHUNK):
                    dst.write(chunk)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def h1(zip_path: Path) -> str:
    lines = []
    with zipfile.ZipFile(zip_path) as archive:
        for name in sorted(archive.namelist()):
            if "\n" in name:
                raise ValueError(f"{zip_path}: a file name with a newline: {name!r}")
            digest = hashlib.sha256()
            with archive.open(name) as f:
                while chunk := f.read(CHUNK):
                    digest.update(chunk)
            lines.append(f"{digest.hexdigest()}  {name}\n")
    summary = hashlib.sha256("".join(lines).encode()).digest()
    return "h1:" + base64.b64encode(summary).decode()


def main(argv: list[str]) -> int:
    if len(argv) == 5 and argv[1] == "zip":
        source = Path(argv[4])
        if not source.is_file():
            print(f"provider_package: no file at {source}", file=sys.stderr)
            return 1
        write_zip(Path(argv[2]), {argv[3]: source})
        return 0
    if len(argv) == 3 and argv[1] == "hashes":
        zip_path = Path(argv[2])
        print(h1(zip_path))
        print("zh:" + sha256_file(zip_path))
        return 0
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
