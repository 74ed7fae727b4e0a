"""Executed HTML handouts, slides, student copies and their index (`cargo course handout`).

The course runner calls this with the course's Python (nbconvert, nbformat):

    handout.py assets DIR            install what the pages load into DIR: MathJax and
                                     reveal.js, pinned in handout-assets.txt (pip, PyPI)
    handout.py build --out OUT --executed DIR --assets DIR [--no-solutions] [--no-teacher] STEM...
                                     write the chapters' pages (layout below)
    handout.py check PATH...         every page loads only local files: no remote src/href
                                     (http:, https:, //), no remote url() or @import; every
                                     local file it names exists; its math is left for the
                                     local MathJax to render
    handout.py selftest              the check fails on each kind of page it must fail on

What is written into OUT (default handouts/ at the repository's root):

    index.html                 every chapter: its handout, teacher's handout, slides, student copy
    NN-stem.html               the executed notebook: math, plots, solutions collapsed
                               (<details>) or left out (--no-solutions)
    NN-stem-teacher.html       the same with the solutions, and the chapter's teacher notes
                               (teacher/NN-stem.md) at the end (left out with --no-teacher)
    NN-stem.slides.html        reveal.js slides, broken where the cells' slide types say
    student/NN-stem.ipynb      the learner's copy (tests/notebooks.py student_copy)
    assets/                    MathJax, reveal.js, the course's style sheets

Every page names its scripts and styles by relative paths into assets/, so the folder can be
zipped and opened anywhere, offline. Pages are written into a folder beside OUT first, checked,
and moved into OUT only when every page of the run is written and checked: a failure leaves
OUT as it was.

The outputs come from the executed copy that `cargo course test` keeps (target/executed/,
solutions in place); the text, the exercise stubs and the slide types from the committed
notebook. A code cell's outputs are used only when its code in the executed copy is the
committed code (the runner runs the notebook first when it is not).
"""

from __future__ import annotations

import argparse
import hashlib
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
import zipfile
from html.parser import HTMLParser
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "tests"))

import nbformat  # noqa: E402

import notebooks  # noqa: E402  (tests/notebooks.py: tags, student copies, solutions)

NOTEBOOKS = REPO / "notebooks"
TEACHER = REPO / "teacher"
PINS = HERE / "handout-assets.txt"

# What each package gives the pages: (folder in the wheel, folder under assets/, what to leave).
ASSET_SOURCES = {
    "jupyter-server-mathjax": ("jupyter_server_mathjax/static/", "mathjax", ("jax/output/SVG/",)),
    "sphinx-revealjs": (
        "sphinx_revealjs/_static/revealjs/",
        "reveal.js",
        ("plugin/highlight/", "plugin/markdown/", "plugin/math/", "plugin/search/", "plugin/zoom/",
         "dist/reveal.esm.js", ".map", "dist/theme/fonts/league-gothic/", "css/"),
    ),
}
# The themes of reveal.js other than the one the slides use load fonts from the web: left out.
REVEAL_THEME = "white"

# MathJax's own TeX fonts, which the PyPI package leaves out: its HTML-CSS output still asks
# for them, STIX-Web or not, for TeX's alphabets (\mathcal, the AMS symbols). Taken from the
# npm registry's package of the same MathJax (2.7.9, Apache-2.0), checked by its sha256:
# (address, sha256, folder in the tarball, the subfolders kept).
TEX_FONTS = (
    "https://registry.npmjs.org/mathjax/-/mathjax-2.7.9.tgz",
    "7131e739848edc14aa661a5516995866b81a477fab8b039d7cc324930e71f786",
    "package/fonts/HTML-CSS/TeX/",
    ("otf/", "woff/"),
)

MATHJAX = "assets/mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"

# MathJax 2.7 as Jupyter's classic notebook configures it for the fonts this package
# ships (STIX-Web only), with the delimiters nbconvert's templates use.
MATHJAX_CONFIG = r"""<script type="text/x-mathjax-config">
MathJax.Hub.Config({
    tex2jax: {
        inlineMath: [ ['$','$'], ["\\(","\\)"] ],
        displayMath: [ ['$$','$$'], ["\\[","\\]"] ],
        processEscapes: true,
        processEnvironments: true,
        ignoreClass: "tex2jax_ignore|jp-RenderedSVG"
    },
    TeX: { equationNumbers: { autoNumber: "AMS", useLabelIds: true } },
    "HTML-CSS": {
        availableFonts: [], imageFont: null, preferredFont: null, webFont: "STIX-Web",
        linebreaks: { automatic: true }
    },
    displayAlign: "center",
    messageStyle: "none"
});
</script>"""

