// User-facing sentences that more than one place uses, kept pure so tests can check them.
import type { RunManifest } from '../contract/runManifest';
import { formatDuration, formatPercent, shortError } from './format';
import { headline } from './runsModel';

/** Why a command does nothing in Restricted Mode. */
export function restrictedMessage(action: string): string {
  return (
    `Data Diet does not ${action} in Restricted Mode. Training starts a separate engine process that runs code ` +
    `(compute backends, native packages) on datasets and settings from this workspace, so it waits until you trust ` +
    `the workspace. Runs already recorded stay listed.`
  );
}

/** The one-line summary shown when a job ends. */
export function finishedMessage(title: string, m: RunManifest): string {
  const took = formatDuration(m.timings?.totalSeconds);
  const h = headline(m);
  switch (m.status) {
    case 'done':
      return `${title}: done${h ? ` \u2014 ${h}` : ''}${took ? ` (${took})` : ''}.`;
    case 'cancelled':
      return `${title}: cancelled${m.results?.partial && h ? `; partial results kept \u2014 ${h}` : ''}.`;
    case 'failed':
      return `${title}: failed \u2014 ${shortError(m.error, 200) ?? 'no reason recorded'}.`;
    default:
      return `${title}: ${m.status}.`;
  }
}

export function accuracyOf(m: RunManifest): string | undefined {
  return formatPercent(m.results?.testAccuracy, 2);
}
