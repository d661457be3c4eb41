// TRL's conversational datasets (a prompt column holding the messages) and chat_template_kwargs: the
// messages go to the model's chat template as they are, with the extra arguments.
import { describe, it, expect } from 'vitest';
import { makeExample, asMessages, type PromptTokenizer } from '../../src/data/prepare.ts';
import { parseRunConfig } from '../../src/engine/config.ts';
import { fromTrl } from '../../src/engine/trl/from-trl.ts';
import { toTrl } from '../../src/engine/trl/to-trl.ts';
import type { ChatMessage } from '../../src/data/template.ts';

function recordingTokenizer(calls: { messages: ChatMessage[]; kwargs?: Record<string, unknown> }[]): PromptTokenizer {
  return {
    encode: (t) => Array.from(t, (c) => c.charCodeAt(0)),
    eosIds: [0],
    chatTemplate: '{{ messages }}',
    applyChatTemplate: (messages, o) => {
      calls.push({ messages, kwargs: o?.kwargs });
      return (
        messages.map((m) => `<${m.role}>${m.content}`).join('') +
        (o?.kwargs?.enable_thinking === false ? '<no_think>' : '')
      );
    },
  };
}

describe('conversational prompts and chat_template_kwargs', () => {
  const messages = [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'What is 2 + 3?' },
  ];
  it('renders a prompt column of messages through the chat template, with the extra arguments', () => {
    const calls: { messages: ChatMessage[]; kwargs?: Record<string, unknown> }[] = [];
    const data = parseRunConfig({
      data: { prompt_field: 'prompt', template: 'chat', chat_template_kwargs: { enable_thinking: false } },
    }).data;
    const ex = makeExample({ prompt: messages, answer: '5' }, data, [], recordingTokenizer(calls));
    expect(calls[0]).toEqual({ messages, kwargs: { enable_thinking: false } });
    expect(ex.prompt).toBe('<system>Be brief.<user>What is 2 + 3?<no_think>');
    // the same messages stored as JSON text (how Parquet and CSV often hold them)
    expect(asMessages(JSON.stringify(messages))).toEqual(messages);
    expect(asMessages('What is 2 + 3?')).toBeNull();
    expect(asMessages([{ role: 'user' }])).toBeNull();
  });
  it('a question column still goes through the template, with the kwargs too', () => {
    const calls: { messages: ChatMessage[]; kwargs?: Record<string, unknown> }[] = [];
    const data = parseRunConfig({ data: { template: 'chat', chat_template_kwargs: { enable_thinking: false } } }).data;
    makeExample({ question: 'Why?', answer: '5' }, data, [], recordingTokenizer(calls));
    expect(calls[0].kwargs).toEqual({ enable_thinking: false });
    expect(calls[0].messages.at(-1)).toEqual({ role: 'user', content: 'Why?' });
  });
  it('maps TRL chat_template_kwargs both ways', () => {
    const { config } = fromTrl({ chat_template_kwargs: { enable_thinking: false } });
    expect(config.data.chat_template_kwargs).toEqual({ enable_thinking: false });
    expect(toTrl(config).trl.chat_template_kwargs).toEqual({ enable_thinking: false });
  });
});
