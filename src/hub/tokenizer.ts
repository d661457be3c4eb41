// A model's tokenizer (tokenizer.json through @huggingface/tokenizers) and its chat template (Jinja,
// through @huggingface/jinja), read from the same FileSource as the weights. The engine never sees text;
// this is where text becomes token ids and back.
//
//   const tok = await loadTokenizer(src, model.spec)
//   const ids = tok.encode(tok.applyChatTemplate([{ role: 'user', content: 'What is 2+3?' }]))
import { Tokenizer } from '@huggingface/tokenizers';
import { Template } from '@huggingface/jinja';
import { readJson, ModelFilesError, type FileSource } from '../engine/model/source.ts';
import type { ModelSpec } from '../engine/model/spec.ts';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | string;
  content: string;
}

export interface TextTokenizer {
  encode(text: string, o?: { addSpecialTokens?: boolean }): number[];
  decode(ids: number[], o?: { skipSpecialTokens?: boolean }): string;
  /** Every id that ends a completion: generation_config's eos ids plus the tokenizer's eos token. */
  eosIds: number[];
  padId: number;
  chatTemplate: string | null;
  /** The conversation as the model was trained to see it; without a template, the plain message texts. */
  applyChatTemplate(
    messages: ChatMessage[],
    o?: { addGenerationPrompt?: boolean; kwargs?: Record<string, unknown> },
  ): string;
}

export class ChatTemplateError extends Error {
  readonly name = 'ChatTemplateError';
}

type Json = Record<string, unknown>;

/** A special token's text, whether tokenizer_config gives a string or an AddedToken object. */
function tokenText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as Json).content === 'string') return (v as Json).content as string;
  return null;
}

/** tokenizer_config's chat_template (a string, or a list of named templates: 'default' is used), or chat_template.jinja. */
async function readChatTemplate(src: FileSource, cfg: Json): Promise<string | null> {
  const t = cfg.chat_template;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) {
    const named = t as { name: string; template: string }[];
    return (named.find((x) => x.name === 'default') ?? named[0])?.template ?? null;
  }
  const file = await src.read('chat_template.jinja');
  return file ? new TextDecoder().decode(file) : null;
}

export async function loadTokenizer(src: FileSource, spec?: ModelSpec): Promise<TextTokenizer> {
  const tj = await readJson(src, 'tokenizer.json');
  if (!tj)
    throw new ModelFilesError(
      `${src.where} has no tokenizer.json: webgrpo needs a fast tokenizer file (tokenizer.json); save one with transformers' AutoTokenizer.save_pretrained`,
    );
  const cfg = (await readJson(src, 'tokenizer_config.json')) ?? {};
  const tok = new Tokenizer(tj, cfg);
  const idOf = (v: unknown) => {
    const t = tokenText(v);
    return t === null ? undefined : tok.token_to_id(t);
  };
  const eosTok = idOf(cfg.eos_token);
  const eosIds = [...new Set([...(spec?.eosTokenIds ?? []), ...(eosTok !== undefined ? [eosTok] : [])])];
  if (!eosIds.length)
    throw new ModelFilesError(
      `${src.where} defines no end-of-sequence token (eos_token_id in generation_config.json or eos_token in tokenizer_config.json); completions could never stop`,
    );
  const padId = idOf(cfg.pad_token) ?? spec?.padTokenId ?? eosIds[0];
  const chatTemplate = await readChatTemplate(src, cfg);
  const compiled = chatTemplate ? compile(chatTemplate) : null;
  const specials: Json = {};
  for (const k of ['bos_token', 'eos_token', 'pad_token', 'unk_token']) {
    const t = tokenText(cfg[k]);
    if (t !== null) specials[k] = t;
  }
  return {
    encode: (text, o) => tok.encode(text, { add_special_tokens: o?.addSpecialTokens ?? false }).ids,
    // the library throws on an empty array; a completion that is only EOS decodes to ''
    decode: (ids, o) => (ids.length ? tok.decode(ids, { skip_special_tokens: o?.skipSpecialTokens ?? true }) : ''),
    eosIds,
    padId,
    chatTemplate,
    applyChatTemplate(messages, o) {
      if (!compiled) return messages.map((m) => m.content).join('\n\n');
      try {
        // extra keyword arguments (TRL's chat_template_kwargs, e.g. enable_thinking: false for Qwen3)
        return compiled.render({
          ...o?.kwargs,
          messages,
          add_generation_prompt: o?.addGenerationPrompt ?? true,
          ...specials,
        });
      } catch (e) {
        throw new ChatTemplateError(
          `the chat template of ${src.where} failed: ${(e as Error).message}; choose the "plain" prompt template instead`,
        );
      }
    },
  };
}

function compile(template: string): Template {
  try {
    return new Template(template);
  } catch (e) {
    throw new ChatTemplateError(
      `the chat template does not parse (${(e as Error).message}); choose the "plain" prompt template instead`,
    );
  }
}
