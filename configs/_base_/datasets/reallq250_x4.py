# RealLQ250: 250 real-world low-quality images without GT, scored with the no-reference
# metrics only (NIQE, MUSIQ, MANIQA, CLIPIQA). Put the images in data/RealLQ250/LR/.
_base_ = ['./paired_folders_x4.py', '../evaluation/paper_x4.py']
test_dataloader = dict(dataset=dict(data_root='data/RealLQ250', gt_folder=None, lq_folder='LR',
                                    pipeline={{_base_.lq_only_test_pipeline}}))
test_evaluator = {{_base_.paper_no_reference_metrics}}
