"""The process that runs one page's Python blocks, inside the page's boundary.

``docharness.pysandbox`` starts it in the page shell's mount and PID namespaces (the
filesystem read-only but for the page's folder, the lab's secrets hidden) as
``python -I pyworker.py REQUESTS REPLIES WORKDIR``: two pipe descriptors and the page's folder.
It reads one JSON request a line (a block's source and the page line before its first line),
runs it in the page's one namespace, and answers one JSON line: ok, or the error with its
traceback in page lines. Standard library only: ``-I`` leaves the harness off its path.

Each request carries a fresh random nonce, which its reply must repeat: the block's code runs
in this process and can write to the reply pipe, and a line it writes there (a forged
``{"ok": true}``) lacks the nonce, so the harness fails the block for it. The nonce is taken
out of the request before the block runs; only code that digs it out of this process's own
memory (its frames) could forge a reply.
"""

from __future__ import annotations

import ast
import ctypes
import json
import os
import signal
import sys
import traceback
from types import FrameType, TracebackType
from typing import IO, Any, NoReturn, NotRequired, TypedDict


class Request(TypedDict):
    """One block (or setup/teardown directive) to run."""

    path: str  # the page, as tracebacks name it
    line: int  # the page line just before the source's first line
    source: str
    nonce: NotRequired[str]  # the reply repeats it (taken out before the block runs)


class Reply(TypedDict):
    """What running a request gave."""

    ok: bool
    nonce: NotRequired[str]  # the request's: set when the reply is sent
    line: NotRequired[int]  # the page line the error points at
    summary: NotRequired[str]  # the exception's last line, e.g. "AssertionError: ..."
    error: NotRequired[str]  # the traceback, in page lines
    exit: NotRequired[int]  # the block called os._exit(exit): the process ends after this reply


VALUE_CHARS = 400  # a shown value is cut after this many characters
# Evaluating these again could change something (a call starts a container): not shown.
_NOT_CHEAP = (
    ast.Call,
    ast.Await,
    ast.Yield,
    ast.YieldFrom,
    ast.NamedExpr,
    ast.Lambda,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)


def run(request: Request, namespace: dict[str, Any]) -> Reply:
    """Run the request's source in ``namespace``; line numbers are the page's."""
    try:
        source = "\n" * request["line"] + request["source"]
        exec(compile(source, request["path"], "exec", dont_inherit=True), namespace)
    except BaseException as error:  # SystemExit too: a block's end, not the worker's
        return describe(error, request)
    return {"ok": True}


def describe(error: BaseException, request: Request) -> Reply:
    """The error as the page's: traceback from the block's first frame, the line it points at."""
    tb: TracebackType | None = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != request["path"]:
        tb = tb.tb_next  # this module's frames: not the reader's concern
    last = None
    walk = tb
    while walk is not None:
        if walk.tb_frame.f_code.co_filename == request["path"]:
            last = walk
        walk = walk.tb_next
    if last is not None:
        line = last.tb_lineno
    elif isinstance(error, SyntaxError) and error.lineno is not None:
        line = error.lineno
    else:
        line = request["line"] + 1
    shown = traceback.TracebackException(type(error), error, tb)
    text = "".join(shown.format())
    summary = "".join(shown.format_exception_only()).strip().split("\n")[-1]
    if isinstance(error, AssertionError) and not error.args and last is not None:
        text += "".join(f"  {value}\n" for value in assert_values(request, line, last.tb_frame))
    return {"ok": False, "line": line, "summary": summary, "error": text}


def assert_values(request: Request, line: int, frame: FrameType) -> list[str]:
    """For a bare ``assert`` at ``line``: its operands' values, where reading them is cheap.

    Only names, attributes, subscripts and literals are evaluated again: never a call.
    """
    try:
        tree = ast.parse("\n" * request["line"] + request["source"])
    except SyntaxError:
        return []
    found = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Assert) and node.lineno <= line <= (node.end_lineno or line)
    ]
    if not found:
        return []
    test = found[-1].test
    parts = [test.left, *test.comparators] if isinstance(test, ast.Compare) else [test]
    values = []
    for part in parts:
        if isinstance(part, ast.Constant) or any(isinstance(n, _NOT_CHEAP) for n in ast.walk(part)):
            continue
        try:
            value = eval(
                compile(ast.Expression(part), request["path"], "eval"),
                frame.f_globals,
                frame.f_locals,
            )
        except Exception:
            continue
        shown = repr(value)
        if len(shown) > VALUE_CHARS:
            shown = shown[:VALUE_CHARS] + "..."
        values.append(f"{ast.unparse(part)} = {shown}")
    return values


def _die_with_parent() -> None:
    """SIGKILL us when the process that started us dies (the run, or nsenter under it)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _send(replies: IO[str], reply: Reply, nonce: str) -> None:
    reply["nonce"] = nonce
    replies.write(json.dumps(reply) + "\n")
    replies.flush()


def _announce_exit(replies: IO[str], nonce: list[str]) -> None:
    """Make ``os._exit`` say so before the process ends: the parent names it in the failure.

    ``nonce`` holds the running request's. A process the block forks still exits silently.
    """
    real, owner = os._exit, os.getpid()

    def announced(status: int) -> NoReturn:
        if os.getpid() == owner:
            for stream in (sys.stdout, sys.stderr):
                stream.flush()
            _send(replies, {"ok": False, "exit": status}, nonce[0])
        real(status)

    os._exit = announced


def main(argv: list[str]) -> int:
    requests_fd, replies_fd, workdir = int(argv[1]), int(argv[2]), argv[3]
    for fd in (requests_fd, replies_fd):
        os.set_inheritable(fd, False)  # not for the programs a block starts
    _die_with_parent()
    os.chdir(workdir)
    sys.argv = [""]
    with (
        open(requests_fd, encoding="utf-8") as requests,
        open(replies_fd, "w", encoding="utf-8") as replies,
    ):
        nonce = [""]
        _announce_exit(replies, nonce)
        namespace: dict[str, Any] = {"__name__": "__main__"}
        for text in requests:
            request = json.loads(text)
            nonce[0] = request.pop("nonce")
            reply = run(request, namespace)
            for stream in (sys.stdout, sys.stderr):
                stream.flush()  # before the reply: the parent reads the output up to it
            _send(replies, reply, nonce[0])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