# A picture the course's crate drew goes into the page as it is (its <title> and <desc>
# read by screen readers), not as an opaque base64 image.
SVG_BLOCK = (
    "{% block data_svg scoped -%}\n"
    '<div class="jp-RenderedSVG jp-OutputArea-output {{ extra_class }}" data-mime-type="image/svg+xml">\n'
    "{{ output.data['image/svg+xml'] | replace('<?xml version=\"1.0\" encoding=\"UTF-8\"?>', '') }}\n"
    "</div>\n"
    "{%- endblock data_svg %}\n"
)

LAB_TEMPLATE = (    "{%- extends 'lab/index.html.j2' -%}\n"
    "{%- block html_head_js -%}{%- endblock html_head_js -%}\n"
    "{% block jupyter_widgets %}{% endblock jupyter_widgets %}\n"
    "{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}\n"
    "{%- block html_head_js_mathjax -%}\n" + MATHJAX_CONFIG + "\n"
    f'<script src="{MATHJAX}"></script>\n'
    "{%- endblock html_head_js_mathjax -%}\n"
    "{%- block html_head_css -%}\n"
    '<link rel="stylesheet" href="assets/course.css">\n'
    "{%- endblock html_head_css -%}\n"
    + SVG_BLOCK
)

SLIDES_TEMPLATE = (
    "{%- extends 'reveal/index.html.j2' -%}\n"
    "{%- block html_head_js -%}{%- endblock html_head_js -%}\n"
    "{% block jupyter_widgets %}{% endblock jupyter_widgets %}\n"
    "{%- block html_head_js_mathjax -%}\n" + MATHJAX_CONFIG + "\n"
    f'<script src="{MATHJAX}"></script>\n'
    "{%- endblock html_head_js_mathjax -%}\n"
    "{%- block html_head_css -%}\n"
    '<link rel="stylesheet" href="assets/course.css">\n'
    '<link rel="stylesheet" href="assets/course-slides.css">\n'
    "{%- endblock html_head_css -%}\n"
    "{% block footer_js %}\n"
    '<script src="assets/reveal.js/dist/reveal.js"></script>\n'
    '<script src="assets/reveal.js/plugin/notes/notes.js"></script>\n'
    "<script>\n"
    "Reveal.initialize({\n"
    "    controls: true, progress: true, history: true, hash: true,\n"
    "    transition: 'slide', slideNumber: 'c/t', plugins: [RevealNotes],\n"
    "    width: 1280, height: 800, margin: 0.04\n"
    "});\n"
    "// A slide taller than the screen scrolls; math is typeset again where it shows.\n"
    "function fitSlide(slide) {\n"
    "    if (slide && slide.scrollHeight > 800) {\n"
    "        slide.style.height = '760px';\n"
    "        slide.style.overflowY = 'auto';\n"
    "    }\n"
    "}\n"
    "Reveal.on('ready', function (event) { fitSlide(event.currentSlide); });\n"
    "Reveal.on('slidechanged', function (event) {\n"
    "    fitSlide(event.currentSlide);\n"
    "    if (window.MathJax && MathJax.Hub) { MathJax.Hub.Queue(['Rerender', MathJax.Hub, event.currentSlide]); }\n"
    "});\n"
    "</script>\n"
    "{% endblock footer_js %}\n"
    + SVG_BLOCK
)

# The course's style for every page, and the presenter's for the slides.
COURSE_CSS = """/* The course's handouts: readable widths, solutions and teacher notes set apart. */
body.jp-Notebook { max-width: 1100px; margin: 0 auto; }
.jp-OutputArea-output svg, .jp-OutputArea-output img { max-width: 100%; height: auto; }
details { border: 1px solid #c8c8c8; border-radius: 4px; padding: 0.3em 0.8em; margin: 0.5em 0; }
details > summary { cursor: pointer; }
.course-teacher-notes { border-top: 3px double #888; margin-top: 2em; }
.course-nav { font-size: 0.9em; padding: 0.5em 0; }
"""

