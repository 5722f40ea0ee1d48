"""Print the real call stack at this point, trimmed, each frame named by its layer.

The frames are read from the interpreter (sys._getframe), not made up: one
row per frame, outermost first, shortened to module.function, with the line
of code that calls the next frame and the talk's layer the frame belongs to.
"""
import inspect
import linecache
import os
import sys

LAYERS = {  # function name -> the talk's layer
    "run_forever": "event loop",
    "_run_once": "event loop",
    "_run": "event loop",  # Handle._run: one ready callback
    "_read_ready": "transport",
    "_read_ready__data_received": "transport",
    "data_received": "protocol",
    "on_frame": "protocol",  # websocket.py: a whole frame, decoded
    "feed_data": "stream",  # StreamReader.feed_data
    "__step": "task",  # only when asyncio's Task is the pure-Python one
    "__step_run_and_handle_result": "task",
}
WIDTH, ARROW = 84, 42  # columns: the whole line, where "->" starts
last_path = []  # the layers of the last stack printed


def frames_from_loop(start):
    """The frames from the loop's run_forever out to `start`, outermost first."""
    chain, frame = [], start
    while frame is not None:
        chain.append(frame)
        frame = frame.f_back
    chain.reverse()
    names = [f.f_code.co_name for f in chain]
    return chain[names.index("run_forever"):] if "run_forever" in names else chain


def row(layer, name, source=""):
    left = f"  {layer:<11} {name}"
    if not source:
        return left
    if len(left) < ARROW and ARROW + 3 + len(source) <= WIDTH:
        return f"{left:<{ARROW}}-> {source}"
    return f"{left}\n{'':<{ARROW - 8}}-> {source}"


def print_stack(selector, start=None, out=sys.stdout):
    """Print the stack from the event loop up to `start` (default: our caller).

    Keeps the layers it went through in last_path, e.g. ["event loop",
    "transport", "protocol", "application"].
    """
    layers, lines, previous = [], [], ""
    for frame in frames_from_loop(start or sys._getframe(1)):
        code = frame.f_code
        module = os.path.splitext(os.path.basename(code.co_filename))[0]
        name = "Handle._run" if code.co_name == "_run" else code.co_name
        layer = LAYERS.get(code.co_name, "application")
        source = linecache.getline(code.co_filename, frame.f_lineno).strip()
        if code.co_name == "_run_once":
            lines.append(row("selector", f"{selector}.select() ran in _run_once, returned"))
        if code.co_flags & inspect.CO_COROUTINE and previous == "_run":
            lines.append(row("task", "Task.__step (in C) resumed this coroutine"))
            layers.append("task")
        lines.append(row(layer, f"{module}.{name}", source))
        layers.append(layer)
        previous = code.co_name
    print("\n".join(lines), file=out, flush=True)
    last_path[:] = [l for i, l in enumerate(layers) if i == 0 or l != layers[i - 1]]
