"""One training iteration, as the studio's trainer runs it (src/runtime/training/training-run.ts)."""
import torch

from .graph import run_networks
from .losses import phase_losses


def training_iteration(networks, network_order, losses, optimizers, sides, trainer, fed, iteration):
    """The G update when iteration % d_steps_per_g == 0 and the D update, in the trainer's order;
    each re-runs the forward it needs with the weights as they are then. What a phase does not
    train runs without a tape (the D phase's fakes). Returns the weighted losses by node id and the
    sides updated. `networks` may be DDP-wrapped."""
    order = ['G', 'D'] if trainer['order'] == 'g-then-d' else ['D', 'G']
    runs_g = 'D' not in sides or iteration % trainer['d_steps_per_g'] == 0
    values_out, updated = {}, []
    for side in order:
        if side not in sides or (side == 'G' and not runs_g):
            continue
        values = dict(fed)
        for name in network_order:
            with torch.set_grad_enabled(side == 'G' or name in sides[side]['networks']):
                values = run_networks(networks, [name], values)
        side_losses = phase_losses({n: losses[n] for n in sides[side]['losses']}, values, networks)
        total = sum(side_losses.values())
        for optimizer in optimizers.values():
            optimizer.zero_grad(set_to_none=True)
        total.backward()
        optimizers[side].step()
        updated.append(side)
        values_out.update({n: float(v.detach()) for n, v in side_losses.items()})
    return values_out, updated
