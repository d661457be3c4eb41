// The model's chat template as token ids for multi-turn episodes (the engine's ChatTurns): the first prompt
// is the template's rendering of [system, user] with the assistant header; what follows a model turn is cut
// from the template's own rendering of a conversation with a marker as the assistant message, so whatever
// the template puts between messages (end-of-turn token, role headers, a thinking block) is what the model
// sees. When the model ended its turn with the end-of-turn id itself, that text is not added twice.
//
//   const chat = chatTurns(tokenizer, config.data.chat_template_kwargs)
//   const ids = chat.start(instructions, firstObservation)
//   ids.push(...modelTurn, ...chat.next(observation, modelTurn.at(-1)))
import type { ChatTurns } from '../engine/env-rollout.ts';
import type { ChatMessage } from './template.ts';

/** The little of a tokenizer the turns need. */
export interface ChatTokenizer {
  encode(text: string): number[];
  decode(ids: number[], o?: { skipSpecialTokens?: boolean }): string;
  chatTemplate: string | null;
  applyChatTemplate(
    messages: ChatMessage[],
    o?: { addGenerationPrompt?: boolean; kwargs?: Record<string, unknown> },
  ): string;
}

export class ChatTurnsError extends Error {
  readonly name = 'ChatTurnsError';
}

const MARK = '\u0001model-turn\u0001';

export function chatTurns(tok: ChatTokenizer, kwargs: Record<string, unknown> = {}): ChatTurns {
  const render = (m: ChatMessage[], gen: boolean) => tok.applyChatTemplate(m, { addGenerationPrompt: gen, kwargs });
  // templates that refuse a system role get the instructions at the head of the first user message
  const opening = (system: string, user: string): ChatMessage[] => {
    if (!system) return [{ role: 'user', content: user }];
    try {
      render(
        [
          { role: 'system', content: 's' },
          { role: 'user', content: 'u' },
        ],
        true,
      );
      return [
        { role: 'system', content: system },
        { role: 'user', content: user },
      ];
    } catch {
      return [{ role: 'user', content: `${system}\n\n${user}` }];
    }
  };
  return {
    start: (system, user) => tok.encode(render(opening(system, user), true)),
    next(user, endId) {
      const text = render(
        [...opening('s', 'u'), { role: 'assistant', content: MARK }, { role: 'user', content: user }],
        true,
      );
      const at = text.indexOf(MARK);
      if (at < 0)
        throw new ChatTurnsError(
          'the chat template drops assistant messages, so a conversation cannot be rendered turn by turn; pick a model whose template keeps them',
        );
      let tail = text.slice(at + MARK.length);
      const end = endId === null ? '' : tok.decode([endId], { skipSpecialTokens: false });
      if (end && tail.startsWith(end)) tail = tail.slice(end.length);
      return tok.encode(tail);
    },
  };
}
