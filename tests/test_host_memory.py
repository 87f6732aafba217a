"""Freed host memory kept for reuse: set up by every runtime, a no-op where the C library cannot."""

import ctypes.util
import platform

import pytest

import locate.host_memory as host_memory
import locate.runtime as runtime


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's mallopt only")
def test_glibc_keeps_freed_memory():
    assert host_memory.keep_freed_memory() is True


def test_without_mallopt_nothing_changes(monkeypatch):
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: "/nonexistent/libc.so")
    assert host_memory.keep_freed_memory() is False


def test_every_runtime_keeps_freed_memory(monkeypatch):
    calls = []
    monkeypatch.setattr(runtime, "keep_freed_memory", lambda: calls.append(True))
    runtime.make_runtime("cpu", "fp32", 1)
    assert calls == [True]
