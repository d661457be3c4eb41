// Shared action-text handling for the built-in environments. A model's turn may wrap its action in prose,
// capitals, punctuation or markdown; when it writes "Action: ..." only the text after the last such label
// counts, and the environment then looks for its verbs word by word.
//
//   actionWords('I think... **Action:** Go North!')   // ['go', 'north']

/** The words of the action part of a turn: lower case, letters and digits only. */
export function actionWords(text: string): string[] {
  const lower = String(text ?? '').toLowerCase();
  const at = lower.lastIndexOf('action:');
  const part = at >= 0 ? lower.slice(at + 'action:'.length) : lower;
  return part
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);
}

/** A short quote of what the model wrote, for "I did not understand ..." observations. */
export function quote(text: string, max = 60): string {
  const flat = String(text ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}
