import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.ts';
import { compileProgram, type Program } from './program.ts';
import { resolveGraph } from './resolve.ts';
import { loadGraph } from '../graph/load.ts';
import { tempDir, writeTinyGan, writeTinyLggan } from '../cli/cli.test-util.ts';
import { generatorOutputs, outputKeys } from './outputs.ts';
import { LOCAL_BRANCH, deleteBranch, shipped } from '../../nodes/lggan/variadic.test-util.ts';

const tmp = tempDir();
const programs: Program[] = [];
afterAll(() => {
  programs.forEach((p) => p.dispose());
  tmp.cleanup();
});

function compileFile(path: string): Program {
  const registry = createRegistry();
  const loaded = loadGraph(readFileSync(path, 'utf8'), { registry });
  if (!loaded.ok) throw new Error(`${path} does not load`);
  const program = compileProgram(resolveGraph(loaded.doc, registry, { batch: 1 }));
  programs.push(program);
  return program;
}

describe('generatorOutputs', () => {
  it('finds the LGGAN outputs, the per-class images and what they depend on', () => {
    const o = generatorOutputs(compileFile(writeTinyLggan(tmp.dir)));
    expect(o).toEqual({
      final: { key: 'out_final', name: 'final' },
      images: [
        { key: 'out_global', name: 'global' },
        { key: 'out_local', name: 'local' },
      ],
      attention: [{ key: 'out_attention', name: 'attention' }],
      classImages: { key: 'local:class_images', masks: 'masks:masks' },
      inputs: ['labels'],
      networks: ['G'],
    });
    expect(outputKeys(o, { all: false })).toEqual(['out_final']);
    expect(outputKeys(o, { all: true })).toEqual(['out_final', 'out_global', 'out_local', 'out_attention', 'local:class_images', 'masks:masks']);
  });

  it("takes an image output with another name as the final image, and leaves the discriminator's outputs out", () => {
    const o = generatorOutputs(compileFile(new URL('../../graphs/tiny-pix2pix.json', import.meta.url).pathname));
    expect(o).toMatchObject({ final: { key: 'fake', name: 'fake' }, images: [], attention: [], inputs: ['labels'], networks: ['G'] });
  });

  it('falls back to the generated image the losses read when the graph has no image output', () => {
    const o = generatorOutputs(compileFile(writeTinyGan(tmp.dir)));
    expect(o).toMatchObject({ final: { key: 'tanh:y', name: 'final' }, images: [], inputs: ['labels'], networks: ['G'] });
    expect(o.classImages).toBeUndefined();
  });

  it('falls back to the lowest generated-image port wired when fake0 is left open', () => {
    // The default graph without its local branch (fake0 of every loss is open) and without image outputs.
    const { doc } = deleteBranch(shipped('lggan-cityscapes-tiny.json'), [...LOCAL_BRANCH, 'out_global']);
    const registry = createRegistry();
    const program = compileProgram(resolveGraph(doc, registry, { batch: 1 }));
    programs.push(program);
    expect(generatorOutputs(program)).toMatchObject({ final: { key: 'global:image', name: 'final' }, images: [], networks: ['G'] });
  });
});
