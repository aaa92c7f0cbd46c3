# RealSR x4 test set as StableSR released it and OSEDiff/AdcSR score it: 100 centre crops
# of RealSR v3's Canon + Nikon test pairs, LR 128 px -> HR 512 px, the same file name in
# LR/ and HR/ (e.g. Canon_001_LR4.png). AdcSR's RealSR.zip unpacks to this layout; OSEDiff
# ships it as preset/datasets/benchmark_realsr/{test_LR,test_HR} (rename the folders, or
# set test_dataloader.dataset.lq_folder/gt_folder). The given LR is super-resolved as is.
# tools/test.py CONFIG CKPT --test-set configs/_base_/datasets/realsr_x4.py [--data-root DIR]
_base_ = ['./paired_folders_x4.py', '../evaluation/paper_x4.py']
test_dataloader = dict(dataset=dict(data_root='data/RealSR', gt_folder='HR', lq_folder='LR'))
test_evaluator = {{_base_.paper_metrics}}
