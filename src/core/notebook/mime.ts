// The notebook mime types and payloads are part of the contract (src/contract/notebookMime.ts): a Python kernel
// emits them too. Core code imports them from here.
export * from '../../contract/notebookMime';
