# Real-ESRGAN second-order degradation (also OSEDiff's), x4. Ranges: Wang et al. 2021,
# Table/options of realesrgan_x4plus; see ../../../README.md "Degradations".
# A list of steps: the per-image pipeline runs them in the dataset; the batched
# DegradingDataPreprocessor runs the same list on whole batches.
first_kernel = dict(kernel_list=('iso', 'aniso', 'generalized_iso', 'generalized_aniso',
                                 'plateau_iso', 'plateau_aniso'),
                    kernel_prob=(0.45, 0.25, 0.12, 0.03, 0.12, 0.03), sinc_prob=0.1,
                    sigma_range=(0.2, 3.0), betag_range=(0.5, 4.0), betap_range=(1.0, 2.0),
                    kernel_sizes=(7, 9, 11, 13, 15, 17, 19, 21))
second_kernel = dict(first_kernel, sigma_range=(0.2, 1.5))
degradation = [
    # first order
    dict(type='RandomKernelBlur', kernel=first_kernel, prob=1.0),
    dict(type='RandomResizeDegradation', scale_range=(0.15, 1.5), updown_probs=(0.2, 0.7, 0.1)),
    dict(type='RandomNoiseDegradation', sigma_range=(1, 30), poisson_scale_range=(0.05, 3),
         gaussian_prob=0.5, gray_prob=0.4),
    dict(type='RandomJPEGDegradation', quality_range=(30, 95)),
    # second order
    dict(type='RandomKernelBlur', kernel=second_kernel, prob=0.8),
    dict(type='RandomResizeDegradation', scale_range=(0.3, 1.2), updown_probs=(0.3, 0.4, 0.3),
         target_scale=4),
    dict(type='RandomNoiseDegradation', sigma_range=(1, 25), poisson_scale_range=(0.05, 2.5),
         gaussian_prob=0.5, gray_prob=0.4),
    # final: resize to GT/4 + sinc (p=0.8) and JPEG, in random order; 8-bit result
    dict(type='RandomFinalResizeSincJPEG', scale=4, sinc_prob=0.8, quality_range=(30, 95)),
]
# Real-ESRGAN sharpens its GT targets; diffusion SR (OSEDiff, AdcSR) does not.
sharpen_gt = dict(type='SharpenGT', kernel_size=51, weight=0.5, threshold=10)
