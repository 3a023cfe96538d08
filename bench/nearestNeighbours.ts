/**
 * `npm run bench:knn`: k nearest neighbours of every row (k = 10) by the exact blocked search on the tfjs backend
 * against the HNSW index (hnswlib-node), for N rows of dimension d: build and query-all times, and the index's
 * recall@10 against the exact answer. Data: Gaussian rows mixed half and half with clustered rows (100 centres) at
 * d = 64, 128, 512; MNIST's raw 784 pixels; MNIST's 16x16 perceptual thumbnails (what `datadiet duplicates` searches).
 * Each size in --sizes is measured, so the table shows where the exact search's N^2 overtakes the index's N log N:
 * EXACT_MAX_ROWS (src/core/similarity/nearestNeighbours.ts) is set from it. Last, `datadiet duplicates` end to end on
 * MNIST's 70,000 images (train and test).
 *
 *   node dist/bench-knn.js [--sizes 15000,30000,60000] [--dims 64,128,512] [--backend auto] [--threads n]
 *                          [--no-duplicates] [--duplicates-dataset mnist] [--out bench/nearest-neighbours.md]
 *
 * Timings need a quiet machine: nothing else running.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend, type BackendChoice } from '../src/core/compute/backend';
import { plural } from '../src/core/plural';
import { loadMnist } from '../src/core/data/mnist';
import { perceptualVectors } from '../src/core/duplicates/perceptualVectors';
import { DUPLICATES_TABLE, runDuplicates, type DuplicatesTable } from '../src/core/experiments/duplicates';
import { RandomStream } from '../src/core/randomStreams';
import { exactNeighbours } from '../src/core/similarity/exactNeighbours';
import { HNSW_PARAMS, hnswNeighbours, hnswUnavailable } from '../src/core/similarity/hnswNeighbours';
import type { NeighbourLists } from '../src/core/similarity/neighbourLists';
import { EXACT_MAX_ROWS, indexSeed } from '../src/core/similarity/nearestNeighbours';
import type { VectorRows } from '../src/core/similarity/vectorRows';

interface Args {
  sizes: number[];
  dims: number[];
  k: number;
  backend: BackendChoice;
  threads?: number;
  duplicates: boolean;
  /** The dataset `datadiet duplicates` is timed on. */
  duplicatesDataset: string;
  out: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { sizes: [15000, 30000, 60000], dims: [64, 128, 512], k: 10, backend: 'auto', duplicates: true, duplicatesDataset: 'mnist', out: 'bench/nearest-neighbours.md' };
  const list = (v: string) => v.split(',').map(Number);
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    if (argv[i] === '--sizes' || argv[i] === '--n') (a.sizes = list(v)), i++;
    else if (argv[i] === '--dims') (a.dims = list(v)), i++;
    else if (argv[i] === '--k') (a.k = Number(v)), i++;
    else if (argv[i] === '--backend') (a.backend = v as BackendChoice), i++;
    else if (argv[i] === '--threads') (a.threads = Number(v)), i++;
    else if (argv[i] === '--out') (a.out = v), i++;
    else if (argv[i] === '--no-duplicates') a.duplicates = false;
    else if (argv[i] === '--duplicates-dataset') (a.duplicatesDataset = v), i++;
  }
  if (a.sizes.some((n) => !(Number.isInteger(n) && n >= 2))) throw new Error('--sizes: whole numbers >= 2');
  return a;
}

/** Half Gaussian N(0, 1) rows, half rows around 100 Gaussian centres (spread 0.3), interleaved; seeded per d. */
function mixedRows(n: number, d: number): VectorRows {
  const rng = RandomStream.root(0).derive('bench-vectors', { d }).rng();
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const centres = Array.from({ length: 100 }, () => Float32Array.from({ length: d }, gauss));
  const values = new Float32Array(n * d);
  for (let r = 0; r < n; r++) {
    const c = r % 2 === 1 ? centres[rng.int(100)] : undefined;
    for (let j = 0; j < d; j++) values[r * d + j] = c ? c[j] + 0.3 * gauss() : gauss();
  }
  return { values, dim: d };
}

