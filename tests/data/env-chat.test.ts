// The chat turns of multi-turn episodes with Qwen's real tokenizer and chat templates: the conversation
// built turn by turn from token ids is the template's own rendering of the whole conversation, and the
// tokens a loss mask keeps (the model's turns) decode to the assistant messages and nothing else.
import { describe, it, expect, beforeAll } from 'vitest';
import { dirSource } from '../../src/engine/model/node-source.ts';
import { loadTokenizer, type TextTokenizer } from '../../src/hub/tokenizer.ts';
import { chatTurns } from '../../src/data/env-chat.ts';
import { qwenShapedModel } from '../hub/qwen-shape.ts';

const SYSTEM = 'You move in a grid. Answer with one action.';
const OBS = ['You see a key 2 north.', 'You go north.\nThe key is 1 north.', 'You pick up the key.'];
const SAID = ['go north', 'pick up the key'];

/** Plays two model turns: the first ends on <|im_end|> (the model closed it), the second is cut by the token cap. */
function conversation(tok: TextTokenizer, kwargs: Record<string, unknown> = {}) {
  const chat = chatTurns(tok, kwargs);
  const imEnd = tok.encode('<|im_end|>');
  expect(imEnd).toHaveLength(1);
  const ids = chat.start(SYSTEM, OBS[0]),
    mask: number[] = [];
  const add = (xs: number[], m: number) => {
    ids.push(...xs);
    mask.push(...xs.map(() => m));
  };
  const promptLength = ids.length;
  add([...tok.encode(SAID[0]), imEnd[0]], 1);
  add(chat.next(OBS[1], imEnd[0]), 0);
  add(tok.encode(SAID[1]), 1);
  add(chat.next(OBS[2], null), 0);
  const completion = ids.slice(promptLength);
  return { ids, completion, mask };
}

describe('chat turns (Qwen tokenizer)', () => {
  let tok25: TextTokenizer, tok3: TextTokenizer;
  beforeAll(async () => {
    tok25 = await loadTokenizer(dirSource(qwenShapedModel({ weights: false, template: 'qwen2.5' })));
    tok3 = await loadTokenizer(dirSource(qwenShapedModel({ weights: false, template: 'qwen3' })));
  });

  it('Qwen2.5: the ids built turn by turn render exactly as the template renders the whole conversation', () => {
    const { ids, completion, mask } = conversation(tok25);
    const messages = [
      { role: 'system', content: SYSTEM },
      { role: 'user', content: OBS[0] },
      { role: 'assistant', content: SAID[0] },
      { role: 'user', content: OBS[1] },
      { role: 'assistant', content: SAID[1] },
      { role: 'user', content: OBS[2] },
    ];
    expect(tok25.decode(ids, { skipSpecialTokens: false })).toBe(tok25.applyChatTemplate(messages));
    // the loss mask keeps the assistant messages (and the model's own end-of-turn token), nothing else
    const kept = completion.filter((_, t) => mask[t]);
    expect(tok25.decode(kept, { skipSpecialTokens: true })).toBe(SAID.join(''));
    expect(tok25.decode(kept, { skipSpecialTokens: false })).toBe(`${SAID[0]}<|im_end|>${SAID[1]}`);
    const dropped = tok25.decode(
      completion.filter((_, t) => !mask[t]),
      { skipSpecialTokens: false },
    );
    expect(dropped).toBe(
      `\n<|im_start|>user\n${OBS[1]}<|im_end|>\n<|im_start|>assistant\n<|im_end|>\n<|im_start|>user\n${OBS[2]}<|im_end|>\n<|im_start|>assistant\n`,
    );
  });

  it('Qwen3 without thinking: each turn opens as the generation prompt does, and the mask keeps only what the model said', () => {
    const { ids, completion, mask } = conversation(tok3, { enable_thinking: false });
    const text = tok3.decode(ids, { skipSpecialTokens: false });
    expect(text.endsWith('<|im_start|>assistant\n<think>\n\n</think>\n\n')).toBe(true);
    expect(text.split('<|im_start|>user\n')).toHaveLength(4);
    const kept = completion.filter((_, t) => mask[t]);
    expect(tok3.decode(kept, { skipSpecialTokens: true })).toBe(SAID.join(''));
  });
});
