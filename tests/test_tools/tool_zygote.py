"""Run a tool as ``python tool.py ARGS`` would, without paying the imports every time.

A tool run spends ~5-8 s of CPU importing torch, mmengine, mmagic, diffusers and pgpsr
before doing anything. The zygote is one process per test worker that imports them once
and does nothing else (no torch op, no thread: safe to fork); each request forks it, and
the child runs the tool's ``__main__`` with its own argv, cwd, environment and stdout /
stderr files, then exits with the tool's exit code. Every run is still its own process:
nothing it does survives it. Runs that must be killed or span processes (kill -9 + resume,
tools/dist_train.sh) use real subprocesses (``helpers.py``).

Protocol on stdin/stdout, one JSON line each way: request ``{args, cwd, env, timeout}``,
reply ``{returncode, stdout, stderr}`` (``returncode`` None: timed out, killed).
"""
import json
import os
import runpy
import signal
import sys
import tempfile
import time
import traceback

PRELOAD = ('pgpsr', 'torch', 'cv2', 'mmengine.runner', 'mmagic.models', 'diffusers', 'pgpsr.apis',
           'pgpsr.analysis', 'pgpsr.models', 'pgpsr.evaluation')


def _run_child(req, out_path, err_path) -> None:
    """In the forked child: become ``python ARGS[0] ARGS[1:]`` and exit with its code."""
    os.setsid()  # its own process group: a timeout kills the tool and its subprocesses
    out_fd, err_fd = os.open(out_path, os.O_WRONLY), os.open(err_path, os.O_WRONLY)
    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    sys.stdout = os.fdopen(1, 'w', buffering=1)
    sys.stderr = os.fdopen(2, 'w', buffering=1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)  # not the protocol pipe: the tool and its subprocesses read nothing
    sys.stdin = os.fdopen(0)
    os.chdir(req['cwd'])
    os.environ.clear()
    os.environ.update(req['env'])
    script = req['args'][0]
    sys.argv = list(req['args'])
    sys.path[0] = os.path.dirname(os.path.abspath(script))  # as `python script` sets it
    code = 0
    try:
        runpy.run_path(script, run_name='__main__')
    except SystemExit as exc:
        if exc.code is None:
            code = 0
        elif isinstance(exc.code, int):
            code = exc.code
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    except BaseException:  # noqa: B902 -- what the interpreter does with an uncaught one
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _serve_one(req) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out_path, err_path = os.path.join(tmp, 'out'), os.path.join(tmp, 'err')
        for path in (out_path, err_path):
            open(path, 'w').close()
        pid = os.fork()
        if pid == 0:
            _run_child(req, out_path, err_path)
        deadline = time.monotonic() + (req.get('timeout') or 1e9)
        status = None
        while status is None:
            done, st = os.waitpid(pid, os.WNOHANG)
            if done:
                status = st
            elif time.monotonic() > deadline:
                os.killpg(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                break
            else:
                time.sleep(0.02)
        code = None if status is None else (os.waitstatus_to_exitcode(status))
        with open(out_path) as f, open(err_path) as g:
            return dict(returncode=code, stdout=f.read(), stderr=g.read())


def main() -> None:
    for name in PRELOAD:
        __import__(name)
    reply = sys.stdout
    sys.stdout = sys.stderr  # nothing but replies on the protocol stream
    reply.write('ready\n')
    reply.flush()
    for line in sys.stdin:
        reply.write(json.dumps(_serve_one(json.loads(line))) + '\n')
        reply.flush()


if __name__ == '__main__':
    main()
