/**
 * Saving a private model: each share holder (Pond: each server) writes only
 * its own shares, in the share-file format of serving (shares-io.ts), into a
 * folder of its own machine; loading reads them back on each holder, which
 * refuses a file that is not its own or whose architecture differs. Nobody
 * ever holds both shares. The files are what `tfe share-model` leaves on the
 * servers (a tfjs modelTopology, the weights in fromTfjs's order), so
 * `tfe serve` serves a model trained and saved privately, from
 * `<sharesDir>/<server>.tfeshares`. Node only (the file system).
 */
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { check, ModelFileError, NotImplementedError } from '../errors.js';
import type { Layer } from '../layers/index.js';
import type { PrivateVariable, Protocol } from '../protocol/api/index.js';
import { convertTfjs } from './from-tfjs.js';
import { tfjsArchitecture } from './tfjs-architecture.js';
import type { SavableModel } from './shares-router.js';
import { readShareFile, sharedModel, writeShareFile, type SharedModel, type SharedModelSpec } from './shares-io.js';

export type { SavableModel } from './shares-router.js';

/** `file://dir` or a plain path. */
function folderOf(target: string): string {
  return target.startsWith('file://') ? target.slice('file://'.length) : target;
}

/** The share file of `holder` in `dir`. */
export function shareFilePath(dir: string, holder: string): string {
  return path.join(folderOf(dir), `${holder}.tfeshares`);
}

/** Layer i's name in a saved topology: names are not part of the architecture (tfjs numbers them per process). */
const savedName = (_layer: Layer, i: number): string => `layer_${i}`;

/**
 * The model's spec as `tfe serve` reads it: its architecture as a tfjs
 * modelTopology (layers named by position), and its weights in the order in
 * which fromTfjs rebuilds that topology (the order serving gives the shares
 * to the weights), which for a graph may differ from the model's own order.
 */
function weightsOf(model: SavableModel): { prot: Protocol; weights: PrivateVariable[]; spec: SharedModelSpec } {
  const prot = model.protocol;
  check(prot !== undefined, () => `${model.name}: build the model before saving or loading its shares`);
  const { plain } = tfjsArchitecture(model, savedName);
  let topology: SharedModelSpec['topology'];
  let order: Array<{ layer: Layer; name: string }>;
  try {
    topology = JSON.parse(JSON.stringify(plain.toJSON(undefined, false))) as SharedModelSpec['topology'];
    const byName = new Map(model.layers.map((l, i) => [savedName(l, i), l]));
    order = convertTfjs(plain).model.layers.map((c) => {
      const layer = byName.get(c.name);
      if (layer === undefined || layer.className !== c.className) throw new NotImplementedError(`${model.name}: layer '${c.name}' (${c.className}) of the saved topology is not one of the model's; this model cannot be saved in a servable form`);
      return { layer, name: c.name };
    });
  } finally {
    plain.dispose();
  }
  const weights = order.flatMap(({ layer }) => (layer.built ? [...layer.weights] : []));
  const names = order.flatMap(({ layer, name }) => (layer.built ? layer.weights.map((_, j) => `${name}/${j}`) : []));
  const all = model.layers.reduce((n, l) => n + (l.built ? l.weights.length : 0), 0);
  check(weights.length === all, () => `${model.name}: the saved topology rebuilds ${weights.length} of the model's ${all} weights`);
  const spec: SharedModelSpec = {
    name: model.name,
    fracBits: prot.fracBits,
    topology,
    weights: weights.map((w, j) => ({ name: names[j], shape: [...w.shape] })),
  };
  return { prot, weights, spec };
}

/**
 * Writes each local share holder's shares of the model's weights to
 * `<dir>/<holder>.tfeshares` (mode 0600). Every process of the program calls
 * it; the holders agree on a sharing id through a public seed. Returns the
 * files this process wrote.
 */
export async function saveShares(model: SavableModel, dir: string): Promise<string[]> {
  const { prot, weights, spec } = weightsOf(model);
  const sharingId = Buffer.from(await prot.publicSeed()).toString('hex');
  const shared: SharedModel = sharedModel(spec, sharingId);
  const holders = [prot.shareHolders[0], prot.shareHolders[1]] as const;
  const local = await Promise.all(weights.map((w) => prot.localShares(w)));
  const written: string[] = [];
  for (const index of [0, 1] as const) {
    if (!prot.config.isLocal(holders[index])) continue;
    await mkdir(folderOf(dir), { recursive: true, mode: 0o700 });
    const file = shareFilePath(dir, holders[index]);
    await writeShareFile(file, { holder: holders[index], shareIndex: index, holders, model: shared }, local.map((m) => m.get(index) as NonNullable<ReturnType<typeof m.get>>));
    written.push(file);
  }
  return written;
}

/**
 * Replaces the model's weights with the shares saved in `dir`: each holder
 * reads its own file (`<holder>.tfeshares`), which must be its own and of the
 * same architecture (name, fixed point, layers and weight shapes). Every
 * process of the program calls it.
 */
export async function loadShares(model: SavableModel, dir: string): Promise<void> {
  const { prot, weights, spec } = weightsOf(model);
  const expected = sharedModel(spec, '0'.repeat(32)).fingerprint;
  const files = new Map<number, Promise<Awaited<ReturnType<typeof readShareFile>>>>();
  const fileOf = (index: 0 | 1): Promise<Awaited<ReturnType<typeof readShareFile>>> => {
    let f = files.get(index);
    if (f === undefined) {
      const holder = prot.shareHolders[index];
      const file = shareFilePath(dir, holder);
      f = readShareFile(file, holder).then((read) => {
        if (read.header.shareIndex !== index) throw new ModelFileError(file, `holds share ${read.header.shareIndex}; '${holder}' holds share ${index}`);
        if (read.header.model.fingerprint !== expected) throw new ModelFileError(file, `holds shares of another architecture than model '${model.name}' (name, fixed point, layers or weight shapes differ)`);
        return read;
      });
      files.set(index, f);
    }
    return f;
  };
  weights.forEach((w, j) => {
    w.assign(prot.privateFromShares(w.shape, async (i) => (await fileOf(i)).shares[j], spec.fracBits));
  });
  // Surface a refused file here rather than at the next reveal.
  const read = await Promise.all([0, 1].filter((i) => prot.config.isLocal(prot.shareHolders[i])).map((i) => fileOf(i as 0 | 1)));
  // Two shares of different sharings add up to garbage: refuse files of two savings.
  if (read.length === 2 && read[0].header.model.sharingId !== read[1].header.model.sharingId) {
    throw new ModelFileError(shareFilePath(dir, prot.shareHolders[1]), `holds shares of another saving (sharing id) than ${shareFilePath(dir, prot.shareHolders[0])}; expected both servers' files of one saving`);
  }
  await prot.flush();
}
