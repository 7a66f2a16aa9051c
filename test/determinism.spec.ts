import * as assert from "node:assert/strict";
import { runProgram } from "../scripts/offline/run";
import { stackRun } from "./stacks";

/**
 * PEM blocks are the one thing allowed to differ between runs: certificates carry a random
 * serial and the time they were signed, exactly as the real TLS provider makes them.
 */
const PEM = /-----BEGIN ([A-Z ]+)-----[\s\S]*?-----END \1-----\n?/g;

function normalise(value: unknown): unknown {
    return JSON.parse(JSON.stringify(value ?? null).replace(PEM, "<$1>"));
}

describe("determinism", () => {
    it("registers the same resources with the same inputs on every run", async () => {
        const first = await stackRun("dev");
        const second = await runProgram({ stack: "dev" });
        assert.deepEqual(
            second.resources.map((r) => r.urn),
            first.resources.map((r) => r.urn),
        );
        for (const [i, r] of second.resources.entries()) {
            const before = first.resources[i];
            assert.deepEqual(normalise(r.inputs), normalise(before.inputs), r.urn);
            assert.deepEqual(r.dependsOn, before.dependsOn, r.urn);
            assert.equal(r.id, before.id, r.urn);
        }
    });
});
