"""The trainer's learning-rate schedule (the studio's learningRateAt): constant for niter steps, then
a linear decay to 0 over niter_decay, counted in epochs or iterations."""


def learning_rate_factor(step, niter, niter_decay, decay_rule):
    """The factor both sides' base rates are multiplied by at 0-based step `step`.
    spade: step niter + j runs at 1 - j/niter_decay; pix2pix (LambdaLR, epoch_count 1):
    1 - max(0, step + 1 - niter)/(niter_decay + 1). From niter + niter_decay on: 0."""
    if step >= niter + niter_decay:
        return 0.0
    if decay_rule == 'pix2pix':
        return 1.0 - max(0, step + 1 - niter) / (niter_decay + 1)
    return 1.0 if step < niter else 1.0 - (step - niter) / niter_decay


def learning_rates(trainer, iteration, epoch):
    """(G rate, D rate) for this iteration; `epoch` is used when the schedule counts epochs."""
    position = iteration if trainer['schedule_unit'] == 'iteration' else epoch
    factor = learning_rate_factor(position, trainer['niter'], trainer['niter_decay'], trainer['decay_rule'])
    return trainer['g_lr'] * factor, trainer['d_lr'] * factor
