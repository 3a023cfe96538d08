// The protocol's types and parser are part of the contract; the engine adds only its line framing.
export type { EngineEvent, EngineRequest } from '../contract/engineProtocol';
export { parseRequest } from '../contract/engineProtocol';
export type { JobName } from '../contract/jobNames';
export { JOB_NAMES } from '../contract/jobNames';

/** Splits a byte stream into lines; a partial line waits for its end. */
export class LineSplitter {
  private buffer = '';

  push(chunk: string): string[] {
    this.buffer += chunk;
    const lines = this.buffer.split('\n');
    this.buffer = lines.pop() ?? '';
    return lines.filter((l) => l.trim().length > 0);
  }
}
