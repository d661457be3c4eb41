// The text files of `webgrpo export trl`: train.py (TRL's GRPOTrainer with a PEFT LoraConfig, reading the
// mapped YAML), rewards.py (each of the run's rewards as a TRL reward function, scored by
// `webgrpo reward serve` so that a completion gets the same score as in the browser), accelerate configs
// for one GPU, several GPUs, DeepSpeed ZeRO-3 and several nodes, pinned requirements and a README.
import type { RunConfig } from '../config.ts';
import type { MappingRow } from './from-trl.ts';
import { rewardFuncNames } from './to-trl.ts';

/**
 * Versions the generated project was written against: TRL 1.9.0, whose GRPOTrainer the mapping follows,
 * and releases of the others within what TRL 1.9.0 declares (accelerate >= 1.4.0, datasets >= 4.7.0,
 * transformers >= 4.56.2 and not 5.1.0 with DeepSpeed, peft >= 0.8.0, deepspeed >= 0.14.4) and within each
 * other's declared ranges (peft 0.19.1: accelerate >= 0.21; datasets 4.7.0: huggingface-hub < 2). Read from
 * the packages' sources, not installed together here: the export's README says so.
 */
export const REQUIREMENTS = [
  'trl==1.9.0',
  'transformers==5.8.0',
  'peft==0.19.1',
  'accelerate==1.10.1',
  'datasets==4.7.0',
  'deepspeed==0.17.5',
  'pyyaml==6.0.2',
];

export const TRAIN_PY = `"""Train this webgrpo recipe with TRL's GRPOTrainer and a PEFT LoRA adapter, on one GPU or many.

    accelerate launch --config_file accelerate/1gpu.yaml train.py

The recipe is trl.yaml (made by webgrpo from run.json); the data is data/train.parquet, the very prompts
the browser rendered. The adapter is saved to output/ (or $OUTPUT_DIR) as a PEFT folder:
    webgrpo eval --config run.json --model <model> --adapter output
"""
import os

import yaml
from datasets import load_dataset
from peft import LoraConfig
from trl import GRPOConfig, GRPOTrainer

import rewards

HERE = os.path.dirname(os.path.abspath(__file__))
# ModelConfig and script fields of trl.yaml; every other field is a GRPOConfig argument
NOT_GRPO_CONFIG = {
    "model_name_or_path", "model_revision", "use_peft", "lora_r", "lora_alpha", "lora_dropout",
    "lora_target_modules", "use_rslora", "lora_task_type", "dataset_name", "dataset_config",
    "dataset_train_split", "dataset_test_split", "reward_funcs",
}


def main():
    with open(os.path.join(HERE, "trl.yaml"), encoding="utf-8") as f:
        cfg = yaml.safe_load(f)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    per_device = cfg["per_device_train_batch_size"]
    generation = cfg["generation_batch_size"]
    if generation % (per_device * world):
        raise SystemExit(
            f"generation_batch_size {generation} is not a multiple of per_device_train_batch_size {per_device}"
            f" x {world} processes; use a number of GPUs that divides it, or change per_device_train_batch_size"
        )
    # one optimiser update per generation batch whatever the number of GPUs, as one webgrpo step
    cfg["gradient_accumulation_steps"] = generation // (per_device * world)
    args = GRPOConfig(
        output_dir=os.environ.get("OUTPUT_DIR", os.path.join(HERE, "output")),
        model_init_kwargs={"revision": cfg["model_revision"]},
        **{k: v for k, v in cfg.items() if k not in NOT_GRPO_CONFIG},
    )
    peft_config = LoraConfig(
        r=cfg["lora_r"],
        lora_alpha=cfg["lora_alpha"],
        lora_dropout=cfg["lora_dropout"],
        target_modules=cfg["lora_target_modules"],
        use_rslora=cfg["use_rslora"],
        task_type="CAUSAL_LM",
    )
    data = load_dataset("parquet", data_files={"train": os.path.join(HERE, "data", "train.parquet")})
    trainer = GRPOTrainer(
        model=cfg["model_name_or_path"],
        reward_funcs=rewards.REWARD_FUNCS,
        args=args,
        train_dataset=data["train"],
        peft_config=peft_config,
    )
    trainer.train()
    trainer.save_model(args.output_dir)


if __name__ == "__main__":
    main()
`;

