"""The reference's discriminator tuning: LoRA on a UNet copy, as AdcSR's utils.py
``add_lora_to_unet`` sets it up (peft adapters ``default_encoder`` / ``default_decoder`` /
``default_others`` of rank 4, Gaussian init), with only the LoRA halves and ``conv_in``
trained. peft is the library that defines these layers; it is used here as it is."""
from typing import List, Tuple

from torch import nn

# the module-name patterns of add_lora_to_unet, in its order (first match decides)
PATTERNS = ('to_k', 'to_q', 'to_v', 'to_out.0', 'conv', 'conv1', 'conv2', 'conv_shortcut',
            'conv_out', 'proj_out', 'proj_in', 'ff.net.2', 'ff.net.0.proj')
ADAPTERS = ('default_encoder', 'default_decoder', 'default_others')


def lora_targets(unet: nn.Module) -> Tuple[List[str], List[str], List[str]]:
    """Module names per adapter: down blocks and conv_in / up blocks and conv_out / the
    rest (the mid block), for every weight whose name holds a pattern (norms skipped)."""
    enc, dec, others = [], [], []
    for name, _ in unet.named_parameters():
        if 'bias' in name or 'norm' in name:
            continue
        pattern = next((p for p in PATTERNS if p in name), None)
        if pattern is None:
            continue
        module = name[:-len('.weight')] if name.endswith('.weight') else name
        if 'down_blocks' in name or 'conv_in' in name:
            enc.append(module)
        elif 'up_blocks' in name or 'conv_out' in name:
            dec.append(module)
        else:
            others.append(module)
    return enc, dec, others


def add_lora(unet: nn.Module, rank: int = 4) -> nn.Module:
    """Three peft adapters on ``unet`` (in place), all active; then only LoRA halves and
    conv_in (its base layer and LoRA) require grad. Returns ``unet``."""
    from peft import LoraConfig, inject_adapter_in_model
    for adapter, targets in zip(ADAPTERS, lora_targets(unet)):
        if targets:
            inject_adapter_in_model(LoraConfig(r=rank, init_lora_weights='gaussian',
                                               target_modules=targets), unet, adapter)
    from peft.tuners.tuners_utils import BaseTunerLayer
    for m in unet.modules():
        if isinstance(m, BaseTunerLayer):
            m.set_adapter([a for a in ADAPTERS if a in m.lora_A])
    for name, p in unet.named_parameters():
        p.requires_grad_('lora' in name or 'conv_in' in name)
    return unet
