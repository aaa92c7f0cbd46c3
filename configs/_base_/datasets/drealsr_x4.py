# DRealSR x4 test set as StableSR released it and OSEDiff/AdcSR score it: 93 centre crops
# of DRealSR's x4 test pairs, LR 128 px -> HR 512 px, the same file name in LR/ and HR/
# (e.g. Canon_10_x1.png). AdcSR's DRealSR.zip unpacks to this layout; OSEDiff ships it as
# preset/datasets/benchmark_drealsr/{test_LR,test_HR}. The given LR is used as is.
_base_ = ['./paired_folders_x4.py', '../evaluation/paper_x4.py']
test_dataloader = dict(dataset=dict(data_root='data/DRealSR', gt_folder='HR', lq_folder='LR'))
test_evaluator = {{_base_.paper_metrics}}
