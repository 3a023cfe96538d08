// The optional compute packages the "Install GPU Support" command can add, where they go, and how npm is asked to
// install them. Pure. The engine finds them through NODE_PATH (engineEnv), so backend.ts's plain
// require.resolve() looks in the extension's global storage after its own folders.
import * as path from 'node:path';

export interface GpuPackage {
  /** The backend choice it enables (datadiet.backend). */
  readonly backend: 'tfjs-node-gpu' | 'webgpu' | 'tfjs-node';
  readonly name: string;
  readonly label: string;
  readonly detail: string;
}

export const GPU_PACKAGES: readonly GpuPackage[] = [
  {
    backend: 'tfjs-node-gpu',
    name: '@tensorflow/tfjs-node-gpu',
    label: 'NVIDIA GPU (CUDA): @tensorflow/tfjs-node-gpu',
    detail: 'Linux x64 with an NVIDIA driver, CUDA 11.8 and cuDNN 8; downloads libtensorflow (about 400 MB) from Google',
  },
  {
    backend: 'webgpu',
    name: 'webgpu',
    label: 'Any GPU (WebGPU through Dawn): webgpu',
    detail: 'Vulkan (Linux), Metal (macOS) or Direct3D 12 (Windows); prebuilt, about 130 MB',
  },
  {
    backend: 'tfjs-node',
    name: '@tensorflow/tfjs-node',
    label: 'Faster CPU (libtensorflow): @tensorflow/tfjs-node',
    detail: 'native CPU kernels, often faster than WebAssembly; downloads libtensorflow from Google',
  },
];

/** Where installed packages live: <globalStorage>/compute/node_modules. */
export function computePackagesDir(globalStorage: string): string {
  return path.join(globalStorage, 'compute');
}

export function computeNodeModules(globalStorage: string): string {
  return path.join(computePackagesDir(globalStorage), 'node_modules');
}

/** The engine's environment: NODE_PATH gains the installed packages (after anything already there). */
export function engineEnv(base: NodeJS.ProcessEnv, globalStorage: string): NodeJS.ProcessEnv {
  const extra = computeNodeModules(globalStorage);
  const parts = (base.NODE_PATH ?? '').split(path.delimiter).filter(Boolean);
  return { ...base, NODE_PATH: [...parts.filter((p) => p !== extra), extra].join(path.delimiter) };
}

/**
 * The version to install: the one this extension was built against (package.json optionalDependencies, "^4.22.0"
 * -> "4.22.0"), so its tfjs-core registers kernels the bundled tfjs-core accepts.
 */
export function pinnedVersion(spec: string | undefined): string | undefined {
  const m = spec && /(\d+\.\d+\.\d+)/.exec(spec);
  return m ? m[1] : undefined;
}

export function npmInstallArgs(pkg: string, version: string | undefined, prefix: string): string[] {
  return ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=warn', version ? `${pkg}@${version}` : pkg];
}

/** What to tell the user when npm fails: the likely cause from its output, and what to do. */
export function installFailureMessage(pkg: GpuPackage, code: number | null, output: string, npmPath: string | undefined): string {
  if (!npmPath) {
    return `Data Diet could not install ${pkg.name}: npm was not found on PATH. Install Node.js (it includes npm) from https://nodejs.org, restart VS Code, and run "Data Diet: Install GPU Support" again.`;
  }
  const text = output.toLowerCase();
  let cause = `npm exited with ${code ?? 'a signal'}`;
  if (/enotfound|eai_again|econnrefused|etimedout|network|getaddrinfo/.test(text)) {
    cause = pkg.name.startsWith('@tensorflow/')
      ? 'a download failed (npm registry, or libtensorflow from storage.googleapis.com in its install script): check the network or proxy'
      : 'a download failed: check the network or the npm proxy settings';
  } else if (/eacces|eperm/.test(text)) cause = 'no permission to write the extension\u2019s storage folder';
  else if (/enospc/.test(text)) cause = 'the disk is full';
  else if (/unsupported platform|notsup|ebadplatform/.test(text)) cause = `${pkg.name} has no build for ${process.platform}-${process.arch}`;
  else if (/node-pre-gyp|gyp err|prebuilt/.test(text)) cause = `${pkg.name}'s native binary could not be downloaded or built`;
  return `Data Diet could not install ${pkg.name}: ${cause}. The full npm output is in "Data Diet: Show Logs". Training keeps using the backends that work (wasm always does).`;
}
