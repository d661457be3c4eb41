# Writes src/data/python-problems.json from problems.py: each solution is run on its inputs (this machine's
# CPython; the unit test reruns every reference answer in the checker's Pyodide and expects a score of 1).
#   python3 tools/python-problems/build.py
import json, os, subprocess, sys
sys.path.insert(0, os.path.dirname(__file__))
from problems import P

def run(code, stdin):
    r = subprocess.run([sys.executable, '-c', code], input=stdin, capture_output=True, text=True, timeout=10)
    assert r.returncode == 0, r.stderr
    return r.stdout

deduction, abduction = [], []
for i, q in enumerate(P):
    tests = [{'input': s, 'output': run(q['solution'], s)} for s in q['inputs']]
    prompt = (q['text'] + '\n\nWrite a Python 3 program that reads standard input and prints the answer. '
              'Answer with the complete program in one ```python block.')
    deduction.append({'id': q['id'], 'prompt': prompt, 'tests': tests, 'solution': '```python\n' + q['solution'] + '```'})
    t = tests[i % len(tests)]
    aprompt = ('Here is a Python program:\n\n```python\n' + q['solution'] + '```\n\nIt printed exactly:\n\n```\n' +
               t['output'] + '```\n\nGive an input (standard input) that makes it print that. '
               'Answer with the input between <input> and </input>.')
    abduction.append({'id': 'abd_' + q['id'], 'prompt': aprompt, 'program': q['solution'], 'expected_output': t['output'],
                      'answer': '<input>\n' + t['input'] + '</input>'})
out = os.path.join(os.path.dirname(__file__), '../../src/data/python-problems.json')
with open(out, 'w') as f:
    json.dump({'deduction': deduction, 'abduction': abduction}, f, indent=1)
    f.write('\n')
print(len(deduction), 'deduction,', len(abduction), 'abduction problems')
