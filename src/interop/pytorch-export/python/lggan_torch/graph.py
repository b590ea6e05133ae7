"""Networks assembled from node modules, and the discriminator calls of one training phase."""
import torch
from torch import nn


class GraphNetwork(nn.Module):
    """One network of the graph (G, D, D1 …). Each node module is mounted where its state should
    appear in state_dict(): at the official module path for nodes that mirror the official model
    (`conv1.weight`, `head_0.conv_0.weight_orig` …), else under the node id (the studio's names).
    forward(values, requests) runs the plain nodes in graph order and applies the discriminator
    nodes to the inputs requested of them."""

    def __init__(self, name):
        super().__init__()
        self.network = name
        # Plain dicts: the node modules are registered once, at their mount points, not here.
        self.nodes = {}
        self.prefixes = {}

    def mount(self, node_id, module, at):
        """`at`: '' merges the module's children into this network, 'a.b' puts the module there."""
        self.nodes[node_id] = module
        if at == '':
            if any(True for _ in module.parameters(recurse=False)) or any(True for _ in module.buffers(recurse=False)):
                raise ValueError(f"node '{node_id}' keeps state of its own, so it cannot be merged into network '{self.network}'")
            for name, child in module.named_children():
                self._add_at(name, child)
        else:
            self._add_at(at, module)
        self.prefixes[node_id] = f'{at}.' if at else ''

    def _add_at(self, path, module):
        parent = self
        *folders, name = path.split('.')
        for folder in folders:
            if folder not in parent._modules:
                parent.add_module(folder, nn.Module())
            parent = parent._modules[folder]
        if name in parent._modules:
            raise ValueError(f"'{path}' is mounted twice in network '{self.network}'")
        parent.add_module(name, module)

    def train(self, mode=True):
        super().train(mode)
        for module in self.nodes.values():  # merged nodes are not children of the network
            module.train(mode)
        return self

    def studio_names(self):
        """state_dict key -> the studio's variable name (`<node id>.<local name>`)."""
        names = {}
        for node_id, module in self.nodes.items():
            for key in module.state_dict():
                names[self.prefixes[node_id] + key] = f'{node_id}.{key}'
        return names

    def forward(self, values, requests=None):
        """values: {node id: {port: tensor}}; requests: {discriminator node id: input batch}.
        Returns (the values of this network's nodes, {node id: (outputs, features)})."""
        produced = self.run_nodes(values) if self.PLAIN_NODES else {}
        answers = {node: self.nodes[node](x) for node, x in (requests or {}).items()}
        return produced, answers

    PLAIN_NODES = ()

    def run_nodes(self, values):
        raise NotImplementedError


def run_networks(networks, order, values):
    """Runs the plain nodes of every network in `order`, adding their values to a copy of `values`."""
    values = dict(values)
    for name in order:
        network = networks[name]
        module = network.module if hasattr(network, 'module') else network
        if module.PLAIN_NODES:
            produced, _ = network(values)
            values.update(produced)
    return values


class Judge:
    """Collects the discriminator applications the losses of one phase ask for and runs each
    discriminator once on their concatenation (as SPADE batches fake and real), then hands every
    asker its slice of the patch maps and features. Asks with the same key (the same condition and
    image, detached alike) share one slice: feature matching judges the fakes the adversarial loss
    judges, and every real-image term the same real image. Instance norm is per sample, so the
    values are those of separate calls. The studio's runs do the same (src/compiler/judge.ts)."""

    def __init__(self):
        self.asked = {}  # (network, node) -> list of input batches
        self.tickets = {}  # (network, node, key) -> ticket
        self.answers = {}

    def ticket(self, network, node, key):
        """The ticket of an earlier ask with this key, or None."""
        return self.tickets.get((network, node, key))

    def ask(self, network, node, x, key=None):
        """A ticket for D(x); read it with answer() after run(). A key lets later asks of the same pair find it (ticket())."""
        batches = self.asked.setdefault((network, node), [])
        batches.append(x)
        ticket = (network, node, len(batches) - 1)
        if key is not None:
            self.tickets[(network, node, key)] = ticket
        return ticket

    def run(self, networks):
        by_network = {}
        for (network, node), batches in self.asked.items():
            by_network.setdefault(network, {})[node] = torch.cat(batches, dim=0)
        for network, requests in by_network.items():
            _, answers = networks[network]({}, requests)
            for node, (outputs, features) in answers.items():
                sizes = [x.shape[0] for x in self.asked[(network, node)]]
                split_outputs = [o.split(sizes, dim=0) for o in outputs]
                split_features = [[f.split(sizes, dim=0) for f in scale] for scale in features]
                for i in range(len(sizes)):
                    self.answers[(network, node, i)] = (
                        [o[i] for o in split_outputs],
                        [[f[i] for f in scale] for scale in split_features],
                    )

    def answer(self, ticket):
        return self.answers[ticket]
