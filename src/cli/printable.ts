/**
 * Strings from data (file names, class names, labels, messages quoting them) made safe for a terminal: control
 * characters are shown as \uXXXX escapes, so a file named with ESC sequences cannot clear the screen, move the
 * cursor or set the window title when an error message prints it. Newlines and tabs stay.
 */
export function printable(s: string): string {
  // C0 controls except \t and \n, DEL, and C1 controls (0x80-0x9f: 8-bit CSI and friends).
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
