"""setup.py - builds the libsigma extension from the C sources of the repository.

The extension (libsigma._libsigma) is compiled from python/libsigma/_libsigma.c and every
src/**/*.c of the C library, linked against libyaml, PCRE2 and utf8proc (found with pkg-config;
`sh tools/setup.sh` installs them on Debian). The C sources are looked up, first found wins, in:

1. $LIBSIGMA_SOURCE_DIR (a directory holding include/sigma.h, src/ and VERSION);
2. python/_csrc/, which `python setup.py sdist` (or `python -m build`) fills with a copy, so
   an sdist builds on its own;
3. the repository root (the parent of python/): `pip install ./python` from a checkout.
"""

import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.sdist import sdist

HERE = Path(__file__).resolve().parent
PKGS = ("yaml-0.1", "libpcre2-8", "libutf8proc")
FALLBACK_LIBS = ("yaml", "pcre2-8", "utf8proc")


def source_root() -> Path:
    candidates = []
    if os.environ.get("LIBSIGMA_SOURCE_DIR"):
        candidates.append(Path(os.environ["LIBSIGMA_SOURCE_DIR"]))
    candidates += [HERE / "_csrc", HERE.parent]
    for c in candidates:
        if (c / "include" / "sigma.h").is_file() and (c / "src").is_dir():
            return c
    raise SystemExit(
        "libsigma: C sources not found (looked in: "
        + ", ".join(str(c) for c in candidates)
        + "); build from a repository checkout (pip install ./python) or set LIBSIGMA_SOURCE_DIR"
    )


def pkg_config(*args: str) -> list[str] | None:
    try:
        out = subprocess.run(["pkg-config", *args, *PKGS], check=True, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.split()


ROOT = source_root()
VERSION = (ROOT / "VERSION").read_text().strip()
cflags = pkg_config("--cflags") or []
libs = pkg_config("--libs")
if libs is None:
    libs = ["-l" + name for name in FALLBACK_LIBS]

LIB_MACROS = [("_POSIX_C_SOURCE", "200809L"), ("SIGMA_VERSION", '"%s"' % VERSION)]
LIB_ARGS = ["-std=c11", *cflags]


class build_ext_with_library(build_ext):
    """Compiles the C library's sources (on several threads) and links their objects into the
    extension. They are not Extension sources because setuptools accepts only sources below
    setup.py's directory."""

    def build_extension(self, ext: Extension) -> None:
        ext.extra_objects = self.compile_library() + list(ext.extra_objects or [])
        super().build_extension(ext)

    def compile_library(self) -> list[str]:
        out = os.path.join(self.build_temp, "libsigma-c")
        sources = sorted(str(p) for p in (ROOT / "src").rglob("*.c"))
        include = [str(ROOT / "include")]

        def one(source: str) -> list[str]:
            return self.compiler.compile(
                [source],
                output_dir=out,
                macros=LIB_MACROS,
                include_dirs=include,
                extra_postargs=LIB_ARGS,
                depends=[str(p) for p in (ROOT / "src").rglob("*.h")] + [str(ROOT / "include" / "sigma.h")],
            )

        jobs = self.parallel if isinstance(self.parallel, int) and self.parallel > 0 else os.cpu_count() or 1
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            return [obj for objs in pool.map(one, sources) for obj in objs]


extension = Extension(
    "libsigma._libsigma",
    sources=["libsigma/_libsigma.c"],
    include_dirs=[str(ROOT / "include")],
    define_macros=LIB_MACROS,
    extra_compile_args=LIB_ARGS,
    extra_link_args=[*libs, "-lpthread"],
)


class sdist_with_sources(sdist):
    """An sdist carries a copy of the C sources in _csrc/ so that it builds on its own."""

    def make_release_tree(self, base_dir, files):
        super().make_release_tree(base_dir, files)
        dest = Path(base_dir) / "_csrc"
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(ROOT / "include", dest / "include")
        shutil.copytree(ROOT / "src", dest / "src")
        shutil.copy(ROOT / "VERSION", dest / "VERSION")


setup(
    version=VERSION,
    packages=["libsigma", "sigma.backends.libsigma", "sigma.pipelines.libsigma"],
    package_data={"libsigma": ["py.typed", "*.pyi"]},
    ext_modules=[extension],
    cmdclass={"build_ext": build_ext_with_library, "sdist": sdist_with_sources},
    zip_safe=False,
)
