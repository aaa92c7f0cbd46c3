# The approximation of AdcSR's ranges that every shipped photo checkpoint was trained with
# (photos_synthlr_x4.py), written before AdcSR's config.yml was read: betag [0.5, 4] and betap
# [1, 2] for both kernels and a second blur sigma of [0.2, 1.5], where the reference has
# [0.5, 2], [1, 1.5] and [0.2, 1.0] (adcsr_x4.py). Kept so those configs say what ran.
_base_ = ['./realesrgan_x4.py']
first_kernel = dict(kernel_list=('iso', 'aniso', 'generalized_iso', 'generalized_aniso',
                                 'plateau_iso', 'plateau_aniso'),
                    kernel_prob=(0.45, 0.25, 0.12, 0.03, 0.12, 0.03), sinc_prob=0.1,
                    sigma_range=(0.2, 1.5), betag_range=(0.5, 4.0), betap_range=(1.0, 2.0),
                    kernel_sizes=(7, 9, 11, 13, 15, 17, 19, 21))
second_kernel = dict(first_kernel, sigma_range=(0.2, 1.5))
degradation = [
    dict(type='RandomKernelBlur', kernel=first_kernel, prob=1.0),
    dict(type='RandomResizeDegradation', scale_range=(0.3, 1.5), updown_probs=(0.2, 0.7, 0.1)),
    dict(type='RandomNoiseDegradation', sigma_range=(1, 15), poisson_scale_range=(0.05, 2),
         gaussian_prob=0.5, gray_prob=0.4),
    dict(type='RandomJPEGDegradation', quality_range=(60, 95)),
    dict(type='RandomKernelBlur', kernel=second_kernel, prob=0.5),
    dict(type='RandomResizeDegradation', scale_range=(0.6, 1.2), updown_probs=(0.3, 0.4, 0.3),
         target_scale=4),
    dict(type='RandomNoiseDegradation', sigma_range=(1, 12), poisson_scale_range=(0.05, 1.0),
         gaussian_prob=0.5, gray_prob=0.4),
    dict(type='RandomFinalResizeSincJPEG', scale=4, sinc_prob=0.8, quality_range=(60, 100)),
]
