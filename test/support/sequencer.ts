import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Milliseconds each slow test file took in a measured run (docs/PERFORMANCE.md, "Test suite time").
 * A fresh clone (CI) has no vitest results cache, and vitest would then start the largest files
 * first: the slowest ones (browsers, real-time waits, child processes) could start last and leave
 * one worker busy alone at the end.
 */
const measured = JSON.parse(readFileSync(new URL('./slow-files.json', import.meta.url), 'utf8')) as Record<string, number>;

/** Starts the longest test files first: vitest's own last run when it has one, else slow-files.json. */
export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sized = await super.sort(files);
    const cost = (spec: TestSpecification) =>
      this.ctx.cache.getTestSpecificationResult(spec)?.duration ?? measured[relative(spec.project.config.root, spec.moduleId)] ?? 0;
    // A stable sort: files of equal (unknown) cost keep vitest's order (failed first, larger first).
    return sized
      .map((spec) => ({ spec, cost: cost(spec) }))
      .sort((a, b) => b.cost - a.cost)
      .map(({ spec }) => spec);
  }
}
