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
    # dist_train.sh / dist_test.sh: this interpreter, also from a clone without its own
    # .venv that shares another's (they would fall back to whatever `python` is on PATH)
    env.setdefault('PYTHON', sys.executable)
    env.setdefault('OMP_NUM_THREADS', '1')
    return env


def run_tool(args, timeout=None, fresh=False):
    """``python ARGS`` from the repo root: a forked copy of this worker's tool zygote
    (``tool_zygote.py``: the imports paid once), or a new interpreter with ``fresh`` or
    ``PGPSR_FRESH_TOOLS=1`` in the environment. Returns a ``subprocess.CompletedProcess``;
    raises ``TimeoutExpired`` past ``timeout``."""
    if fresh or os.environ.get('PGPSR_FRESH_TOOLS') == '1':
        return subprocess.run([sys.executable, *args], cwd=ROOT, env=tool_env(),
                              capture_output=True, text=True, timeout=timeout)
    reply = _zygote().request(dict(args=list(args), cwd=ROOT, env=tool_env(),
                                   timeout=timeout))
    if reply['returncode'] is None:
        raise subprocess.TimeoutExpired([sys.executable, *args], timeout,
                                        reply['stdout'], reply['stderr'])
    return subprocess.CompletedProcess([sys.executable, *args], reply['returncode'],
                                       reply['stdout'], reply['stderr'])


class _Zygote:
    def __init__(self):
        self.proc = subprocess.Popen(
            [sys.executable, osp.join(ROOT, 'tests', 'test_tools', 'tool_zygote.py')],
            cwd=ROOT, env=tool_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True, start_new_session=True)
        if self.proc.stdout.readline().strip() != 'ready':
            raise RuntimeError('the tool zygote did not start (run a tool with fresh=True '
                               'to see why)')

    def request(self, req: dict) -> dict:
        self.proc.stdin.write(json.dumps(req) + '\n')
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError('the tool zygote died')
        return json.loads(line)


_ZYGOTE = None


def _zygote() -> _Zygote:
    global _ZYGOTE
    if _ZYGOTE is None or _ZYGOTE.proc.poll() is not None:
        _ZYGOTE = _Zygote()
    return _ZYGOTE


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


def run_and_rerun_killed(cfg: str, full, cut, kill_after: str, timeout: float = 400):
    """Train ``cfg`` uninterrupted into ``full``; train it again into ``cut``, SIGKILL it
    once ``kill_after`` is saved and ``--resume`` it to the end."""
    res = run_tool(['tools/train.py', cfg, '--work-dir', str(full)], timeout=timeout)
    assert res.returncode == 0, res.stderr[-3000:]
    train_killed_after(cfg, cut, kill_after)
    res = run_tool(['tools/train.py', cfg, '--work-dir', str(cut), '--resume'],
                   timeout=timeout)
    assert res.returncode == 0, res.stderr[-3000:]
    return res


def assert_same_optimizer_state(a: dict, b: dict) -> None:
    """Two optimizer state dicts hold equal values: every per-parameter entry (Adam's
    exp_avg, exp_avg_sq, step) and the param groups (lr, betas, ...)."""
    import torch
    assert a['state'].keys() == b['state'].keys() and a['state']
    for k, st in a['state'].items():
        assert st.keys() == b['state'][k].keys(), k
        for name, value in st.items():
            other = b['state'][k][name]
            same = torch.equal(value, other) if torch.is_tensor(value) else value == other
            assert same, (k, name)
    assert a['param_groups'] == b['param_groups']


def free_port() -> int:
    """A TCP port nobody listens on now, from a range of its own per pytest-xdist worker
    (``gw0``: 20000-20999, ``gw1``: 21000-21999, ...), below Linux's ephemeral range where
    gloo's own connections go: two workers' rendezvous ports can never be the same."""
    import random
    worker = os.environ.get('PYTEST_XDIST_WORKER', 'gw0')
    base = 20000 + 1000 * (int(worker[2:]) if worker[2:].isdigit() else 0)
    for port in random.sample(range(base, base + 1000), 1000):
        with socket.socket() as s:
            try:
                s.bind(('127.0.0.1', port))
            except OSError:
                continue
            return port
    raise RuntimeError(f'no free port in {base}-{base + 999}')


def run_dist_train(cfg: str, work_dir, nproc: int = 2, timeout: float = 500):
    """tools/dist_train.sh with ``nproc`` gloo processes (1 thread each, a free port).
    No retry: a failing rank fails the test; its whole output is kept beside the work dir
    (``<work_dir>.log``, named at the end of stderr) for the diagnosis."""
    env = tool_env()
    env['PORT'] = str(free_port())
    env['OMP_NUM_THREADS'] = '1'
    res = subprocess.run(['bash', 'tools/dist_train.sh', cfg, str(nproc), '--work-dir',
                          str(work_dir)], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=timeout)
    if res.returncode != 0:
        with open(f'{work_dir}.log', 'w') as f:
            f.write(res.stdout + '\n' + res.stderr)
        res.stderr += f'\n(full output of both ranks: {work_dir}.log)'
    return res


def photo_sr_batch(size: int = 64) -> dict:
    """A model-level training batch of two real photos: GT ``size`` px and its 4x
    area-downscaled LR, as uint8-range tensors (what a data preprocessor receives)."""
    import cv2
    import numpy as np
    import torch
    from mmagic.structures import DataSample
    from skimage import data
    gts = [cv2.resize(getattr(data, n)(), (size, size), interpolation=cv2.INTER_AREA)
           for n in ('astronaut', 'coffee')]
    gt = torch.from_numpy(np.stack(gts)).permute(0, 3, 1, 2).float()
    lr = torch.nn.functional.interpolate(gt, scale_factor=0.25, mode='area')
    return dict(inputs=list(lr), data_samples=[DataSample(gt_img=g) for g in gt])


def add_reference_lora(unet, patterns, rank: int = 4):
    """OSEDiff's ``initialize_unet`` / AdcSR's ``add_lora_to_unet`` (the same loop, written
    out from reading them): every weight whose name holds one of ``patterns`` gets LoRA, in
    three peft adapters by diffusers' ``add_adapter``: ``default_encoder`` (down blocks,
    conv_in), ``default_decoder`` (up blocks, conv_out), ``default_others``. Returns the
    three target lists."""
    from peft import LoraConfig
    enc, dec, others = [], [], []
    for n, _ in unet.named_parameters():
        if 'bias' in n or 'norm' in n:
            continue
        pattern = next((p for p in patterns if p in n), None)
        if pattern is not None:
            part = enc if ('down_blocks' in n or 'conv_in' in n) else \
                dec if ('up_blocks' in n or 'conv_out' in n) else others
            part.append(n.replace('.weight', ''))
    for name, targets in (('default_encoder', enc), ('default_decoder', dec),
                          ('default_others', others)):
        unet.add_adapter(LoraConfig(r=rank, init_lora_weights='gaussian',
                                    target_modules=targets), adapter_name=name)
    return enc, dec, others