function firstRows(v: VectorRows, n: number): VectorRows {
  return { values: v.values.subarray(0, n * v.dim), dim: v.dim };
}

function recall(found: NeighbourLists, truth: NeighbourLists): number {
  let hit = 0;
  let total = 0;
  for (let r = 0; r < truth.count; r++) {
    const want = new Set<number>();
    for (let j = 0; j < truth.k; j++) if (truth.indices[r * truth.k + j] >= 0) want.add(truth.indices[r * truth.k + j]);
    for (let j = 0; j < found.k; j++) if (want.has(found.indices[r * found.k + j])) hit++;
    total += want.size;
  }
  return hit / Math.max(1, total);
}

interface Row {
  data: string;
  n: number;
  d: number;
  exact: number;
  hnswBuild?: number;
  hnswQuery?: number;
  recall?: number;
}

async function measure(data: string, v: VectorRows, k: number): Promise<Row> {
  const n = v.values.length / v.dim;
  let t = performance.now();
  const exact = await exactNeighbours(v, k);
  const row: Row = { data, n, d: v.dim, exact: (performance.now() - t) / 1000 };
  if (!hnswUnavailable()) {
    let built = 0;
    t = performance.now();
    const approx = await hnswNeighbours(v, k, {
      seed: indexSeed(0),
      onProgress: (done, total) => {
        if (done === total / 2 && !built) built = performance.now();
      },
    });
    const end = performance.now();
    row.hnswBuild = (built - t) / 1000;
    row.hnswQuery = (end - built) / 1000;
    row.recall = recall(approx, exact);
  }
  process.stderr.write(`${data} n=${n} d=${v.dim}: exact ${row.exact.toFixed(2)} s${row.recall !== undefined ? `, hnsw ${row.hnswBuild!.toFixed(2)} + ${row.hnswQuery!.toFixed(2)} s, recall@${k} ${row.recall.toFixed(4)}` : ''}\n`);
  return row;
}

/** Largest measured N of each data set at which the exact search was not slower than the index (build + queries). */
function crossover(rows: readonly Row[]): string[] {
  const byData = new Map<string, Row[]>();
  for (const r of rows) byData.set(r.data, [...(byData.get(r.data) ?? []), r]);
  const lines: string[] = [];
  for (const [data, rs] of byData) {
    const faster = rs.filter((r) => r.hnswBuild !== undefined && r.exact <= r.hnswBuild + r.hnswQuery!).map((r) => r.n);
    const biggest = rs.reduce((a, b) => (b.n > a.n ? b : a));
    // Past the largest measured N, scale: exact as N^2, the index as N log N.
    let est = '';
    if (biggest.hnswBuild !== undefined) {
      const h = biggest.hnswBuild + biggest.hnswQuery!;
      let m = biggest.n;
      const exactAt = (x: number) => biggest.exact * (x / biggest.n) ** 2;
      const hnswAt = (x: number) => (h * x * Math.log(x)) / (biggest.n * Math.log(biggest.n));
      if (exactAt(m) <= hnswAt(m)) while (exactAt(m * 1.1) <= hnswAt(m * 1.1) && m < 1e8) m *= 1.1;
      else while (exactAt(m) > hnswAt(m) && m > 100) m /= 1.1;
      est = `; scaled from N = ${biggest.n.toLocaleString('en-US')}, the two cross near N ≈ ${Math.round(m).toLocaleString('en-US')}`;
    }
    lines.push(`- ${data}: exact at least as fast up to N = ${faster.length ? Math.max(...faster).toLocaleString('en-US') : 'none measured'}${est}`);
  }
  return lines;
}

