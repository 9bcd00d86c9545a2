"""pySigma plugin: the libsigma backend, found by pySigma's plugin discovery (and so by sigma-cli)
as the target `libsigma`. The implementation is libsigma.pysigma."""

from libsigma.pysigma import LibsigmaBackend

__all__ = ["LibsigmaBackend"]
