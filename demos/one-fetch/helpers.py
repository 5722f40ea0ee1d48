"""What the four fetch samples share: the HTTP request and parser, and two
ways to look inside the program: its state while it waits, and a compact
traceback (one line per frame) when parsing fails.
"""
import os
import textwrap
import traceback


def request(url):
    return f"GET {url} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode()


def parse(response):
    """b"HTTP/1.0 200 OK\\r\\n...\\r\\n\\r\\nbody" -> (200, "body").

    A status that is not a number, like b"2OO", raises ValueError.
    """
    head, _, body = response.partition(b"\r\n\r\n")
    version, status, reason = head.split(b"\r\n")[0].split(b" ", 2)
    return int(status), body.decode()


def short(value):
    """A short repr: <socket fd 7>, <StreamReader>, b'HTTP/1.0 2...'."""
    if hasattr(value, "fileno") and hasattr(value, "recv"):
        return f"<socket fd {value.fileno()}>"
    text = repr(value)
    if text.startswith("<"):
        return f"<{type(value).__name__}>"
    return text if len(text) <= 24 else text[:21] + "..."


_shown = set()  # print each kind of state once: the terminal is small
WIDTH = 40  # columns: two terminals side by side on a projector hold about 42


def _wrapped(text, first="  ", rest="    "):
    return textwrap.fill(text, WIDTH, initial_indent=first, subsequent_indent=rest,
                         break_on_hyphens=False)


def show_state(where, names):
    """Print where the state lives, and the state itself."""
    if where not in _shown:
        _shown.add(where)
        _print_state(where, names)


def _print_state(where, names):
    state = ", ".join(f"{k}={short(v)}" for k, v in names.items())
    print(_wrapped(f"state: {where}:"), flush=True)
    print(_wrapped(state, "    "), flush=True)


def show_suspended(coro, owner="fetch"):
    """Print the chain of suspended generators (or coroutines), innermost
    last, and the local variables of the one named `owner`."""
    chain, state = [], {}
    while coro is not None:
        frame = getattr(coro, "gi_frame", None) or getattr(coro, "cr_frame", None)
        name = getattr(coro, "__name__", "")
        chain.append("Future" if frame is None or "__" in name else f"{name}()")
        if frame is not None and name == owner:
            state = frame.f_locals
        coro = getattr(coro, "gi_yieldfrom", None) or getattr(coro, "cr_await", None)
    where = " > ".join(chain)
    if where not in _shown:
        _shown.add(where)
        print(_wrapped(f"suspended: {where}"), flush=True)
        _print_state(f"{owner}()'s locals, in its frame",
                     state)


def show_traceback(error):
    """The real traceback of `error`, one line per frame (function, file and
    line: narrow enough for a terminal half a screen wide); returns the path."""
    frames = traceback.extract_tb(error.__traceback__)
    print("Traceback (most recent call last):", flush=True)
    for f in frames:
        print(f"  {f.name:<13} {os.path.basename(f.filename)}:{f.lineno}", flush=True)
    print(f"{type(error).__name__}: {error}", flush=True)
    return [f.name for f in frames]


def conclude(variant, path):
    """Two short lines: does the traceback say who asked for the page?"""
    if "crawl" in path and "fetch" in path:
        print(f"{variant}: the whole path is there:\n"
              "  crawl() > fetch() > parse()", flush=True)
    else:
        print(f"{variant}: it starts in the loop;\n"
              "  no crawl(), no fetch(): who asked?", flush=True)
