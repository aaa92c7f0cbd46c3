# DIV2K-Val x4 as StableSR released it (DIV2K_V2_val) and OSEDiff/AdcSR score it: 3000
# synthetic pairs, 512 px HR crops of the DIV2K validation images and 128 px LR made once
# by the Real-ESRGAN degradation. The released LR is used as is, never remade from HR
# (a new degradation draw would be a different test set). AdcSR's DIV2K-Val.zip unpacks
# to LR/ + HR/.
_base_ = ['./paired_folders_x4.py', '../evaluation/paper_x4.py']
test_dataloader = dict(dataset=dict(data_root='data/DIV2K-Val', gt_folder='HR', lq_folder='LR'))
test_evaluator = {{_base_.paper_metrics}}