/** rewards.py for the run's rewards: one function per reward, named as in trl.yaml's reward_funcs. */
export function rewardsPy(c: RunConfig, serveCommand: string): string {
  const names = rewardFuncNames(c);
  const specs = c.rewards.map((r, i) => ({
    function: names[i],
    reward: r.name,
    options: resolvedOptions(r, c),
    failure_score: r.failure_score,
  }));
  return `"""The run's rewards as TRL reward functions, scored by webgrpo's own code.

Each function sends its batch to one long-lived \`webgrpo reward serve\` process (JSON lines on its stdin and
stdout), which runs the very reward the browser ran (the math grader, the OCaml checker in WASM, ...), so
a completion gets the same score here and in the app. Set WEBGRPO_REWARD_CMD to the command that starts it
on this machine, e.g. "node /path/to/webgrpo/bin/webgrpo.mjs reward serve" (Node 20+, the webgrpo checkout
with its npm dependencies installed).

A sample whose reward fails scores the reward's failure_score, as in the browser; a reward that does not
apply (null) is None, which TRL leaves out of the weighted sum.
"""
import json
import os
import shlex
import subprocess
import threading

SPECS = json.loads(${pyString(JSON.stringify(specs))})
MAX_COMPLETION_LENGTH = ${c.sampling.max_completion_length}
COMMAND = shlex.split(os.environ.get("WEBGRPO_REWARD_CMD", ${pyString(serveCommand)}))


class _Server:
    """One \`webgrpo reward serve\` process, started on first use and restarted if it ended."""

    def __init__(self):
        self.proc = None
        self.lock = threading.Lock()
        self.next_id = 0

    def score(self, reward, options, samples):
        with self.lock:
            if self.proc is None or self.proc.poll() is not None:
                self.proc = subprocess.Popen(
                    COMMAND, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8", bufsize=1
                )
            self.next_id += 1
            request = {"id": self.next_id, "reward": reward, "options": options, "samples": samples}
            self.proc.stdin.write(json.dumps(request) + "\\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("webgrpo reward serve stopped; run it by hand to see why: " + " ".join(COMMAND))
        reply = json.loads(line)
        if "error" in reply:
            raise ValueError("reward %s: %s" % (reward, reply["error"]))
        return reply["scores"], reply.get("errors") or [None] * len(reply["scores"])


_SERVER = _Server()


def _text(x):
    """A completion or prompt as text; a conversational one is its messages' contents."""
    if isinstance(x, list):
        return "".join(m.get("content", "") for m in x if isinstance(m, dict) and m.get("role") != "system")
    return x


def _make(spec):
    def reward(prompts, completions, completion_ids=None, **kwargs):
        n = len(completions)
        # the dataset's columns arrive as lists of n values: they are the row the reward reads
        columns = {k: v for k, v in kwargs.items() if isinstance(v, (list, tuple)) and len(v) == n}
        samples = []
        for i in range(n):
            sample = {"completion": _text(completions[i]), "prompt": _text(prompts[i]),
                      "row": {k: v[i] for k, v in columns.items()}}
            if completion_ids is not None:
                ids = list(completion_ids[i])
                sample["completion_ids"] = ids
                sample["finish_reason"] = "length" if len(ids) >= MAX_COMPLETION_LENGTH else "stop"
            samples.append(sample)
        scores, errors = _SERVER.score(spec["reward"], spec["options"], samples)
        return [spec["failure_score"] if e is not None else s for s, e in zip(scores, errors)]

    reward.__name__ = spec["function"]
    return reward


REWARD_FUNCS = [_make(s) for s in SPECS]
globals().update({f.__name__: f for f in REWARD_FUNCS})
`;
}

/** Options as the reward gets them in a run (the run's max_completion_length, answer column). */
function resolvedOptions(r: RunConfig['rewards'][number], c: RunConfig): Record<string, unknown> {
  const o = { ...r.options };
  if (r.name === 'overlong' && o.max_length === undefined) o.max_length = c.sampling.max_completion_length;
  if (r.name === 'math' && o.answer_field === undefined) o.answer_field = c.data.answer_field;
  return o;
}

/** A Python string literal (JSON's escapes are Python's for these characters). */
const pyString = (s: string) => JSON.stringify(s);

const ACCEL_BASE = `compute_environment: LOCAL_MACHINE
debug: false
downcast_bf16: 'no'
main_training_function: main
mixed_precision: bf16
rdzv_backend: static
same_network: true
tpu_env: []
tpu_use_cluster: false
tpu_use_sudo: false
use_cpu: false
`;

export const ACCELERATE: Record<string, string> = {
  '1gpu.yaml': `# One GPU: accelerate launch --config_file accelerate/1gpu.yaml train.py\n${ACCEL_BASE}distributed_type: 'NO'\nmachine_rank: 0\nnum_machines: 1\nnum_processes: 1\ngpu_ids: '0'\n`,
  'multi_gpu.yaml': `# Several GPUs of one machine (data parallel); set num_processes to the number of GPUs:\n#   accelerate launch --config_file accelerate/multi_gpu.yaml --num_processes 8 train.py\n${ACCEL_BASE}distributed_type: MULTI_GPU\nmachine_rank: 0\nnum_machines: 1\nnum_processes: 8\ngpu_ids: all\n`,
  'zero3.yaml': `# DeepSpeed ZeRO-3 (parameters, gradients and optimiser state sharded over the GPUs), for models that do\n# not fit one GPU: accelerate launch --config_file accelerate/zero3.yaml --num_processes 8 train.py\n${ACCEL_BASE}distributed_type: DEEPSPEED\ndeepspeed_config:\n  deepspeed_multinode_launcher: standard\n  offload_optimizer_device: none\n  offload_param_device: none\n  zero3_init_flag: true\n  zero3_save_16bit_model: true\n  zero_stage: 3\nmachine_rank: 0\nnum_machines: 1\nnum_processes: 8\n`,
  'multi_node.yaml': `# Several machines (here 2 x 8 GPUs); run on every node with its own rank and the first node's address:\n#   accelerate launch --config_file accelerate/multi_node.yaml --machine_rank $NODE_RANK \\\n#     --main_process_ip $MASTER_ADDR --main_process_port 29500 train.py\n${ACCEL_BASE}distributed_type: MULTI_GPU\nmachine_rank: 0\nmain_process_ip: 127.0.0.1\nmain_process_port: 29500\nnum_machines: 2\nnum_processes: 16\n`,
};

