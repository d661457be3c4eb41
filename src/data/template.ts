// Prompt templates: how a dataset row becomes the prompt a model reads, and (for SFT and few-shot
// examples) how its gold answer is written out. Chat templates go through the model's own Jinja template
// (the tokenizer's applyChatTemplate, or renderChatTemplate here for previews); `plain` is raw text.
//
//   const prompt = renderPrompt('gsm8k-boxed', { system: '', fewShot: [], question }, tok.applyChatTemplate)
import { Template } from '@huggingface/jinja';
import { DatasetError } from './types.ts';

export interface ChatMessage {
  role: string;
  content: string;
}

export interface TemplateDef {
  name: string;
  title: string;
  /** Rendered through the model's chat template (when it has one). */
  chat: boolean;
  user(question: string): string;
  /** The gold answer as the model should write it (SFT targets, few-shot answers). */
  answer(gold: string): string;
}

/** GSM8K's solution text without its <<48/2=24>> calculator annotations. */
export function cleanSolution(s: string): string {
  return s.replace(/<<[^<>]*>>/g, '').trim();
}

/** A GSM8K solution ending in "#### 72" rewritten to end with "The final answer is \boxed{72}." */
export function boxedSolution(s: string): string {
  const clean = cleanSolution(s);
  const m = /\n?####\s*(.+)\s*$/.exec(clean);
  if (!m) return `The final answer is \\boxed{${clean}}.`;
  return `${clean.slice(0, m.index).trim()}\nThe final answer is \\boxed{${m[1].trim()}}.`.trim();
}

export const TEMPLATES: TemplateDef[] = [
  {
    name: 'plain',
    title: 'Plain text: the question, then a line break',
    chat: false,
    user: (q) => q,
    answer: (a) => a,
  },
  {
    name: 'chat',
    title: "The model's chat template, question as the user turn",
    chat: true,
    user: (q) => q,
    answer: (a) => a,
  },
  {
    name: 'gsm8k-boxed',
    title: 'GSM8K, answer in \\boxed{}',
    chat: true,
    user: (q) => `${q}\nPlease reason step by step, and put your final answer within \\boxed{}.`,
    answer: boxedSolution,
  },
  {
    name: 'math-boxed',
    title: 'MATH-style problems, answer in \\boxed{} (LaTeX answers)',
    chat: true,
    user: (q) => `${q}\nPlease reason step by step, and put your final answer within \\boxed{}.`,
    answer: (a) => (/\\boxed\s*\{/.test(a) ? a : `The final answer is $\\boxed{${a.trim()}}$.`),
  },
  {
    name: 'gsm8k-hash',
    title: 'GSM8K, answer after ####',
    chat: true,
    user: (q) => `${q}\nSolve it step by step, then write the final answer on its own line as "#### <number>".`,
    answer: cleanSolution,
  },
  {
    name: 'ksat',
    title: 'k-SAT: give an assignment',
    chat: true,
    user: (q) => `${q}\nEnd with the assignment on one line, like: x1=True, x2=False, ...`,
    answer: (a) => a,
  },
];

export function templateDef(name: string): TemplateDef {
  const t = TEMPLATES.find((x) => x.name === name);
  if (!t)
    throw new DatasetError(`no prompt template "${name}"; choose one of ${TEMPLATES.map((x) => x.name).join(', ')}`);
  return t;
}

export interface PromptParts {
  system: string;
  fewShot: { question: string; answer: string }[];
  question: string;
}

export function promptMessages(t: TemplateDef, p: PromptParts): ChatMessage[] {
  const msgs: ChatMessage[] = p.system ? [{ role: 'system', content: p.system }] : [];
  for (const ex of p.fewShot)
    msgs.push({ role: 'user', content: t.user(ex.question) }, { role: 'assistant', content: t.answer(ex.answer) });
  msgs.push({ role: 'user', content: t.user(p.question) });
  return msgs;
}

/** The prompt text; `applyChat` is the model's chat template (absent: chat templates fall back to plain). */
export function renderPrompt(name: string, p: PromptParts, applyChat?: (m: ChatMessage[]) => string): string {
  const t = templateDef(name);
  if (t.chat && applyChat) return applyChat(promptMessages(t, p));
  const blocks = p.system ? [p.system] : [];
  for (const ex of p.fewShot) blocks.push(`${t.user(ex.question)}\n${t.answer(ex.answer)}`);
  blocks.push(t.user(p.question));
  return `${blocks.join('\n\n')}\n`;
}

/** Renders a chat template string (a model's tokenizer_config chat_template) for a preview. */
export function renderChatTemplate(
  template: string,
  messages: ChatMessage[],
  specials: Record<string, string> = {},
): string {
  try {
    return new Template(template).render({
      messages,
      add_generation_prompt: true,
      bos_token: '',
      eos_token: '',
      ...specials,
    });
  } catch (e) {
    throw new DatasetError(
      `the chat template does not render: ${(e as Error).message}; use the "plain" template instead`,
    );
  }
}
