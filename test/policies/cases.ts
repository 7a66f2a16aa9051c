import * as assert from "node:assert/strict";
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
    AnyEntry,
    ArgsOptions,
    check,
    NOT_APPLICABLE,
    StackReport,
    stackReportsOf,
} from "../fixtures/policy-harness";
import { entriesOf, meshStack, MeshStack } from "../fixtures/policy-mesh";

/**
 * Table-driven rule tests: most tests of a rule take the compliant mesh fixture, change one thing
 * and expect exact messages, so a table row says only the change and the messages.
 */

/** One test of a resource rule against one entry of the mesh fixture. */
export interface ResourceCase<E> {
    /** What the rule does here, in words: the test is titled by the rule's name and this. */
    readonly title: string;
    /** The one change to the compliant entry; none tests the entry as it is. */
    readonly change?: (entry: E) => unknown;
    /** The rule's settings and provider, as the analyzer passes them. */
    readonly options?: ArgsOptions;
    /** Every message the rule reports, exactly, or NOT_APPLICABLE. */
    readonly expected: readonly string[] | typeof NOT_APPLICABLE;
}

/** An `it` per case: `policy` over a fresh `fixture()` with the case's change. */
export function resourceCases<E extends AnyEntry>(
    policy: ResourceValidationPolicy,
    fixture: () => E,
    cases: readonly ResourceCase<E>[],
): void {
    for (const c of cases) {
        it(`${policy.name} ${c.title}`, () => {
            const entry = fixture();
            c.change?.(entry);
            assert.deepEqual(check(policy, entry, c.options), c.expected);
        });
    }
}

/** One test of a stack rule against the whole mesh fixture. */
export interface StackCase {
    /** What the rule does here, in words: the test is titled by the rule's name and this. */
    readonly title: string;
    /** The one change to the compliant mesh; none tests the mesh as it is. */
    readonly change?: (stack: MeshStack) => unknown;
    /** The rule's settings, as the pack config sets them. */
    readonly config?: Record<string, unknown>;
    /** Every report (resource and message), exactly, or NOT_APPLICABLE. */
    readonly expected: readonly StackReport[] | typeof NOT_APPLICABLE;
}

/** An `it` per case: `policy` over a fresh mesh with the case's change. */
export function stackCases(policy: StackValidationPolicy, cases: readonly StackCase[]): void {
    for (const c of cases) {
        it(`${policy.name} ${c.title}`, () => {
            const stack = meshStack();
            c.change?.(stack);
            assert.deepEqual(stackReportsOf(policy, entriesOf(stack), c.config), c.expected);
        });
    }
}
