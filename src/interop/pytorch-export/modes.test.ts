/** The PyTorch export follows bypass and mute: it exports the program the studio compiles. */
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../nodes/index.ts';
import { graphHash } from '../../graph/hash.ts';
import { loadGraph } from '../../graph/load.ts';
import { ABLATION_VARIANTS, loadShipped, variantOf } from '../../templates/variants.test-util.ts';
import { exportPytorchPackage } from './index.ts';

const registry = createRegistry();
const text = (files: Map<string, string | Uint8Array>, path: string) => files.get(path) as string;

describe('exportPytorchPackage with bypassed and muted nodes', () => {
  const [file, variant] = ABLATION_VARIANTS.find(([f]) => f === 'ablation-cityscapes-global-only-tiny.json')!;
  const ablation = loadShipped(file);
  // Named as the ablation, since the graph's name heads the generated files.
  const edited = { ...variantOf(loadShipped('lggan-cityscapes-tiny.json'), variant), meta: ablation.meta };
  const files = exportPytorchPackage(edited, registry);
  const shipped = exportPytorchPackage(ablation, registry);

  it('writes the same model and objective as the shipped global-only ablation', () => {
    expect(edited.nodes.find((n) => n.id === 'fusion')!.mode).toBe('bypass');
    expect(text(files, 'model.py')).toBe(text(shipped, 'model.py'));
    expect(text(files, 'objective.py')).toBe(text(shipped, 'objective.py'));
    expect(text(files, 'model.py')).not.toContain('fusion');
    expect(text(files, 'model.py')).not.toContain('trunk');
  });

  it('keeps the graph as edited, modes included, and hashes that graph in config.json', () => {
    const saved = loadGraph(text(files, 'graph.lggan.json'), { registry });
    expect(saved.ok && saved.doc.nodes.filter((n) => n.mode).map((n) => [n.id, n.mode])).toEqual([
      ['trunk', 'mute'],
      ['masks', 'mute'],
      ['fusion', 'bypass'],
      ['out_global', 'mute'],
    ]);
    expect(JSON.parse(text(files, 'config.json')).graph_hash).toBe(graphHash(edited));
  });
});
