// Errors that come from the page (the app's worker, Playwright's calls into the page) as the terminal
// shows them: one line with the error's own class and message, without Playwright's `page.evaluate:`
// prefix, its call log, or the bundle's minified stack lines.
//
//   throw new PageError('ConfigError', 'run.max_steps: must be positive')
//   oneLine('page.evaluate: Error: x\n    at t (http://...)')   // 'Error: x'

export class PageError extends Error {
  constructor(name: string, message: string) {
    super(oneLine(message));
    // the class the error had in the page, kept for the terminal and for callers that test it
    this.name = /^[A-Za-z_$][\w$]*$/.test(name) ? name : 'PageError';
  }
}

/** The message's meaningful lines joined into one: no stack frames, no call log, no Playwright prefix. */
export function oneLine(message: string): string {
  const lines: string[] = [];
  for (const raw of message.split('\n')) {
    const line = raw.trim();
    if (/^(Call log:|=+ logs =+)/.test(line)) break;
    if (line === '' || /^at\s/.test(line)) continue;
    lines.push(line);
  }
  return lines
    .join('; ')
    .replace(/^(page|frame|locator|browserContext|browserType|elementHandle)\.\w+: /, '')
    .slice(0, 2000);
}

/** A Playwright error from an evaluate in the page, as a PageError with the page's class and message. */
export function fromPlaywright(e: unknown): Error {
  if (!(e instanceof Error)) return new PageError('PageError', String(e));
  const text = oneLine(e.message);
  // "page.evaluate: ConfigError: ..." keeps the page's class name
  const m = /^([A-Z][\w$]*(?:Error|Exception)|Error): (.*)$/s.exec(text);
  return m ? new PageError(m[1], m[2]) : new PageError(e.name === 'Error' ? 'PageError' : e.name, text);
}
