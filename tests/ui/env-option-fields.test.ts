// An environment's options in the Data tab come from its schema, through the same helpers as a reward's:
// labelled fields with types, ranges and defaults, problems by option name, lists typed as JSON.
import { describe, it, expect } from 'vitest';
import {
  extraOptions,
  hasOptionSchema,
  optionFields,
  optionInputText,
  optionProblems,
  parseOptionInput,
} from '../../src/ui/data/reward-options.ts';

describe('environment option fields', () => {
  it("makes grid_world's and crafting's fields from their schemas, with help, ranges and defaults", () => {
    const grid = optionFields('grid_world', 'environment');
    expect(grid.map((f) => f.key)).toEqual([
      'size',
      'rooms',
      'objects',
      'locked_chance',
      'missions',
      'progress_reward',
      'subgoal_reward',
      'completion_reward',
      'invalid_penalty',
    ]);
    expect(grid[0]).toMatchObject({ type: 'integer', default: 5, minimum: 3, maximum: 8, required: false });
    expect(grid.find((f) => f.key === 'missions')).toMatchObject({
      type: 'array',
      default: ['go_to', 'pick_up', 'open'],
    });
    for (const f of [...grid, ...optionFields('crafting', 'environment')]) expect(f.description, f.key).not.toBe('');
    expect(hasOptionSchema('crafting', 'environment')).toBe(true);
    expect(hasOptionSchema('registered_elsewhere', 'environment')).toBe(false);
    expect(optionFields('grid_world')).toEqual([]); // not a reward
  });

  it('reports problems by option name, and keeps unknown keys for the JSON fallback', () => {
    expect(optionProblems('grid_world', { size: 9, colour: 1 }, 'environment')).toEqual({
      colour: 'not an option of this environment',
      size: expect.stringMatching(/<=8/),
    });
    expect(optionProblems('crafting', { min_depth: 2, max_depth: 3 }, 'environment')).toEqual({});
    expect(extraOptions('grid_world', { size: 4, colour: 1 }, 'environment')).toEqual({ colour: 1 });
  });

  it('types a list as JSON and shows it back as JSON', () => {
    const missions = optionFields('grid_world', 'environment').find((f) => f.key === 'missions')!;
    expect(parseOptionInput(missions, '["go_to"]')).toEqual(['go_to']);
    expect(parseOptionInput(missions, 'go_to')).toBe('go_to'); // not JSON: kept, and the schema refuses it
    expect(optionProblems('grid_world', { missions: 'go_to' }, 'environment')).toHaveProperty('missions');
    expect(optionInputText(['go_to', 'open'])).toBe('["go_to","open"]');
    expect(optionInputText(undefined)).toBe('');
  });
});
