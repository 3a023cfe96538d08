const path = require('path'), fs = require('fs'), os = require('os');
const tf = require('@tensorflow/tfjs-core');
const wasmPkg = require('@tensorflow/tfjs-backend-wasm');
const dir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
const nthreads = +process.argv[2] || 2;
const factory = require(path.join(dir, 'tfjs-backend-wasm-threaded-simd.js'));
const { wasmWorkerContents } = require(path.join(dir, 'tfjs-backend-wasm-threaded-simd.worker.js'));
const workerPath = path.join(os.tmpdir(), 'tfjs-wasm-worker.js');
fs.writeFileSync(workerPath, wasmWorkerContents.replace(/\n/g, '\\n'));
tf.removeBackend('wasm');
tf.registerBackend('wasm', async () => {
  wasmPkg.setThreadsCount(nthreads);
  const module = await factory({
    locateFile: (p, prefix) => p.endsWith('.worker.js') ? workerPath : p.endsWith('.wasm') ? path.join(dir, 'tfjs-backend-wasm-threaded-simd.wasm') : prefix + p,
    mainScriptUrlOrBlob: path.join(dir, 'tfjs-backend-wasm-threaded-simd.js'),
    instantiateWasm: (info, receive) => {
      info.env.emscripten_num_logical_cores = () => 2 * nthreads;
      WebAssembly.instantiate(fs.readFileSync(path.join(dir, 'tfjs-backend-wasm-threaded-simd.wasm')), info).then(r => receive(r.instance, r.module));
      return {};
    },
  });
  console.error('factory resolved', module.PThread.unusedWorkers.length, module.PThread.unusedWorkers.map(w=>w.loaded));
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number','number','number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  console.error('constructing'); const b = new wasmPkg.BackendWasm(module); console.error('constructed'); return b;
}, 2);
(async () => {
  const t0 = Date.now();
  console.log(await tf.setBackend('wasm'), Date.now() - t0, 'ms', wasmPkg.getThreadsCount()); const be = tf.backend(); console.log(be.wasm.PThread.unusedWorkers.length, be.wasm.PThread.runningWorkers.length, be.wasm.tfjs.getThreadsCount()); await new Promise(r=>setTimeout(r,500)); be.wasm.tfjs.initWithThreadsCount(2); console.log(be.wasm.tfjs.getThreadsCount(), be.wasm.PThread.runningWorkers.length);
  const x = tf.randomNormal([128, 28, 28, 32]); const w = tf.randomNormal([3, 3, 32, 64]);
  for (let i = 0; i < 6; i++) { const t = Date.now(); const y = tf.conv2d(x, w, 1, 'same'); await y.data(); y.dispose(); console.log('conv', Date.now() - t); }
  const a = tf.randomNormal([1024,1024]); for (let i=0;i<3;i++){const t=Date.now(); const c=tf.matMul(a,a); await c.data(); c.dispose(); console.log('mm',Date.now()-t);}
})();
