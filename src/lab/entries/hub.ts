// Lab function for the Hub path in the page: a model's tokenizer and chat template read from a Hub endpoint
// (revision resolved, files cached under the commit), and a chat rendered and encoded as training prompts are.
import { hubSource } from '../../hub/download.ts';
import { loadTokenizer, type ChatMessage } from '../../hub/tokenizer.ts';

export async function hubChatIds(
  endpoint: string,
  id: string,
  messages: ChatMessage[],
  texts: string[] = [],
): Promise<{ commit: string; prompt: string; ids: number[]; texts: number[][] }> {
  const src = hubSource(id, { endpoint });
  const tok = await loadTokenizer(src);
  const prompt = tok.applyChatTemplate(messages);
  return { commit: await src.commit(), prompt, ids: tok.encode(prompt), texts: texts.map((t) => tok.encode(t)) };
}