SLIDES_CSS = """/* Slides for a projector: a large font, code that still fits 100 characters a line. */
:root {
    --jp-content-font-size1: 26px;
    --jp-ui-font-size1: 24px;
    --jp-code-font-size: 20px;
    --jp-cell-prompt-width: 0px;
}
.reveal .jp-InputPrompt, .reveal .jp-OutputPrompt { display: none; }
.reveal .jp-RenderedHTMLCommon h1 { font-size: 2.0em; }
.reveal .jp-RenderedHTMLCommon h2 { font-size: 1.6em; }
.reveal .jp-RenderedHTMLCommon h3 { font-size: 1.3em; }
/* A plot fills its slide: drawn to 620 px high, centred, never wider than the slide. */
.reveal .jp-RenderedSVG svg { display: block; margin: 0 auto; height: 620px; width: auto; max-width: 100%; }
body.jp-Notebook { max-width: none; }
"""

INDEX_STYLE = """body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.4em 0.6em; border-bottom: 1px solid #ddd; }
td.missing { color: #777; }
"""


class HandoutError(Exception):
    """A problem with a chapter's handout, said for a person."""


def text(source) -> str:
    return source if isinstance(source, str) else "".join(source)


# ---------------------------------------------------------------- assets


def install_assets(dest: Path) -> None:
    """Downloads the pinned packages with pip (hash-checked) and unpacks what the pages
    load into dest; a second run with the same pins does nothing."""
    stamp = dest / "PINS"
    pins = PINS.read_text() + f"# {TEX_FONTS[0]} sha256:{TEX_FONTS[1]}\n"
    if stamp.exists() and stamp.read_text() == pins:
        print(f"handout assets already in {dest}")
        return
    with tempfile.TemporaryDirectory(prefix="course-assets-") as tmp:
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                   "--no-deps", "--only-binary=:all:", "--require-hashes", "-r", str(PINS), "-d", tmp]
        if subprocess.run(command).returncode != 0:
            raise HandoutError(
                "pip could not download the handouts' scripts (MathJax, reveal.js) from PyPI: "
                "check the network and run `cargo course setup` again"
            )
        staging = Path(tmp) / "assets"
        for wheel in sorted(Path(tmp).glob("*.whl")):
            name = wheel.name.split("-")[0].replace("_", "-").lower()
            if name not in ASSET_SOURCES:
                continue
            prefix, target, leave = ASSET_SOURCES[name]
            with zipfile.ZipFile(wheel) as z:
                for member in z.namelist():
                    if not member.startswith(prefix) or member.endswith("/"):
                        continue
                    rel = member[len(prefix):]
                    if any(part in rel for part in leave):
                        continue
                    theme = rel.startswith("dist/theme/") and "/" not in rel[len("dist/theme/"):]
                    if name == "sphinx-revealjs" and theme and rel.endswith(".css") \
                            and rel != f"dist/theme/{REVEAL_THEME}.css":
                        continue
                    out = staging / target / rel
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(z.read(member))
            licence = next((m for m in z.namelist() if m.endswith(("LICENSE", "LICENSE.txt"))
                            and ".dist-info/" in m), None)
            if licence:
                with zipfile.ZipFile(wheel) as z:
                    (staging / target / f"LICENSE.{name}").write_bytes(z.read(licence))
        unpack_tex_fonts(Path(tmp), staging / "mathjax" / "fonts" / "HTML-CSS" / "TeX")
        missing = [t for _, t, _ in ASSET_SOURCES.values() if not (staging / t).is_dir()]
        if missing:
            raise HandoutError(f"the downloaded packages hold no {', '.join(missing)}: see {PINS}")
        if dest.exists():
            shutil.rmtree(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(staging, dest)
    stamp.write_text(pins)
    print(f"handout assets (MathJax, reveal.js) installed in {dest}")


def unpack_tex_fonts(tmp: Path, into: Path) -> None:
    """Downloads TEX_FONTS' tarball, checks its hash, and unpacks the kept font folders."""
    url, sha256, prefix, keep = TEX_FONTS
    try:
        with urllib.request.urlopen(url, timeout=300) as response:
            data = response.read()
    except OSError as e:
        raise HandoutError(f"could not download MathJax's TeX fonts from {url} ({e}): "
                           "check the network and run `cargo course setup` again")
    got = hashlib.sha256(data).hexdigest()
    if got != sha256:
        raise HandoutError(f"{url} has sha256 {got}, not the pinned {sha256}: not used; "
                           "the pin in crates/course/handout.py (TEX_FONTS) names the file wanted")
    kept = 0
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            rel = member.name[len(prefix):] if member.name.startswith(prefix) else None
            if member.isfile() and rel and rel.startswith(keep) and ".." not in rel:
                out = into / rel
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(tar.extractfile(member).read())
                kept += 1
            elif member.isfile() and member.name == "package/LICENSE":
                into.mkdir(parents=True, exist_ok=True)
                (into / "LICENSE.mathjax").write_bytes(tar.extractfile(member).read())
    if kept == 0:
        raise HandoutError(f"{url} holds no {prefix}{{{','.join(keep)}}}: see TEX_FONTS in handout.py")


# ---------------------------------------------------------------- notebooks


def chapter_stems() -> list[str]:
    return [p.stem for p in notebooks.chapters()]


def title_of(nb, stem: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in text(cell.source).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return stem


def merged(stem: str, executed_dir: Path):
    """The committed notebook with the outputs of its executed copy: each code cell's
    outputs come from the executed cell with its id and its code; an exercise cell keeps
    its stub and no outputs (its executed form is the solution's code)."""
    committed = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
    path = executed_dir / f"{stem}.ipynb"
    if not path.exists():
        raise HandoutError(f"{stem}: no executed copy in {executed_dir} (run `cargo course handout {stem[:2]} --fresh`)")
    executed = nbformat.read(path, as_version=4)
    run = executed.metadata.get("course_run", {})
    if not run.get("passed"):
        raise HandoutError(f"{stem}: its executed copy is of a failed run (run `cargo course handout {stem[:2]} --fresh`)")
    by_id = {c.get("id"): c for c in executed.cells}
    nb = nbformat.from_dict(json.loads(json.dumps(committed)))
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if "exercise" in notebooks.tags(cell):
            cell.outputs, cell.execution_count = [], None
            continue
        done = by_id.get(cell.get("id"))
        if done is None or text(done.source) != text(cell.source):
            raise HandoutError(
                f"{stem}: cell {i} changed since its executed copy was run "
                f"(run `cargo course handout {stem[:2]} --fresh`)"
            )
        # The run's own end mark of a check cell (tests/notebooks.py) is not the cell's output.
        outputs = [o for o in done.get("outputs", [])
                   if not (o.get("output_type") == "execute_result"
                           and o.get("data", {}).get("text/plain") == notebooks.REACHED_END)]
        cell.outputs, cell.execution_count = outputs, done.get("execution_count")
    if "language_info" in executed.metadata:
        nb.metadata["language_info"] = executed.metadata["language_info"]
    nb.metadata["course_run"] = run
    return nb


CHAPTER_LINK = re.compile(r"\]\((\d\d-[^)\s#/]*?)\.(?:ipynb|md)(#[^)\s]*)?\)")
OUTSIDE_LINK = re.compile(r"\[([^\]]*)\]\(\.\./([^)\s]+)\)")


def relink(source: str, suffix: str, stems: list[str]) -> str:
    """Links to chapters (NN-stem.ipynb, a teacher note NN-stem.md) point to the page of
    the same kind (suffix: "", "-teacher", ".slides"); a link to a chapter not yet
    written keeps its words and loses its target; a link into the repository names the
    file there (the pages travel without the repository)."""

    def chapter(m: re.Match) -> str:
        stem = m.group(1)
        if stem not in stems:
            return "]()"
        return f"]({stem}{suffix}.html{m.group(2) or ''})"

    source = re.sub(r"\]\(\.\./notebooks/", "](", source)
    source = CHAPTER_LINK.sub(chapter, source)
    source = re.sub(r"\[([^\]]*)\]\(\)", r"\1", source)
    return OUTSIDE_LINK.sub(lambda m: f"{m.group(1)} (`{m.group(2)}` in the course's repository)", source)


def handout_notebook(nb, stems: list[str], solutions: bool, suffix: str = ""):
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    if not solutions:
        nb.cells = [c for c in nb.cells if "solution" not in notebooks.tags(c)]
        for c in nb.cells:
            # A check's output would tell what the solution computes.
            if c.cell_type == "code" and notebooks.tags(c) & {"exercise", "check"}:
                c.outputs, c.execution_count = [], None
    for c in nb.cells:
        if c.cell_type == "markdown":
            c.source = relink(text(c.source), suffix, stems)
    return nb


TEACHER_PROMPTS = (
    "*In this handout a code cell's prompt, In [n], gives its number n in the notebook, "
    "counted from 0 as these notes count cells (markdown cells have numbers too, and no prompt).*"
)


def teacher_notebook(nb, stem: str, stems: list[str]):
    """The handout with solutions, each code cell's prompt its number in the notebook
    (as the notes name cells), and the teacher notes at the end."""
    nb = handout_notebook(nb, stems, solutions=True, suffix="-teacher")
    for i, c in enumerate(nb.cells):
        if c.cell_type == "code":
            c.execution_count = i
    notes = TEACHER / f"{stem}.md"
    body = notes.read_text() if notes.exists() else f"*No teacher notes: `teacher/{stem}.md` is missing.*"
    body = relink(body, "-teacher", stems)
    # The line on prompts goes under the notes' title.
    title, _, rest = body.partition("\n") if body.startswith("# ") else ("", "", body)
    nb.cells.append(nbformat.v4.new_markdown_cell(
        '<div class="course-teacher-notes"></div>\n\n' + title + "\n\n" + TEACHER_PROMPTS + "\n\n" + rest.lstrip()
    ))
    return nb


def slides_notebook(nb, stems: list[str], solutions: bool):
    """The notebook as slides: solutions skipped (their slide type), and a cell that
    shows a plot or a table shows it alone (its code is in the handout); a cell that
    shows a short value keeps its code, which says what the value is."""
    nb = handout_notebook(nb, stems, solutions, suffix=".slides")
    for c in nb.cells:
        shown = {kind for o in c.get("outputs", []) for kind in o.get("data", {})}
        if notebooks.shows_value(c) and shown & {"image/svg+xml", "image/png", "text/html"}:
            c.metadata.setdefault("transient", {})["remove_source"] = True
    return nb


def stash_pictures(nb) -> dict[str, str]:
    """Puts a mark (an HTML comment) in place of each SVG picture of the notebook's
    outputs and returns the pictures by mark: nbconvert reads every page into
    BeautifulSoup once written, and a page's thousands of SVG elements made that the
    slowest step; the pictures go back in after it."""
    pictures = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/svg+xml" in data:
                mark = f"<!--course-picture-{len(pictures)}-->"
                pictures[mark] = text(data["image/svg+xml"]).replace('<?xml version="1.0" encoding="UTF-8"?>', "")
                data["image/svg+xml"] = mark
    return pictures


def exporters():
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter, SlidesExporter

    loader = DictLoader({"course_lab.html.j2": LAB_TEMPLATE, "course_reveal.html.j2": SLIDES_TEMPLATE})
    page = HTMLExporter(template_name="lab", extra_loaders=[loader])
    page.template_file = "course_lab.html.j2"
    slides = SlidesExporter(template_name="reveal", extra_loaders=[loader],
                            reveal_url_prefix="assets/reveal.js", reveal_theme=REVEAL_THEME)
    slides.template_file = "course_reveal.html.j2"
    return page, slides


# ---------------------------------------------------------------- build


def build(args) -> int:
    out = Path(args.out).resolve()
    executed = Path(args.executed).resolve()
    assets = Path(args.assets).resolve()
    stems_all = chapter_stems()
    unknown = [s for s in args.stems if s not in stems_all]
    if unknown:
        raise HandoutError(f"no chapter {', '.join(unknown)} in notebooks/ (there are: {', '.join(stems_all)})")
    if not (assets / "mathjax" / "MathJax.js").exists() or not (assets / "reveal.js" / "dist" / "reveal.js").exists():
        raise HandoutError(f"the pages' scripts are not installed in {assets}: run `cargo course setup`")
    partial = out.parent / f".{out.name}.partial-{os.getpid()}"
    if partial.exists():
        shutil.rmtree(partial)
    begin = time.perf_counter()
    try:
        (partial / "student").mkdir(parents=True)
        shutil.copytree(assets, partial / "assets", ignore=shutil.ignore_patterns("PINS"))
        (partial / "assets" / "course.css").write_text(COURSE_CSS)
        (partial / "assets" / "course-slides.css").write_text(SLIDES_CSS)
        page, slides = exporters()
        crate = (REPO / "crates" / "mlmath").resolve()
        for stem in args.stems:
            t = time.perf_counter()
            nb = merged(stem, executed)
            title = title_of(nb, stem)
            written = []
            for name, book, exporter, label in [
                (f"{stem}.html", handout_notebook(nb, stems_all, not args.no_solutions), page, title),
                (f"{stem}-teacher.html", None if args.no_teacher else teacher_notebook(nb, stem, stems_all),
                 page, f"{title} (teacher's handout)"),
                (f"{stem}.slides.html", slides_notebook(nb, stems_all, not args.no_solutions), slides, title),
            ]:
                if book is None:
                    continue
                book.metadata["title"] = label
                pictures = stash_pictures(book)
                body, _ = exporter.from_notebook_node(book, resources={"metadata": {"name": stem}})
                for mark, svg in pictures.items():
                    body = body.replace(mark, svg)
                (partial / name).write_text(body)
                written.append(name)
            committed = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
            nbformat.write(notebooks.student_copy(committed, crate), partial / "student" / f"{stem}.ipynb")
            written.append(f"student/{stem}.ipynb")
            print(f"  {stem}: {', '.join(written)} ({time.perf_counter() - t:.1f} s)", flush=True)
        pending: list[str] = []
        problems = check_paths([partial], pending)
        if problems:
            raise HandoutError("the pages fail their check:\n" + "\n".join(f"  - {p}" for p in problems))
        move_into_place(partial, out)
        if args.no_teacher:
            # A folder written for students keeps no teacher's page of an earlier run.
            for stem in args.stems:
                (out / f"{stem}-teacher.html").unlink(missing_ok=True)
        write_index(out, stems_all)
        unbuilt = sorted({re.sub(r"^.*a link to (\d\d-[^ ]*?)(-teacher|\.slides)?\.html.*$", r"\1", p)
                          for p in pending} - {s for s in stems_all if (out / f"{s}.html").exists()})
        if unbuilt:
            print(f"  (links to chapters not written yet: {', '.join(unbuilt)}; "
                  "`cargo course handout --all` writes every chapter)")
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(f"handouts of {len(args.stems)} chapter(s) written to {out} in {time.perf_counter() - begin:.1f} s; "
          f"the folder holds {size / 1e6:.1f} MB (open {out / 'index.html'})")
    return 0


def move_into_place(partial: Path, out: Path) -> None:
    """Moves the written pages into out: assets/ whole, every other file one by one
    (pages of chapters not in this run stay)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "student").mkdir(exist_ok=True)
    old = out / ".assets-old"
    if old.exists():
        shutil.rmtree(old)
    if (out / "assets").exists():
        (out / "assets").rename(old)
    (partial / "assets").rename(out / "assets")
    shutil.rmtree(old, ignore_errors=True)
    for f in sorted(partial.rglob("*")):
        if f.is_file():
            target = out / f.relative_to(partial)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(f, target)


def write_index(out: Path, stems: list[str]) -> None:
    rows = []
    # The teacher's column only where there are teacher's pages (not in a folder for students).
    teacher = any((out / f"{stem}-teacher.html").exists() for stem in stems)
    kinds = [("", "handout"), ("-teacher", "teacher's handout"), (".slides", "slides")]
    kinds = [k for k in kinds if teacher or k[0] != "-teacher"]
    for stem in stems:
        nb = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
        cells = []
        pages = [(f"{stem}{suffix}.html", label) for suffix, label in kinds]
        for name, label in pages + [(f"student/{stem}.ipynb", "student copy")]:
            if (out / name).exists():
                cells.append(f'<td><a href="{html.escape(name)}">{label}</a></td>')
            else:
                cells.append(f'<td class="missing">no {label} (<code>cargo course handout {stem[:2]}</code>)</td>')
        rows.append(f"<tr><th>{html.escape(title_of(nb, stem))}</th>{''.join(cells)}</tr>")
    page = (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">\n"
        "<title>The mathematics of machine learning, in Rust notebooks: handouts</title>\n"
        f"<style>\n{INDEX_STYLE}</style>\n</head>\n<body>\n<main>\n"
        "<h1>The mathematics of machine learning, in Rust notebooks</h1>\n"
        "<p>Each chapter as an executed handout"
        + (", a teacher's handout (with the teacher notes)" if teacher else "")
        + ", slides (arrow keys; <kbd>S</kbd> opens the speaker view) and "
        "the learner's notebook without solutions, to open in JupyterLab.</p>\n"
        "<table>\n<thead><tr><th>chapter</th>"
        + "".join(f"<th>{label}</th>" for _, label in kinds)
        + "<th>notebook</th></tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n"
        "</main>\n</body>\n</html>\n"
    )
    tmp = out / ".index.html.partial"
    tmp.write_text(page)
    os.replace(tmp, out / "index.html")


# ---------------------------------------------------------------- check

REMOTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.I)
RESOURCE_ATTRS = {"src", "srcset", "poster", "data", "background"}
CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""", re.I)
SCRIPT_REMOTE = re.compile(r"""(?:import\s*(?:[^'"]*from\s*)?|import\(\s*|fetch\(\s*)['"]((?:https?:)?//[^'"]+)['"]""")
MATH = re.compile(r"\$[^$\s][^$]*\$|\\\(|\\\[")


class Page(HTMLParser):
    """What a page refers to: resources (loaded) and links (followed), and its visible text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.resources: list[tuple[str, str]] = []  # (what, url)
        self.links: list[str] = []
        self.text: list[str] = []
        self.mathjax: list[str] = []
        self._skip = 0
        self._in: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._in.append(tag)
        if tag in ("script", "style", "pre", "code"):
            self._skip += 1
        for name, value in attrs.items():
            if value is None:
                continue
            if name in RESOURCE_ATTRS:
                parts = value.split(",") if name == "srcset" else [value]
                for part in parts:
                    url = part.strip().split(" ")[0]
                    if url:
                        self.resources.append((f"<{tag} {name}>", url))
            elif name in ("href", "xlink:href"):
                (self.resources.append((f"<{tag} {name}>", value)) if tag in ("link", "use", "image", "base")
                 else self.links.append(value))
            elif name == "style":
                self.resources += [(f"<{tag} style> url()", u) for u in CSS_URL.findall(value)]
        if tag == "script" and "mathjax" in (attrs.get("src") or "").lower():
            self.mathjax.append(attrs["src"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "pre", "code") and self._skip:
            self._skip -= 1
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data):
        where = self._in[-1] if self._in else ""
        if where == "style":
            self.resources += [("<style> url()/@import", u) for u in CSS_URL.findall(data)]
        elif where == "script":
            self.resources += [("<script> import/fetch", u) for u in SCRIPT_REMOTE.findall(data)]
        elif not self._skip:
            self.text.append(data)


def local_target(page: Path, url: str) -> Path | None:
    """The file a relative URL names, or None for one that names no file (#, data:, mailto:)."""
    url = url.strip()
    if not url or url.startswith(("#", "data:", "mailto:", "javascript:", "about:")):
        return None
    path = url.split("#")[0].split("?")[0]
    return (page.parent / html.unescape(path)) if path else None


def check_page(page: Path, pending: list[str] | None = None) -> list[str]:
    """The problems of one page: remote resources, missing local files, math with no
    local MathJax to render it (and, for a chapter's handout, no math at all). A link to
    another chapter's page that is not there is a problem, or, given `pending`, noted
    there (a run that writes some chapters only)."""
    parser = Page()
    parser.feed(page.read_text(errors="replace"))
    problems = []
    for what, url in parser.resources:
        if REMOTE.match(url):
            problems.append(f"{page.name}: {what} loads {url} from the network: only files under assets/ may be loaded")
            continue
        target = local_target(page, url)
        if target is not None and not target.exists():
            problems.append(f"{page.name}: {what} names {url}, which is not there")
    for url in parser.links:
        if REMOTE.match(url) and not url.lower().startswith(("http:", "https:")):
            problems.append(f"{page.name}: a link to {url} (a protocol-relative address) needs the network")
        elif not REMOTE.match(url) and not re.match(r"^[a-z]+:", url, re.I):
            target = local_target(page, url)
            if target is not None and not target.exists():
                said = f"{page.name}: a link to {url}, which is not there"
                if pending is not None and re.match(r"^\d\d-[^/]*\.html$", target.name):
                    pending.append(said)
                else:
                    problems.append(said)
    visible = "".join(parser.text)
    math = MATH.findall(visible)
    is_chapter = re.match(r"^\d\d-.*\.html$", page.name)
    if math and not parser.mathjax:
        problems.append(f"{page.name}: {len(math)} pieces of math and no MathJax script to render them")
    for src in parser.mathjax:
        if REMOTE.match(src):
            continue  # said above
    if is_chapter and not math:
        problems.append(f"{page.name}: no math delimiters ($...$, \\(...\\)) left for MathJax in its text")
    return problems


def check_paths(paths: list[Path], pending: list[str] | None = None) -> list[str]:
    pages = []
    for path in paths:
        pages += sorted(path.rglob("*.html")) if path.is_dir() else [path]
    pages = [p for p in pages if "assets" not in p.relative_to(p.parents[0]).parts and "/assets/" not in str(p)]
    problems = []
    for page in pages:
        problems += check_page(page, pending)
    if not pages:
        problems.append(f"no pages in {', '.join(map(str, paths))}")
    return problems


def check(args) -> int:
    problems = check_paths([Path(p) for p in args.paths])
    for p in problems:
        print(f"- {p}")
    pages = sum(len(list(Path(p).rglob('*.html'))) if Path(p).is_dir() else 1 for p in args.paths)
    print(f"check: {'ok' if not problems else 'FAILED'} ({len(problems)} problem(s))")
    return 1 if problems else 0


def selftest(_args) -> int:
    """The check must fail on each kind of bad page, and pass a good one."""
    good = (
        '<html><head><script src="assets/mathjax/MathJax.js?config=x"></script>'
        '<link rel="stylesheet" href="assets/course.css"></head>'
        '<body><p>The bound $(R/\\gamma)^2$ holds.</p><a href="https://arxiv.org/abs/1">a paper</a>'
        '<pre>let x = "$not math$";</pre></body></html>'
    )
    bad = {
        "a remote script": good.replace("assets/mathjax/MathJax.js?config=x", "https://cdn.example/MathJax.js"),
        "a protocol-relative style sheet": good.replace('href="assets/course.css"', 'href="//cdn.example/x.css"'),
        "a remote @import": good.replace("</head>", "<style>@import url(https://fonts.example/css);</style></head>"),
        "a remote module import": good.replace("</head>", "<script type=module>import m from 'https://x.example/m.mjs';</script></head>"),
        "a remote image": good.replace("</body>", '<img src="http://example.org/a.png"></body>'),
        "a missing local script": good.replace("assets/course.css", "assets/missing.css"),
        "math without MathJax": good.replace('<script src="assets/mathjax/MathJax.js?config=x"></script>', ""),
        "no math at all": good.replace("$(R/\\gamma)^2$", "R over gamma, squared,"),
    }
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "assets" / "mathjax").mkdir(parents=True)
        (root / "assets" / "mathjax" / "MathJax.js").write_text("")
        (root / "assets" / "course.css").write_text("")
        page = root / "01-good.html"
        page.write_text(good)
        if check_page(page):
            failures.append(f"a good page fails: {check_page(page)}")
        for what, body in bad.items():
            page.write_text(body)
            if not check_page(page):
                failures.append(f"a page with {what} passes")
    for f in failures:
        print(f"- {f}")
    print(f"selftest: {len(bad) + 1 - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    assets = sub.add_parser("assets", help="install MathJax and reveal.js (pinned) into DIR")
    assets.add_argument("dest")
    b = sub.add_parser("build", help="write the chapters' handouts, slides and student copies")
    b.add_argument("stems", nargs="+")
    b.add_argument("--out", required=True)
    b.add_argument("--executed", required=True)
    b.add_argument("--assets", required=True)
    b.add_argument("--no-solutions", action="store_true")
    b.add_argument("--no-teacher", action="store_true")
    c = sub.add_parser("check", help="pages load only local files and leave math for MathJax")
    c.add_argument("paths", nargs="+")
    sub.add_parser("selftest", help="the check fails on bad pages")
    args = parser.parse_args()
    try:
        if args.command == "assets":
            install_assets(Path(args.dest))
            return 0
        return {"build": build, "check": check, "selftest": selftest}[args.command](args)
    except HandoutError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
