// Where a JSON text first goes wrong, as a line number. JSON.parse says what is wrong, but some engines
// (V8 in Node 20) do not say where; this small recursive-descent scanner finds the offset itself.
//
//   jsonErrorLine('[\n{"a": 1},\n{"a": }\n]')   // 3

class Stop {
  constructor(readonly at: number) {}
}

function scan(s: string): void {
  let i = 0;
  const ws = () => {
    while (i < s.length && ' \t\r\n'.includes(s[i])) i++;
  };
  const fail = (): never => {
    throw new Stop(i);
  };
  const expect = (c: string) => {
    if (s[i] !== c) fail();
    i++;
  };
  const str = () => {
    expect('"');
    while (i < s.length && s[i] !== '"') {
      if (s[i] === '\\') i++;
      else if (s[i] < ' ') fail();
      i++;
    }
    expect('"');
  };
  const value = (): void => {
    ws();
    const c = s[i];
    if (c === '{') {
      i++;
      ws();
      if (s[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        str();
        ws();
        expect(':');
        value();
        ws();
        if (s[i] === ',') {
          i++;
          continue;
        }
        expect('}');
        return;
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (s[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (s[i] === ',') {
          i++;
          continue;
        }
        expect(']');
        return;
      }
    }
    if (c === '"') return str();
    const lit = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?)/.exec(s.slice(i, i + 400));
    if (!lit) fail();
    i += lit![0].length;
  };
  value();
  ws();
  if (i < s.length) fail();
}

/** The 1-based line of the first syntax error, or null when the text is valid JSON. */
export function jsonErrorLine(text: string): number | null {
  try {
    scan(text);
    return null;
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    return text.slice(0, e.at).split('\n').length;
  }
}