async function duplicatesTiming(dataset: string, backend: BackendChoice, threads?: number): Promise<string[]> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'datadiet-bench-knn-'));
  try {
    const t = performance.now();
    const m = await runDuplicates({ dataset, backend, ...(threads ? { threads } : {}) }, { root });
    const wall = (performance.now() - t) / 1000;
    if (m.status !== 'done') return [`duplicates run ${m.status}: ${m.error ?? ''}`];
    const table = JSON.parse(fs.readFileSync(path.join(root, '.datadiet', 'runs', m.id, DUPLICATES_TABLE), 'utf8')) as DuplicatesTable;
    const s = table.seconds;
    return [
      `\`datadiet duplicates --dataset ${dataset}\` (${table.rows.toLocaleString('en-US')} images, train and test): ${wall.toFixed(1)} s in all, of which hashing ${s.hash} s, thumbnails ${s.vectors} s, nearest neighbours ${s.search} s (${table.search.method}: ${table.search.reason}), grouping ${s.group} s.`,
      `Found ${plural(table.counts.groups, 'group')} (${table.counts.exact} exact, ${table.counts.near} near; ${table.counts.leakage} across train and test, ${table.counts.labelConflict} with conflicting labels) at cosine >= ${table.threshold}.`,
    ];
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const backend = await initBackend(a.backend, a.threads ? { threads: a.threads } : {});
  const maxN = Math.max(...a.sizes);
  const rows: Row[] = [];
  const sets: { name: string; v: VectorRows }[] = a.dims.map((d) => ({ name: `gaussian + clustered, d=${d}`, v: mixedRows(maxN, d) }));
  const { train } = loadMnist('mnist');
  const mnistN = Math.min(maxN, train.labels.length);
  sets.push({ name: 'MNIST raw pixels, d=784', v: { values: Float32Array.from(train.images.subarray(0, mnistN * 784), (x) => x / 255), dim: 784 } });
  sets.push({ name: 'MNIST 16x16 thumbnails, d=256', v: perceptualVectors({ count: mnistN, shape: train.shape, image: (r) => train.images.subarray(r * 784, (r + 1) * 784) }) });
  for (const s of sets) {
    const have = s.v.values.length / s.v.dim;
    for (const n of a.sizes) if (n <= have) rows.push(await measure(s.name, firstRows(s.v, n), a.k));
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const fmt = (x: number | undefined) => (x === undefined ? 'n/a' : x.toFixed(2));
  const lines = [
    '# Nearest neighbours: exact against HNSW',
    '',
    `${cpu}, ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(2)} at the start; backend ${backend.device}. k = ${a.k} neighbours of every row (all rows are queries).`,
    `Exact: blocked matrix products and TopK on the backend (src/core/similarity/exactNeighbours.ts). HNSW: hnswlib-node, M ${HNSW_PARAMS.m}, efConstruction ${HNSW_PARAMS.efConstruction}, ef ${HNSW_PARAMS.ef}${hnswUnavailable() ? ` (not available here: ${hnswUnavailable()})` : ''}. Recall@${a.k}: the share of the exact ${a.k} nearest the index finds. Times in seconds, one run each.`,
    '',
    '| data | N | d | exact | HNSW build | HNSW queries | HNSW total | recall@10 |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.data} | ${r.n.toLocaleString('en-US')} | ${r.d} | ${fmt(r.exact)} | ${fmt(r.hnswBuild)} | ${fmt(r.hnswQuery)} | ${fmt(r.hnswBuild !== undefined ? r.hnswBuild + r.hnswQuery! : undefined)} | ${r.recall === undefined ? 'n/a' : r.recall.toFixed(4)} |`),
    '',
    '## Where the exact search stops being faster',
    '',
    ...crossover(rows),
    '',
    `EXACT_MAX_ROWS is ${EXACT_MAX_ROWS.toLocaleString('en-US')} (src/core/similarity/nearestNeighbours.ts): set it from the crossover above for the dimensions searched in practice (256 for thumbnails, 32-512 for embeddings).`,
  ];
  if (a.duplicates) lines.push('', '## Duplicates end to end', '', ...(await duplicatesTiming(a.duplicatesDataset, a.backend, a.threads)));
  fs.mkdirSync(path.dirname(path.resolve(a.out)), { recursive: true });
  fs.writeFileSync(a.out, lines.join('\n') + '\n');
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`bench-knn: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
