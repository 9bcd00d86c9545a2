"""setup.py - builds the libsigma extension from the C sources of the repository.

The extension (libsigma._libsigma) is python/libsigma/_libsigma.c linked with the C library
libsigma.a, which the repository's own Makefile builds (`make BUILD=<build dir> <build
dir>/libsigma.a`: the same flags, generated headers and embedded data as the command), so the
library is built one way only. Its link libraries (libyaml, PCRE2, utf8proc, ...) come from
`make print-ldlibs`; `sh tools/setup.sh` installs them on Debian. The C sources are looked up,
first found wins, in:

1. $LIBSIGMA_SOURCE_DIR (a directory holding the Makefile, include/sigma.h, src/ and VERSION);
2. python/_csrc/, which `python setup.py sdist` (or `python -m build`) fills with a copy, so
   an sdist builds on its own;
3. the repository root (the parent of python/): `pip install ./python` from a checkout.
"""

import os
import shutil
import subprocess
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.sdist import sdist

HERE = Path(__file__).resolve().parent
# what an sdist must carry for the Makefile to build the library
SOURCE_PARTS = ("Makefile", "VERSION", "include", "src", "tools", "schemas", "pipelines")


def source_root() -> Path:
    candidates = []
    if os.environ.get("LIBSIGMA_SOURCE_DIR"):
        candidates.append(Path(os.environ["LIBSIGMA_SOURCE_DIR"]))
    candidates += [HERE / "_csrc", HERE.parent]
    for c in candidates:
        if (c / "include" / "sigma.h").is_file() and (c / "src").is_dir() and (c / "Makefile").is_file():
            return c
    raise SystemExit(
        "libsigma: C sources not found (looked in: "
        + ", ".join(str(c) for c in candidates)
        + "); build from a repository checkout (pip install ./python) or set LIBSIGMA_SOURCE_DIR"
    )


ROOT = source_root()
VERSION = (ROOT / "VERSION").read_text().strip()


def make(*args: str) -> str:
    jobs = str(min(os.cpu_count() or 1, 4))
    try:
        out = subprocess.run(["make", "-s", "-C", str(ROOT), "-j" + jobs, *args], check=True,
                             capture_output=True, text=True)
    except FileNotFoundError:
        raise SystemExit("libsigma: `make` not found; install build-essential (sh tools/setup.sh)")
    except subprocess.CalledProcessError as e:
        raise SystemExit("libsigma: building the C library failed:\n" + e.stdout + e.stderr)
    return out.stdout


class build_ext_with_library(build_ext):
    """Builds libsigma.a with the repository's Makefile in the build directory and links it
    into the extension."""

    def build_extension(self, ext: Extension) -> None:
        build = Path(self.build_temp).resolve() / "libsigma-c"
        make("BUILD=" + str(build), str(build / "libsigma.a"))
        ext.include_dirs = [str(ROOT / "include"), str(build / "include")] + list(ext.include_dirs or [])
        ext.extra_objects = [str(build / "libsigma.a")] + list(ext.extra_objects or [])
        # relink whenever the library changed (setuptools compares only sources and depends)
        ext.depends = [str(build / "libsigma.a")] + list(ext.depends or [])
        ext.extra_link_args = make("print-ldlibs").split() + list(ext.extra_link_args or [])
        super().build_extension(ext)


extension = Extension(
    "libsigma._libsigma",
    sources=["libsigma/_libsigma.c"],
    define_macros=[("_POSIX_C_SOURCE", "200809L")],
    extra_compile_args=["-std=c11"],
)


class sdist_with_sources(sdist):
    """An sdist carries a copy of the C sources in _csrc/ so that it builds on its own."""

    def make_release_tree(self, base_dir, files):
        super().make_release_tree(base_dir, files)
        dest = Path(base_dir) / "_csrc"
        shutil.rmtree(dest, ignore_errors=True)
        for part in SOURCE_PARTS:
            if (ROOT / part).is_dir():
                shutil.copytree(ROOT / part, dest / part)
            elif (ROOT / part).is_file():
                shutil.copy(ROOT / part, dest / part)


setup(
    version=VERSION,
    packages=["libsigma", "sigma.backends.libsigma", "sigma.pipelines.libsigma"],
    package_data={"libsigma": ["py.typed", "*.pyi"]},
    ext_modules=[extension],
    cmdclass={"build_ext": build_ext_with_library, "sdist": sdist_with_sources},
    zip_safe=False,
)
