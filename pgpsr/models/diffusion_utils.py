"""Glue to diffusers' schedulers: build from config dicts, x0 from any prediction type."""
import inspect
from typing import Dict, Optional

import diffusers
import torch


def build_scheduler(cfg: Dict, base_config: Optional[Dict] = None):
    """Build a diffusers scheduler from ``dict(type='DDIMScheduler', **kwargs)``.

    With ``base_config`` (the training scheduler's config), the new scheduler inherits its
    betas, timestep count and prediction type, so training and sampling always agree.
    """
    cfg = dict(cfg)
    name = cfg.pop('type', None)
    cls = getattr(diffusers, str(name), None)
    if cls is None or not hasattr(cls, 'from_config') or not name.endswith('Scheduler'):
        raise KeyError(f'scheduler type {name!r} is not a diffusers scheduler '
                       '(e.g. DDPMScheduler, DDIMScheduler, DPMSolverMultistepScheduler)')
    if base_config is not None:
        return cls.from_config(base_config, **cfg)
    return cls(**cfg)


def predict_x0(scheduler, pred: torch.Tensor, x_t: torch.Tensor,
               t: torch.Tensor) -> torch.Tensor:
    """Clean sample implied by ``pred`` (epsilon / v_prediction / sample) at timesteps t."""
    kind = scheduler.config.prediction_type
    if kind == 'sample':
        return pred
    a = scheduler.alphas_cumprod.to(x_t.device)[t.long()].float()
    a = a.view(-1, *([1] * (x_t.dim() - 1)))
    if kind == 'epsilon':
        return (x_t - (1 - a).sqrt() * pred) / a.sqrt()
    if kind == 'v_prediction':
        return a.sqrt() * x_t - (1 - a).sqrt() * pred
    raise ValueError(f'unknown prediction_type {kind!r}')


def training_target(scheduler, x0: torch.Tensor, noise: torch.Tensor,
                    t: torch.Tensor) -> torch.Tensor:
    """What the denoiser should output for the configured prediction type."""
    kind = scheduler.config.prediction_type
    if kind == 'epsilon':
        return noise
    if kind == 'v_prediction':
        return scheduler.get_velocity(x0, noise, t)
    if kind == 'sample':
        return x0
    raise ValueError(f'unknown prediction_type {kind!r}')


def step_accepts_generator(scheduler) -> bool:
    return 'generator' in inspect.signature(scheduler.step).parameters
