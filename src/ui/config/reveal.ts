// Brings a config field into view: opens the Advanced sections around it, scrolls to it and focuses it.
// A problem's path can be deeper than any control ("rewards.0.options.foo", an option the form does not
// show), so the nearest enclosing control or group that exists is used.
//
//   revealField('grpo.epsilon_high')   // true when something was focused
import { fieldId } from './fields.ts';

export function revealField(path: string): boolean {
  const parts = path.split('.');
  for (let n = parts.length; n > 0; n--) {
    const el = document.getElementById(fieldId(parts.slice(0, n).join('.')));
    if (!el) continue;
    for (let d = el.closest('details'); d; d = d.parentElement?.closest('details') ?? null) d.open = true;
    el.scrollIntoView({ block: 'center' });
    el.focus();
    return true;
  }
  return false;
}