/** The export's README: the commands, and what the TRL run does differently and why. */
export function exportReadme(c: RunConfig, rows: MappingRow[], counts: { train: number; test: number }): string {
  const differ = rows
    .filter((r) => r.status !== 'mapped')
    .map(
      (r) =>
        `- \`${r.ours ?? r.trl}\` (${r.status === 'unsupported' ? 'no TRL equivalent' : 'changed meaning'}): ${r.note}`,
    );
  return `# ${c.model.id} with GRPO on ${c.data.dataset}, exported from webgrpo

This folder runs the same recipe as the browser with TRL's \`GRPOTrainer\` and a PEFT LoRA adapter:

- \`trl.yaml\`: the run config mapped to TRL's fields (also usable as \`trl grpo --config trl.yaml\` with
  \`rewards.py\` importable); \`run.json\`: the webgrpo config it came from.
- \`data/train.parquet\` (${counts.train} rows) and \`data/test.parquet\` (${counts.test} held-out rows): the prompts
  exactly as the browser renders them (template, system prompt, few-shot examples; a chat template's turns as
  a conversational \`prompt\` column of messages that TRL renders with the model's chat template), with the
  dataset's columns for the rewards. Few-shot rows are kept out of both, as in the browser.
- \`rewards.py\`: the run's rewards (${c.rewards.map((r) => `${r.name} x ${r.weight}`).join(', ')}) scored by
  \`webgrpo reward serve\`, the browser's own code; set \`WEBGRPO_REWARD_CMD\` if webgrpo is elsewhere.
- \`accelerate/\`: one GPU, several GPUs, DeepSpeed ZeRO-3, several nodes.

## Run

\`\`\`sh
pip install -r requirements.txt
export WEBGRPO_REWARD_CMD="node /path/to/webgrpo/bin/webgrpo.mjs reward serve"   # Node 20+, npm ci done there
accelerate launch --config_file accelerate/1gpu.yaml train.py
accelerate launch --config_file accelerate/multi_gpu.yaml --num_processes 8 train.py
accelerate launch --config_file accelerate/zero3.yaml --num_processes 8 train.py
accelerate launch --config_file accelerate/multi_node.yaml --machine_rank $NODE_RANK --main_process_ip $MASTER_ADDR train.py
\`\`\`

\`train.py\` sets \`gradient_accumulation_steps\` from the number of processes so that one optimiser update
always covers one generation batch (${c.run.prompts_per_step} prompts x ${c.sampling.num_generations} completions), as one webgrpo step; the
number of processes times \`per_device_train_batch_size\` must divide that batch.

## Versions

\`requirements.txt\` pins ${REQUIREMENTS.join(', ')}: TRL 1.9.0, whose \`GRPOTrainer\` this recipe was
mapped to, and releases of the others inside the ranges TRL 1.9.0 declares (accelerate >= 1.4.0, datasets
>= 4.7.0, transformers >= 4.56.2 and not 5.1.0 with DeepSpeed, peft >= 0.8.0, deepspeed >= 0.14.4) and
inside each other's. They were chosen by reading those packages' declared requirements; webgrpo's authors
did not install them together or run this project with them, so let pip resolve them first (\`pip install
--dry-run -r requirements.txt\`) and install PyTorch for your CUDA version before them. Newer TRL releases
may rename fields of \`trl.yaml\`.

## Bring the adapter back

\`output/\` holds \`adapter_config.json\` and \`adapter_model.safetensors\`. Evaluate it with the browser's
protocol (greedy or pass@1 on the held-out rows, the same reward and threshold):

\`\`\`sh
webgrpo eval --config run.json --model ${c.model.id} --adapter output
\`\`\`

or import the folder (zipped) on the app's Checkpoints tab. To train it further in the browser: the app's
"Train from this adapter" after the import, or \`webgrpo train --config run.json --adapter output\`.

## Where the TRL run differs

${differ.join('\n') || '- nothing: every setting has its TRL equivalent.'}
`;
}
