"""pySigma plugin: the pipelines built into libsigma, by name (`sigma convert -t libsigma -p NAME`).
Each stands for the C implementation and works only with the libsigma backend."""

from libsigma.pysigma import iter_builtin_pipelines

pipelines = dict(iter_builtin_pipelines())

__all__ = ["pipelines"]
