/**
 * The `duplicates` cell (duplicatesCommand.ts): a duplicates run as a gallery of its groups, found or made. Runs in
 * the notebook's cell worker; the search itself is an engine job (core/experiments/duplicates.ts).
 */
import * as path from 'node:path';
import { DUPLICATE_THRESHOLDS } from '../../contract/jobDefaults';
import { datasetUseOf, geometryOfUse, type DatasetUse } from '../data/datasetUse';
import { loadDataset } from '../data/load';
import { rowImages } from '../duplicates/rowImages';
import { DUPLICATES_TABLE, type DuplicatesTable } from '../experiments/duplicates';
import { duplicatesGallery } from '../notebook/duplicatesPayload';
import { thumbnailDataUri } from '../notebook/thumbnail';
import { cacheDir } from '../store/runStore';
import { readRunTable } from './analysisCells';
import type { CellQuery } from './diagnose';
import { CellError, pickRun, runEngineJob, type CellOutput, type ExecEnv } from './execute';
import { listRunInfos, resolveRun, type RunInfo } from './runRef';

/** Members shown per group: a threshold set too low can chain thousands of images into one group. */
const MAX_MEMBERS = 60;

export async function duplicatesCell(q: CellQuery, env: ExecEnv, runs: readonly RunInfo[]): Promise<CellOutput> {
  const target = q.given.has('run') ? pickRun(q, runs) : undefined;
  if (target?.kind === 'duplicates') return duplicatesOutput(q, env, target);
  if (!target && !q.given.has('dataset')) {
    const latest = resolveRun('latest', ['duplicates'], runs);
    if ('error' in latest) throw new CellError('no finished duplicates run yet: give dataset=<spec> (e.g. `duplicates dataset=folder:photos`) or run=<score run>');
    return duplicatesOutput(q, env, latest.run);
  }
  const params = duplicatesParams(q, env.root, target);
  if (!q.args.fresh) {
    const found = findDuplicatesRun(params, runs);
    if (found) return duplicatesOutput(q, env, found);
  }
  const manifest = await runEngineJob('duplicates', params, q, env);
  const run = listRunInfos(env.root).find((r) => r.id === manifest.id);
  if (!run) throw new CellError(`the duplicates job finished but its run ${manifest.id} is not under ${env.root}`);
  if (run.status === 'failed') throw new CellError(`the duplicate search failed: ${run.error ?? 'no reason recorded'}`);
  return duplicatesOutput(q, env, run);
}

/** The engine job's parameters as the cell asks for them (a relative dataset path is the workspace's). */
export function duplicatesParams(q: CellQuery, root: string, scoreRun?: RunInfo): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (q.given.has('dataset')) out.dataset = resolveSpec(q.args.dataset as string, root);
  if (q.given.has('image-size')) out.imageSize = q.args['image-size'];
  if (q.given.has('resize')) out.resize = q.args.resize;
  if (scoreRun) out.embeddingsFrom = scoreRun.id;
  out.threshold = q.given.has('threshold') ? q.args.threshold : scoreRun ? DUPLICATE_THRESHOLDS.embeddings : DUPLICATE_THRESHOLDS.thumbnails;
  if (q.given.has('knn')) out.knn = q.args.knn;
  return out;
}

/** `folder:photos` in a notebook means the workspace's photos folder, as the engine (another working folder) must see it. */
function resolveSpec(spec: string, root: string): string {
  const m = /^([A-Za-z0-9-]{2,}):(.+)$/s.exec(spec);
  if (m) return path.isAbsolute(m[2]) ? spec : `${m[1]}:${path.resolve(root, m[2])}`;
  return spec === 'mnist' || spec === 'fashion-mnist' || path.isAbsolute(spec) ? spec : path.resolve(root, spec);
}

/** A finished duplicates run with these settings, newest first. */
export function findDuplicatesRun(params: Record<string, unknown>, runs: readonly RunInfo[]): RunInfo | undefined {
  return runs.find((r) => {
    if (r.kind !== 'duplicates' || r.status !== 'done' || !r.config) return false;
    const c = r.config;
    if (params.embeddingsFrom !== undefined ? c.embeddingsFrom !== params.embeddingsFrom : c.embeddingsFrom !== undefined) return false;
    if (params.dataset !== undefined && c.dataset !== params.dataset) return false;
    if (params.imageSize !== undefined && c.imageSize !== params.imageSize) return false;
    if (params.dataset !== undefined && params.imageSize === undefined && c.imageSize !== undefined) return false;
    if ((params.resize ?? 'crop') !== (c.resize ?? 'crop') && (params.imageSize !== undefined || c.imageSize !== undefined)) return false;
    return c.threshold === params.threshold && (params.knn === undefined || c.knn === params.knn);
  });
}

function useOf(run: RunInfo): DatasetUse {
  const use = datasetUseOf(run.config);
  if (!use) throw new CellError(`run ${run.id} does not record its dataset, so its images cannot be shown`);
  return use;
}

async function duplicatesOutput(q: CellQuery, env: ExecEnv, run: RunInfo): Promise<CellOutput> {
  const t = readRunTable<DuplicatesTable>(run, DUPLICATES_TABLE);
  const use = useOf(run);
  const loaded = await loadDataset(use.spec, { geometry: geometryOfUse(use), cacheDir: cacheDir(env.root) });
  const images = rowImages(loaded.splits, loaded.info.heldOut);
  if (images.count !== t.rows) throw new CellError(`run ${run.id} found duplicates among ${t.rows} images, but ${use.spec} has ${images.count} now: run the cell with fresh=true`);
  const classNames = t.classNames ?? run.classNames ?? Array.from({ length: loaded.splits.train.numClasses }, (_, k) => String(k));
  const maxGroups = q.args.groups as number;
  const c = t.counts;
  const compared = t.compared === 'thumbnails' ? 'thumbnails' : `embeddings of ${t.embeddingsRun}`;
  const payload = duplicatesGallery({
    groups: t.groups,
    thumb: (row) => thumbnailDataUri({ images: images.image(row), shape: images.shape }, 0),
    classNames,
    maxGroups,
    maxMembers: MAX_MEMBERS,
    title: `Duplicates of ${path.basename(use.spec)}: ${c.groups} groups (${c.leakage} train/test leakage, ${c.labelConflict} label conflicts)${c.groups > maxGroups ? `, the first ${maxGroups} shown` : ''} — ${compared}, cosine >= ${t.threshold} — ${run.id}`,
  });
  if (run.status === 'cancelled') payload.partial = true;
  const summary = `${c.groups} duplicate groups among ${t.rows} images (${c.exact} exact, ${c.near} near): ${c.leakage} span train and test (${c.leakedTestRows} test images with a copy in train), ${c.labelConflict} with conflicting labels; run ${run.id}`;
  return { type: 'payload', kind: 'gallery', payload, summary };
}
