"""Running the tools as a user would: subprocesses from the repo root."""
import json
import os
import os.path as osp
import signal
import socket
import subprocess
import sys
import textwrap
import time

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def tool_env():
    env = dict(os.environ)
    env['PYTHONPATH'] = ROOT + os.pathsep + env.get('PYTHONPATH', '')
    env.setdefault('OMP_NUM_THREADS', '1')
    env['PYTHONWARNINGS'] = 'ignore'
    return env


def run_tool(args, **kw):
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=tool_env(),
                          capture_output=True, text=True, **kw)


def write_config(path, body: str, base='configs/pgp_diffsr/pgp_dit_tiny_x4.py'):
    path.write_text(f"_base_ = ['{osp.join(ROOT, base)}']\n" + textwrap.dedent(body))
    return str(path)


def losses_by_iter(work_dir):
    """{iter: loss} from every scalars.json under work_dir (one per run)."""
    out = {}
    for root, _, files in os.walk(work_dir):
        if 'scalars.json' in files:
            with open(osp.join(root, 'scalars.json')) as f:
                for line in f:
                    rec = json.loads(line)
                    if 'loss' in rec:
                        out[rec['iter']] = rec['loss']
    return out


def _last_checkpoint(work_dir) -> str:
    try:
        with open(osp.join(work_dir, 'last_checkpoint')) as f:
            return f.read().strip()
    except FileNotFoundError:
        return ''


def train_killed_after(cfg: str, work_dir, ckpt_name: str, timeout: float = 400) -> None:
    """Start tools/train.py and SIGKILL it as soon as ``ckpt_name`` is fully saved.

    "Fully saved" means ``last_checkpoint`` names it: mmengine writes that file after the
    checkpoint itself, so the checkpoint file merely existing (CI once killed in between)
    is not enough.
    """
    proc = subprocess.Popen([sys.executable, 'tools/train.py', cfg, '--work-dir', str(work_dir)],
                            cwd=ROOT, env=tool_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + timeout
    while not _last_checkpoint(work_dir).endswith(ckpt_name):
        assert proc.poll() is None and time.time() < deadline, 'training ended early'
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL


def free_port() -> int:
    """A TCP port nobody listens on now (random ports collided under load)."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def run_dist_train(cfg: str, work_dir, nproc: int = 2, timeout: float = 500):
    """tools/dist_train.sh with ``nproc`` gloo processes (1 thread each, a free port).

    One retry when a rank died of SIGABRT: seen twice in full-suite runs on a loaded
    2-core machine, never in 9 standalone runs; the first attempt's log is kept beside
    the work dir so the cause stays inspectable.
    """
    import shutil
    for attempt in (1, 2):
        env = tool_env()
        env['PORT'] = str(free_port())
        env['OMP_NUM_THREADS'] = '1'
        res = subprocess.run(['bash', 'tools/dist_train.sh', cfg, str(nproc), '--work-dir',
                              str(work_dir)], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=timeout)
        aborted = res.returncode != 0 and 'SIGABRT' in res.stderr
        if not aborted or attempt == 2:
            return res
        with open(f'{work_dir}.attempt1.log', 'w') as f:
            f.write(res.stdout + '\n' + res.stderr)
        shutil.rmtree(work_dir, ignore_errors=True)
