// The run manifest is part of the contract (src/contract/runManifest.ts); core code imports it from here.
export type { BackendRecord, DatasetRecord, ModelRecord, RunManifest, RunStatus, RunTimings } from '../../contract/runManifest';
