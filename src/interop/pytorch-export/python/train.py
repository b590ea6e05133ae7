"""Train the graph with PyTorch, on one process or many (torchrun + DistributedDataParallel).

  torchrun --nproc_per_node N train.py --data DIR --layout cityscapes --out runs/a --epochs 200
  python3 train.py --synthetic 64 --steps 100 --out runs/smoke

One iteration follows the graph's trainer: the G update when iteration % d_steps_per_g == 0, the D
update every iteration, in the trainer's order, each re-running the forward it needs; Adam per side
(the trainer's betas and epsilon); rates constant for niter epochs (or iterations), then a linear
decay. The trainer's batch_size is the global batch: each of N processes takes batch_size / N.
Checkpoints go to <out>/checkpoints/: step-<n>.safetensors (the studio's names and layouts, the
optimiser state and a run record: the studio imports it) and step-<n>_net_<network>.pth (each
network's state_dict, official key names where the graph mirrors the official model).
<out>/losses.csv has the columns of `lggan train`'s (step, lrG, lrD, one per loss node, gTotal, dTotal,
ms); --tensorboard DIR also logs them for TensorBoard.
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.distributed as dist

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from lggan_torch import data  # noqa: E402
from lggan_torch.init import initialized_networks  # noqa: E402
from lggan_torch.schedule import learning_rates  # noqa: E402
from lggan_torch.step import training_iteration  # noqa: E402
from lggan_torch.studio import load_studio_checkpoint, run_record, save_studio_checkpoint  # noqa: E402
import model  # noqa: E402
import objective  # noqa: E402

LAYOUTS = ('cityscapes', 'ade20k', 'cross-view', 'generic')


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument('--data', help='dataset folder')
    source.add_argument('--synthetic', type=int, metavar='COUNT', help='train on COUNT seeded random samples')
    p.add_argument('--layout', choices=LAYOUTS, help='dataset layout of --data')
    p.add_argument('--split', default='train')
    p.add_argument('--out', required=True, help='run folder (losses.csv, checkpoints/)')
    length = p.add_mutually_exclusive_group()
    length.add_argument('--steps', type=int, help='iterations to train (default: the trainer schedule, niter + niter_decay)')
    length.add_argument('--epochs', type=int)
    p.add_argument('--batch-size', type=int, help="global batch (default: the trainer's batch_size)")
    p.add_argument('--save-every', type=int, default=0, help='also save every N iterations (0: only at the end)')
    p.add_argument('--resume', help='a step-<n>.safetensors checkpoint: weights, optimiser state, iteration')
    p.add_argument('--init-from', help='start from these weights (e.g. a checkpoint exported by the studio)')
    p.add_argument('--vgg19', help='VGG19 safetensors (torchvision names) for the perceptual loss; overrides the graph')
    p.add_argument('--device', choices=('auto', 'cpu', 'cuda'), default='auto')
    p.add_argument('--workers', type=int, default=None, help='data loader workers per process')
    p.add_argument('--seed', type=int, default=None, help="data order seed (default: the trainer's)")
    p.add_argument('--tensorboard', metavar='DIR', help='also log the losses and learning rates for TensorBoard to DIR (needs the tensorboard package)')
    return p.parse_args(argv)


# losses.csv has the columns of `lggan train`'s losses.csv (src/cli/train/logs.ts), so the studio's
# run tools read both: step, lrG, lrD, one column per loss node id, gTotal, dTotal, ms.
def loss_columns(loss_names):
    return ['step', 'lrG', 'lrD', *loss_names, 'gTotal', 'dTotal', 'ms']


def csv_cell(value):
    """Full precision, as the CLI writes numbers (JavaScript's String(x)); empty when absent."""
    if value is None:
        return ''
    value = float(value)
    if value != value:
        return 'NaN'
    if value in (float('inf'), float('-inf')):
        return 'Infinity' if value > 0 else '-Infinity'
    return str(int(value)) if value.is_integer() and abs(value) < 2 ** 53 else repr(value)


def loss_row(iteration, lr_g, lr_d, row, updated, sides, ms):
    """One losses.csv row as a dict: a side's total only when that side was updated this step."""
    out = {'step': iteration, 'lrG': lr_g, 'lrD': lr_d, **row, 'ms': round(ms, 1)}
    for side, column in (('G', 'gTotal'), ('D', 'dTotal')):
        if side in updated:
            out[column] = sum(row[n] for n in sides[side]['losses'] if n in row)
    return out


def tensorboard_class():
    """SummaryWriter, imported only when --tensorboard asks for it; a clear exit when TensorBoard is missing."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError as e:
        raise SystemExit(f'--tensorboard needs the tensorboard package (pip install tensorboard): {e}') from None
    return SummaryWriter


def setup_processes(device_choice):
    """(rank, world size, device); joins the process group under torchrun (nccl on GPUs, gloo on CPU)."""
    use_cuda = device_choice == 'cuda' or (device_choice == 'auto' and torch.cuda.is_available())
    if 'WORLD_SIZE' not in os.environ:
        return 0, 1, torch.device('cuda' if use_cuda else 'cpu')
    local_rank = int(os.environ.get('LOCAL_RANK', 0))
    if use_cuda:
        torch.cuda.set_device(local_rank)
    dist.init_process_group(backend='nccl' if use_cuda else 'gloo')
    device = torch.device('cuda', local_rank) if use_cuda else torch.device('cpu')
    return dist.get_rank(), dist.get_world_size(), device


def make_dataset(args, config, seed):
    size = (config['size']['width'], config['size']['height'])
    if args.synthetic is not None:
        return data.SyntheticDataset(args.synthetic, config['synthetic']['fields'], size, config['synthetic']['num_classes'], seed=seed), 'synthetic'
    if args.layout is None:
        raise SystemExit('--data needs --layout (' + ', '.join(LAYOUTS) + ')')
    if args.layout not in config['feeds']:
        raise SystemExit(f"this graph cannot read the {args.layout} layout: {config['unfit_layouts'].get(args.layout, 'no feed plan')}")
    classes = config['num_classes']
    train = args.split == 'train'
    if args.layout == 'cityscapes':
        return data.cityscapes(args.data, args.split, size, classes or 35, train, seed), args.layout
    if args.layout == 'ade20k':
        return data.ade20k(args.data, 'train' if train else 'val', size, classes or 150, train, seed), args.layout
    if args.layout == 'cross-view':
        return data.CrossViewDataset(args.data, args.split, size, train, seed), args.layout
    if classes is None:
        raise SystemExit('the generic layout needs the graph template to set num_classes')
    return data.generic(args.data, size, classes, train, seed), args.layout


def replicas_agree(networks):
    """DDP keeps the replicas equal; every process checks it with one all-gather of checksums."""
    checksum = torch.tensor([float(sum(p.detach().double().sum() for n in networks.values() for p in n.parameters()))], dtype=torch.float64)
    gathered = [torch.zeros_like(checksum) for _ in range(dist.get_world_size())]
    dist.all_gather(gathered, checksum)
    return all(torch.equal(g, gathered[0]) for g in gathered)


def main(argv=None):
    args = parse_args(argv)
    summary_writer = tensorboard_class() if args.tensorboard else None  # before any work: a missing package stops at once
    with open(os.path.join(HERE, 'config.json')) as f:
        config = json.load(f)
    if objective.TRAINER is None:
        raise SystemExit(f"graph '{config['graph_name']}' has no lggan/trainer node: this package holds its networks (model.py, forward.py) but cannot train it")
    trainer = objective.TRAINER
    rank, world, device = setup_processes(args.device)
    log = print if rank == 0 else (lambda *a, **k: None)

    batch_size = args.batch_size or trainer['batch_size']
    if batch_size % world:
        raise SystemExit(f'the global batch {batch_size} does not split over {world} processes; pass --batch-size (a multiple of {world})')
    per_process = batch_size // world
    seed = trainer['seed'] if args.seed is None else args.seed

    networks = initialized_networks(model.build_networks, config['init'])
    losses = objective.build_losses(vgg19=args.vgg19, world_size=world)
    for loss in losses.values():
        if getattr(loss, 'vgg', None) is not None:
            loss.vgg.to(device)
    sides = {side: s for side, s in objective.SIDES.items() if s['losses']}
    optimizers = {
        side: torch.optim.Adam([p for n in s['networks'] for p in networks[n].parameters()], lr=trainer[f'{side.lower()}_lr'],
                               betas=(trainer['beta1'], trainer['beta2']), eps=trainer['epsilon'])
        for side, s in sides.items()
    }
    updates = {side: 0 for side in sides}
    iteration = 0
    if args.resume or args.init_from:
        record, counters = load_studio_checkpoint(args.resume or args.init_from, networks, optimizers if args.resume else None)
        if args.resume:
            iteration = counters['iteration'] or 0
            updates.update({side: counters.get(side, 0) for side in sides})
        log(f"loaded {args.resume or args.init_from}" + (f" (graph '{record['graphName']}', step {record['step']})" if record else ''))
    for side, optimizer in optimizers.items():  # Adam's state follows its parameters to the device
        for state in optimizer.state.values():
            for key, value in state.items():
                if torch.is_tensor(value) and key != 'step':
                    state[key] = value.to(device)

    trained = {n for s in sides.values() for n in s['networks']}
    wrapped = {}
    for name, network in networks.items():
        network.to(device)
        if world > 1 and name in trained and any(p.requires_grad for p in network.parameters()):
            # Batch statistics stay per process (no SyncBatchNorm: node modules hold their layers).
            network = torch.nn.parallel.DistributedDataParallel(
                network, device_ids=[device.index] if device.type == 'cuda' else None, find_unused_parameters=True)
        wrapped[name] = network
    inputs = model.Inputs().to(device)

    dataset, layout = make_dataset(args, config, seed)
    plan = config['feeds']['synthetic' if layout == 'synthetic' else layout]
    sampler = torch.utils.data.distributed.DistributedSampler(dataset, world, rank, shuffle=True, seed=seed, drop_last=True) if world > 1 else None
    workers = args.workers if args.workers is not None else (0 if layout == 'synthetic' else 2)
    loader = torch.utils.data.DataLoader(dataset, per_process, shuffle=sampler is None, sampler=sampler, num_workers=workers, drop_last=True,
                                         generator=torch.Generator().manual_seed(seed))
    if len(loader) == 0:
        raise SystemExit(f'{len(dataset)} samples make no batch of {per_process} per process')
    steps_per_epoch = len(loader)
    total = args.steps if args.steps is not None else (args.epochs * steps_per_epoch if args.epochs is not None else None)
    if total is None:
        schedule = trainer['niter'] + trainer['niter_decay']
        total = schedule * (steps_per_epoch if trainer['schedule_unit'] == 'epoch' else 1)

    os.makedirs(os.path.join(args.out, 'checkpoints'), exist_ok=True)
    csv = open(os.path.join(args.out, 'losses.csv'), 'a') if rank == 0 else None
    loss_names = [n for s in sides.values() for n in s['losses']]
    columns = loss_columns(loss_names)
    if csv and csv.tell() == 0:
        csv.write(','.join(columns) + '\n')
    board = summary_writer(log_dir=args.tensorboard) if summary_writer and rank == 0 else None
    log(f"{config['graph_name']}: {world} process{'es' if world > 1 else ''} on {device.type}, batch {per_process} x {world}, "
        f"{steps_per_epoch} iterations per epoch, training to iteration {total}")
    for name, reason in objective.SKIPPED.items():
        log(f'skipped loss {name}: {reason}')

    def save(step):
        if rank != 0:
            return
        base = os.path.join(args.out, 'checkpoints', f'step-{step:06d}')
        record = run_record(config, step, device.type, f'{layout}:{len(dataset)}', {'trainer': 'pytorch', 'world_size': world})
        save_studio_checkpoint(base + '.safetensors', networks, record, {s: (optimizers[s], updates[s]) for s in sides}, step)
        for name, network in networks.items():
            torch.save(network.state_dict(), f'{base}_net_{name}.pth')
        log(f'saved {base}.safetensors')

    started = time.time()
    while iteration < total:
        epoch = iteration // steps_per_epoch
        if sampler is not None:
            sampler.set_epoch(epoch)
        dataset.epoch = epoch  # augmentation draws follow (seed, epoch, index)
        for batch in loader:
            if iteration >= total:
                break
            lr_g, lr_d = learning_rates(trainer, iteration, epoch)
            for side, lr in (('G', lr_g), ('D', lr_d)):
                if side in optimizers:
                    for group in optimizers[side].param_groups:
                        group['lr'] = lr
            batch = {k: v.to(device) for k, v in batch.items()}
            with torch.no_grad():
                fed = inputs(data.feeds_from_batch(batch, plan), per_process)
            step_started = time.time()
            row, updated = training_iteration(wrapped, model.NETWORK_ORDER, losses, optimizers, sides, trainer, fed, iteration)
            for side in updated:
                updates[side] += 1
            iteration += 1
            logged = loss_row(iteration, lr_g, lr_d, row, updated, sides, (time.time() - step_started) * 1000)
            if csv:
                csv.write(','.join(csv_cell(logged.get(c)) for c in columns) + '\n')
                csv.flush()
            if board:
                for column in columns[1:-1]:
                    if logged.get(column) is not None:
                        board.add_scalar(f'loss/{column}' if column in row else column, logged[column], iteration)
            if iteration % 10 == 0 or iteration == total:
                log(f'iteration {iteration}/{total}  ' + '  '.join(f'{n} {v:.4f}' for n, v in row.items()) + f'  ({time.time() - started:.1f} s)')
            if args.save_every and iteration % args.save_every == 0 and iteration != total:
                save(iteration)
    if world > 1:
        if not replicas_agree(networks):
            raise SystemExit(f'rank {rank}: the replicas differ after training (gradients were not synchronised)')
        log(f'the {world} replicas hold the same weights')
    save(iteration)
    if board:
        board.close()
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == '__main__':
    main()
